// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest'
import { browserEnvironment } from '../../src/util/environment'

describe('browserEnvironment', () => {
  it('reports wake-ups from visibility, focus, online and pageshow, and unsubscribes', () => {
    const seen: string[] = []
    const off = browserEnvironment.onWake((reason) => seen.push(reason))
    document.dispatchEvent(new Event('visibilitychange'))
    window.dispatchEvent(new Event('focus'))
    window.dispatchEvent(new Event('online'))
    window.dispatchEvent(new Event('pageshow'))
    expect(seen).toEqual(['visible', 'focus', 'online', 'pageshow'])
    off()
    window.dispatchEvent(new Event('focus'))
    expect(seen).toHaveLength(4)
  })

  it('ignores visibilitychange to hidden', () => {
    const seen: string[] = []
    const off = browserEnvironment.onWake((reason) => seen.push(reason))
    const state = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden')
    document.dispatchEvent(new Event('visibilitychange'))
    expect(seen).toEqual([])
    state.mockRestore()
    off()
  })

  it('listens to activity events passively, plus the page becoming visible', () => {
    const add = vi.spyOn(window, 'addEventListener')
    const listener = vi.fn()
    const off = browserEnvironment.onActivity(['pointerdown', 'keydown'], listener)
    expect(add.mock.calls.map(([type, , options]) => [type, (options as AddEventListenerOptions).passive])).toEqual([
      ['pointerdown', true],
      ['keydown', true],
    ])
    window.dispatchEvent(new Event('keydown'))
    document.dispatchEvent(new Event('visibilitychange'))
    expect(listener).toHaveBeenCalledTimes(2)
    off()
    window.dispatchEvent(new Event('keydown'))
    expect(listener).toHaveBeenCalledTimes(2)
  })
})

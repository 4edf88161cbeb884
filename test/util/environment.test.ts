// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest'
import { browserEnvironment } from '../../src/util/environment'

describe('browserEnvironment', () => {
  const pageshow = (persisted: boolean) => Object.assign(new Event('pageshow'), { persisted })

  it('reports wake-ups from visibility, focus, online, a back/forward cache restore and a resume, and unsubscribes', () => {
    const seen: string[] = []
    const off = browserEnvironment.onWake((reason) => seen.push(reason))
    document.dispatchEvent(new Event('visibilitychange'))
    window.dispatchEvent(new Event('focus'))
    window.dispatchEvent(new Event('online'))
    window.dispatchEvent(pageshow(true))
    document.dispatchEvent(new Event('resume'))
    expect(seen).toEqual(['visible', 'focus', 'online', 'pageshow', 'resume'])
    off()
    window.dispatchEvent(new Event('focus'))
    window.dispatchEvent(pageshow(true))
    document.dispatchEvent(new Event('resume'))
    expect(seen).toHaveLength(5)
  })

  it("hears a restore before the app's own listeners, even ones added earlier", () => {
    const order: string[] = []
    const app = () => order.push('app')
    window.addEventListener('pageshow', app)
    document.addEventListener('resume', app)
    const off = browserEnvironment.onWake((reason) => order.push(reason))
    window.dispatchEvent(pageshow(true))
    document.dispatchEvent(new Event('resume'))
    expect(order).toEqual(['pageshow', 'app', 'resume', 'app'])
    off()
    window.removeEventListener('pageshow', app)
    document.removeEventListener('resume', app)
  })

  it('a pageshow not from the back/forward cache is a plain wake-up (deadlines re-checked, no re-sync)', () => {
    const seen: string[] = []
    const off = browserEnvironment.onWake((reason) => seen.push(reason))
    window.dispatchEvent(pageshow(false))
    window.dispatchEvent(new Event('pageshow'))
    expect(seen).toEqual(['visible', 'visible'])
    off()
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

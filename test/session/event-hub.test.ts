import { describe, expect, it, vi } from 'vitest'
import { EventHub } from '../../src/session/event-hub'

describe('EventHub', () => {
  it('delivers typed payloads and unsubscribes', () => {
    const hub = new EventHub()
    const handler = vi.fn()
    const off = hub.on('signedOut', handler)
    hub.emit('signedOut', { source: 'local', everywhere: false })
    off()
    hub.emit('signedOut', { source: 'local', everywhere: false })
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('isolates a throwing handler', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const hub = new EventHub()
    const after = vi.fn()
    hub.on('error', () => {
      throw new Error('bug')
    })
    hub.on('error', after)
    expect(() => hub.emit('error', { error: {} as never })).not.toThrow()
    expect(after).toHaveBeenCalledTimes(1)
    expect(log).toHaveBeenCalledTimes(1)
  })

  it('clear() removes every handler', () => {
    const hub = new EventHub()
    const handler = vi.fn()
    hub.on('change', handler)
    hub.clear()
    hub.emit('change', { snapshot: {} as never })
    expect(handler).not.toHaveBeenCalled()
  })
})

import { describe, expect, it, vi } from 'vitest'
import { SessionStore } from '../../src/session/store'
import type { SessionSnapshot } from '../../src/types'

function snapshotOf(status: SessionSnapshot['status'], expiresAt: number | null = null): SessionSnapshot {
  return { status, expiresAt, claims: null, lastActivityAt: null, idleDeadline: null }
}

describe('SessionStore', () => {
  it('keeps the same snapshot object until a field changes, and queues `change` only then', () => {
    let state = snapshotOf('unknown')
    const store = new SessionStore(() => ({ ...state }))
    const first = store.snapshot
    const changes = vi.fn()
    store.events.on('change', changes)
    store.commit()
    store.flush()
    expect(store.snapshot).toBe(first)
    expect(changes).not.toHaveBeenCalled()
    state = snapshotOf('active', 5)
    store.commit()
    expect(store.snapshot).not.toBe(first)
    expect(store.snapshot).toEqual(state)
    expect(changes).not.toHaveBeenCalled() // queued, not emitted
    store.flush()
    expect(changes).toHaveBeenCalledWith({ snapshot: store.snapshot })
  })

  it('emits queued events in order on flush, telling subscribers about changes first', () => {
    let state = snapshotOf('unknown')
    const store = new SessionStore(() => ({ ...state }))
    const order: string[] = []
    store.subscribe(() => order.push(`listener:${store.snapshot.status}`))
    store.events.on('change', () => order.push('change'))
    store.events.on('signedIn', () => order.push('signedIn'))
    state = snapshotOf('active', 1)
    store.queue('signedIn', { claims: null })
    store.commit()
    store.flush()
    expect(order).toEqual(['signedIn', 'listener:active', 'change'])
    store.flush()
    expect(order).toHaveLength(3)
  })

  it('a throwing listener or handler does not stop the others', () => {
    let state = snapshotOf('unknown')
    const store = new SessionStore(() => ({ ...state }))
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const second = vi.fn()
    const handler = vi.fn()
    store.subscribe(() => {
      throw new Error('listener bug')
    })
    store.subscribe(second)
    store.events.on('change', () => {
      throw new Error('handler bug')
    })
    store.events.on('change', handler)
    state = snapshotOf('signedOut')
    store.commit()
    expect(() => store.flush()).not.toThrow()
    expect(second).toHaveBeenCalledTimes(1)
    expect(handler).toHaveBeenCalledTimes(1)
    expect(error).toHaveBeenCalledTimes(2)
    error.mockRestore()
  })

  it('unsubscribe stops one listener; close() drops pending events, handlers and listeners', () => {
    let state = snapshotOf('unknown')
    const store = new SessionStore(() => ({ ...state }))
    const kept = vi.fn()
    const removed = vi.fn()
    const handler = vi.fn()
    store.subscribe(kept)
    store.subscribe(removed)()
    store.events.on('signedOut', handler)
    state = snapshotOf('active')
    store.commit()
    store.flush()
    expect(kept).toHaveBeenCalledTimes(1)
    expect(removed).not.toHaveBeenCalled()
    store.queue('signedOut', { source: 'local', everywhere: false })
    store.close()
    store.queue('signedOut', { source: 'local', everywhere: false })
    state = snapshotOf('signedOut')
    store.commit()
    store.flush()
    expect(handler).not.toHaveBeenCalled()
    expect(kept).toHaveBeenCalledTimes(1)
  })
})

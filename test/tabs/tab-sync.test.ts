import { BroadcastChannel } from 'broadcast-channel'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChannelLike } from '../../src'
import { sleep, systemClock } from '../../src/util/clock'
import { noTabs, openTabSync, TabSync } from '../../src/tabs/tab-sync'
import { defaultChannelFactory, type TabMessage } from '../../src/tabs/protocol'
import { createLockManager } from '../helpers/locks'

let seq = 0

describe('TabSync', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  function pair(options: { locks?: boolean } = {}) {
    const name = `sync-test-${++seq}`
    const locks = createLockManager()
    const make = () => {
      const received: TabMessage[] = []
      // The page's unload (a non-persisted pagehide), fired by the test.
      const unload = {
        listeners: new Set<() => void>(),
        fire: () => {
          for (const listener of unload.listeners) listener()
        },
      }
      const sync = new TabSync({
        onUnload: (listener) => {
          unload.listeners.add(listener)
          return () => unload.listeners.delete(listener)
        },
        channel: new BroadcastChannel(name, { type: 'simulate' }) as unknown as ChannelLike,
        clock: systemClock,
        locks: options.locks === false ? null : locks.managerFor(),
        lockName: name,
        lockTimeout: 10_000,
        activityThrottle: 2000,
        onMessage: (m) => received.push(m),
      })
      return { sync, received, unload }
    }
    return { a: make(), b: make(), locks, name }
  }

  it('delivers validated messages to the other tab only', async () => {
    const { a, b } = pair()
    void a.sync.post({ type: 'hello' })
    await vi.advanceTimersByTimeAsync(10)
    expect(b.received).toEqual([{ type: 'hello', v: 2, from: a.sync.tabId }])
    expect(a.received).toEqual([])
    expect(b.sync.peersSeen).toBe(true)
    a.sync.close()
    b.sync.close()
  })

  it('waitFor resolves with the first match or null after the timeout', async () => {
    const { a, b } = pair()
    const found = b.sync.waitFor((m) => m.type === 'activity', 100)
    const missing = b.sync.waitFor((m) => m.type === 'hello', 100)
    void a.sync.post({ type: 'activity', at: 1 })
    await vi.advanceTimersByTimeAsync(100)
    expect(await found).toMatchObject({ type: 'activity', at: 1 })
    expect(await missing).toBeNull()
    a.sync.close()
    b.sync.close()
  })

  it('shares activity at most once per throttle window, always sending the last one', async () => {
    const { a, b } = pair()
    const start = Date.now()
    for (let i = 0; i < 50; i++) {
      a.sync.shareActivity(Date.now())
      await vi.advanceTimersByTimeAsync(100)
    }
    await vi.advanceTimersByTimeAsync(2000)
    const activity = b.received.filter((m) => m.type === 'activity') as { at: number }[]
    expect(activity.length).toBeLessThanOrEqual(4)
    expect(activity.at(-1)!.at).toBe(start + 4900)
    a.sync.close()
    b.sync.close()
  })

  it('mayHavePeers: with Web Locks a lone tab knows at once', async () => {
    const name = `sync-alone-${++seq}`
    const locks = createLockManager()
    const lone = new TabSync({
      channel: new BroadcastChannel(name, { type: 'simulate' }) as unknown as ChannelLike,
      clock: systemClock,
      locks: locks.managerFor(),
      lockName: name,
      lockTimeout: 1000,
      activityThrottle: 2000,
      onMessage: () => {},
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(await lone.mayHavePeers()).toBe(false)
    const { a, b } = pair()
    await vi.advanceTimersByTimeAsync(0)
    expect(await a.sync.mayHavePeers()).toBe(true)
    b.sync.close()
    await vi.advanceTimersByTimeAsync(0)
    expect(await a.sync.mayHavePeers()).toBe(false)
    lone.close()
    a.sync.close()
  })

  it('close() resolves pending waiters with null and clears its timers', async () => {
    const { a, b } = pair()
    const waiting = a.sync.waitFor(() => true, 10_000)
    a.sync.shareActivity(1)
    a.sync.shareActivity(2)
    a.sync.close()
    b.sync.close()
    expect(await waiting).toBeNull()
    await vi.advanceTimersByTimeAsync(20)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('after close() a wait ends at once and arms no timer', async () => {
    const { a } = pair()
    a.sync.close()
    expect(await a.sync.waitFor(() => true, 10_000)).toBeNull()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('cross-tab sync off, or no channel to be had: openTabSync gives noTabs, a tab alone', async () => {
    const settings = { clock: systemClock, lockTimeout: 10_000, activityThrottle: 2000, onMessage: vi.fn() }
    expect(openTabSync(null, settings)).toBe(noTabs)
    const broken = () => {
      throw new Error('no channel')
    }
    expect(openTabSync({ channel: 'x', channelFactory: broken, locks: null }, settings)).toBe(noTabs)
    expect(noTabs.crossTab).toBe(false)
    expect(await noTabs.mayHavePeers()).toBe(false)
    expect(await noTabs.waitFor(() => true, 10_000)).toBeNull()
    await expect(noTabs.lock.run(async (contended) => contended)).resolves.toBe(false)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('without Web Locks its lock is the channel mutex: lock messages go to it, not to the manager', async () => {
    const { a, b } = pair({ locks: false })
    void a.sync.post({ type: 'hello' })
    void b.sync.post({ type: 'hello' })
    await vi.advanceTimersByTimeAsync(20)
    const order: string[] = []
    const first = a.sync.lock.run(async () => {
      order.push('a start')
      await sleep(systemClock, 500) // fake time: the refresh a holds the lock for
      order.push('a end')
    })
    await vi.advanceTimersByTimeAsync(100)
    const second = b.sync.lock.run(async (contended) => void order.push(`b contended=${contended}`))
    await vi.advanceTimersByTimeAsync(1000)
    await Promise.all([first, second])
    expect(order).toEqual(['a start', 'a end', 'b contended=true'])
    expect([...a.received, ...b.received].map((m) => m.type)).not.toContain('lock')
    a.sync.close()
    b.sync.close()
    await vi.advanceTimersByTimeAsync(20)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('without Web Locks, a tab whose page unloads mid-refresh frees the channel mutex at once (the browser frees a Web Lock)', async () => {
    // A closed tab runs no destroy(); before, the others outwaited its hold for the whole lockTimeout.
    const { a, b } = pair({ locks: false })
    void a.sync.post({ type: 'hello' })
    void b.sync.post({ type: 'hello' })
    await vi.advanceTimersByTimeAsync(20)
    const held = a.sync.lock.run(() => new Promise(() => {})) // its refresh reply never comes: the page is gone
    held.catch(() => undefined)
    await vi.advanceTimersByTimeAsync(20)
    let ranAt: number | null = null
    const startedAt = Date.now()
    const next = b.sync.lock.run(async () => {
      ranAt = Date.now() - startedAt
    })
    await vi.advanceTimersByTimeAsync(100)
    expect(ranAt).toBeNull()
    a.unload.fire()
    await vi.advanceTimersByTimeAsync(50)
    expect(ranAt, 'b ran once a left').not.toBeNull()
    expect(ranAt!).toBeLessThan(1000)
    await next
    a.sync.close()
    b.sync.close()
    expect([a.unload.listeners.size, b.unload.listeners.size], 'close() unsubscribes').toEqual([0, 0])
  })
  it('loads the channel mutex only where Web Locks are missing, once', async () => {
    const make = (locks: boolean) => {
      const load = vi.fn(() => import('../../src/tabs/channel-lock'))
      const sync = new TabSync({
        channel: new BroadcastChannel(`sync-test-${++seq}`, { type: 'simulate' }) as unknown as ChannelLike,
        clock: systemClock,
        locks: locks ? createLockManager().managerFor() : null,
        lockName: 'load-test',
        lockTimeout: 10_000,
        activityThrottle: 2000,
        onMessage: () => undefined,
        onUnload: () => () => undefined,
        loadChannelLock: load,
      })
      return { sync, load }
    }
    const withLocks = make(true)
    await expect(withLocks.sync.lock.run(async () => 'web lock')).resolves.toBe('web lock')
    expect(withLocks.load).not.toHaveBeenCalled()
    const without = make(false)
    await expect(without.sync.lock.run(async () => 'mutex')).resolves.toBe('mutex')
    await expect(without.sync.lock.run(async () => 'mutex again')).resolves.toBe('mutex again')
    expect(without.load).toHaveBeenCalledTimes(1)
    withLocks.sync.close()
    without.sync.close()
  })
})

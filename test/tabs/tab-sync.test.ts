import { BroadcastChannel, OPEN_BROADCAST_CHANNELS } from 'broadcast-channel'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChannelLike } from '../../src'
import { systemClock } from '../../src/util/clock'
import { TabSync } from '../../src/tabs/tab-sync'
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
      const sync = new TabSync({
        channel: new BroadcastChannel(name, { type: 'simulate' }) as unknown as ChannelLike,
        clock: systemClock,
        locks: options.locks === false ? null : locks.managerFor(),
        lockName: name,
        lockTimeout: 10_000,
        activityThrottle: 2000,
        onMessage: (m) => received.push(m),
      })
      return { sync, received }
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

  it('falls back to leader election without Web Locks, started only once a peer speaks', async () => {
    const { a, b } = pair({ locks: false })
    await vi.advanceTimersByTimeAsync(100)
    expect(vi.getTimerCount()).toBe(0) // alone so far: no election, no polling
    void a.sync.post({ type: 'hello' })
    void b.sync.post({ type: 'hello' })
    await vi.advanceTimersByTimeAsync(3000)
    expect([a.sync.isLeader, b.sync.isLeader].filter(Boolean)).toHaveLength(1)
    expect(a.sync.usesLeaderElection).toBe(true)
    a.sync.close()
    b.sync.close()
  })
})

describe('TabSync leader election on a non-broadcast-channel channel', () => {
  it('elects on a native channel of its own (`<name>:leader`), loaded once a peer speaks, closed with the tab', async () => {
    const name = `sync-native-${++seq}`
    const factory = defaultChannelFactory()!
    const leaderChannels = () => [...OPEN_BROADCAST_CHANNELS].filter((c) => c.name === `${name}:leader`)
    const make = () =>
      new TabSync({
        channel: factory(name),
        clock: systemClock,
        locks: null,
        lockName: name,
        lockTimeout: 10_000,
        activityThrottle: 2000,
        onMessage: () => undefined,
      })
    const a = make()
    const b = make()
    expect(leaderChannels()).toHaveLength(0)
    void b.post({ type: 'hello' })
    await vi.waitFor(() => expect(leaderChannels()).toHaveLength(1))
    a.close()
    b.close()
    await vi.waitFor(() => expect(leaderChannels()).toHaveLength(0))
  })
})

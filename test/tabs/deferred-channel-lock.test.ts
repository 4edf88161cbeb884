import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as channelLockModule from '../../src/tabs/channel-lock'
import type { LockSignal } from '../../src/tabs/channel-lock'
import { deferChannelLock, type ChannelLockLoader } from '../../src/tabs/deferred-channel-lock'
import { randomId } from '../../src/tabs/protocol'
import { systemClock } from '../../src/util/clock'

/** A loader the test settles: the chunk arrives (or fails) when the test says so. */
function controlledLoader() {
  const calls: { resolve: () => void; reject: (error: unknown) => void }[] = []
  const load: ChannelLockLoader = () =>
    new Promise((resolve, reject) => {
      calls.push({ resolve: () => resolve(channelLockModule), reject })
    })
  return { load, calls }
}

function deferred(load: ChannelLockLoader) {
  const sent: LockSignal[] = []
  const lock = deferChannelLock(load, {
    clock: systemClock,
    newId: randomId,
    tabId: 'me',
    acquireTimeout: 10_000,
    linger: 0,
    post: (signal) => sent.push(signal),
  })
  return { lock, sent }
}

describe('deferChannelLock (the channel mutex loaded on first need)', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('starts loading at once, and a run waits for the module', async () => {
    const { load, calls } = controlledLoader()
    const { lock } = deferred(load)
    expect(calls).toHaveLength(1)
    let ran = false
    const done = lock.run(async () => {
      ran = true
      return 'ok'
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(ran).toBe(false)
    calls[0]!.resolve()
    await expect(done).resolves.toBe('ok')
    expect(ran).toBe(true)
    // Loaded once: the second run does not ask again.
    await expect(lock.run(async () => 'again')).resolves.toBe('again')
    expect(calls).toHaveLength(1)
  })

  it('replays what another tab said before the module arrived: a holder heard meanwhile is waited for', async () => {
    const { load, calls } = controlledLoader()
    const { lock } = deferred(load)
    lock.noticed('other')
    lock.receive('other', { type: 'lock', op: 'held', id: 'hold-1', rank: 0 })
    const order: string[] = []
    const done = lock.run(async (contended) => {
      order.push(contended ? 'ran (contended)' : 'ran')
    })
    calls[0]!.resolve()
    await vi.advanceTimersByTimeAsync(100)
    expect(order).toEqual([])
    lock.noticed('other')
    lock.receive('other', { type: 'lock', op: 'released', id: 'hold-1', rank: 0 })
    await vi.advanceTimersByTimeAsync(1500)
    await done
    expect(order).toEqual(['ran (contended)'])
  })

  it('answers a claim heard before the module arrived', async () => {
    const { load, calls } = controlledLoader()
    const { lock, sent } = deferred(load)
    lock.noticed('other')
    lock.receive('other', { type: 'lock', op: 'claim', id: 'claim-1', rank: 0.5 })
    expect(sent).toEqual([])
    calls[0]!.resolve()
    await vi.advanceTimersByTimeAsync(0)
    expect(sent).toContainEqual({ type: 'lock', op: 'ack', id: 'claim-1', rank: 0 })
  })

  it('a load that fails fails the runs that waited, and the next run loads again', async () => {
    const { load, calls } = controlledLoader()
    const { lock } = deferred(load)
    const first = lock.run(async () => 'first')
    const failure = new TypeError('Failed to fetch dynamically imported module')
    calls[0]!.reject(failure)
    await expect(first).rejects.toBe(failure)
    const second = lock.run(async () => 'second')
    expect(calls).toHaveLength(2)
    calls[1]!.resolve()
    await expect(second).resolves.toBe('second')
  })

  it('closed before the module arrived: it says it left, runs are aborted, and nothing is created later', async () => {
    const { load, calls } = controlledLoader()
    const { lock, sent } = deferred(load)
    const pending = lock.run(async () => 'never')
    lock.close()
    expect(sent).toEqual([{ type: 'lock', op: 'left', id: 'me', rank: 0 }])
    calls[0]!.resolve()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    await expect(lock.run(async () => 'later')).rejects.toMatchObject({ name: 'AbortError' })
    // A claim heard after close gets no answer: no lock was made.
    lock.receive('other', { type: 'lock', op: 'claim', id: 'claim-2', rank: 0.1 })
    await vi.advanceTimersByTimeAsync(0)
    expect(sent).toHaveLength(1)
    lock.close()
    expect(sent).toHaveLength(1)
  })

  it('closed after it loaded: the mutex itself leaves', async () => {
    const { load, calls } = controlledLoader()
    const { lock, sent } = deferred(load)
    calls[0]!.resolve()
    await vi.advanceTimersByTimeAsync(0)
    lock.close()
    expect(sent).toContainEqual({ type: 'lock', op: 'left', id: 'me', rank: 0 })
    await expect(lock.run(async () => 'after')).rejects.toMatchObject({ name: 'AbortError' })
  })
})

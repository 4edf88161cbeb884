import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../src/util/clock'
import { createWebLock } from '../../src/tabs/lock'
import { localLock } from '../../src/refresh/refresh-lock'
import { createLockManager } from '../helpers/locks'

describe('locks', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('localLock runs the task uncontended', async () => {
    await expect(localLock.run(async (contended) => contended)).resolves.toBe(false)
  })

  it('web lock: serializes tasks and tells the second it was contended', async () => {
    const locks = createLockManager()
    const a = createWebLock(locks.managerFor(), 'l', 10_000, systemClock)
    const b = createWebLock(locks.managerFor(), 'l', 10_000, systemClock)
    const order: string[] = []
    let release!: () => void
    const first = a.run(async (contended) => {
      order.push(`a:${contended}`)
      await new Promise<void>((r) => (release = r))
      order.push('a:done')
    })
    await vi.advanceTimersByTimeAsync(0)
    const second = b.run(async (contended) => void order.push(`b:${contended}`))
    await vi.advanceTimersByTimeAsync(0)
    expect(order).toEqual(['a:false'])
    release()
    await Promise.all([first, second])
    expect(order).toEqual(['a:false', 'a:done', 'b:true'])
  })

  it('web lock: gives up waiting after the acquisition timeout and runs anyway', async () => {
    const locks = createLockManager()
    void locks.managerFor().request('l', {}, () => new Promise(() => {}))
    const lock = createWebLock(locks.managerFor(), 'l', 5000, systemClock)
    const task = vi.fn(async (contended: boolean) => contended)
    const result = lock.run(task)
    await vi.advanceTimersByTimeAsync(4999)
    expect(task).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    await expect(result).resolves.toBe(true)
  })

  it('web lock: lingers after a task that asks for it, without delaying its caller, and releaseLingering ends it', async () => {
    const locks = createLockManager()
    const lock = createWebLock(locks.managerFor(), 'l', 5000, systemClock, 100)
    await expect(
      lock.run(
        async () => 'token',
        (result) => result === 'token',
      ),
    ).resolves.toBe('token')
    expect(locks.isHeld('l')).toBe(true)
    const next = createWebLock(locks.managerFor(), 'l', 5000, systemClock)
    const contended = next.run(async (c) => c)
    await vi.advanceTimersByTimeAsync(99)
    expect(locks.isHeld('l')).toBe(true)
    await vi.advanceTimersByTimeAsync(1)
    await expect(contended).resolves.toBe(true)
    await lock.run(
      async () => 1,
      () => true,
    )
    lock.releaseLingering()
    await vi.advanceTimersByTimeAsync(0)
    expect(locks.isHeld('l')).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('web lock: no linger unless the task asks (an adopted token, a login, a failure)', async () => {
    const locks = createLockManager()
    const lock = createWebLock(locks.managerFor(), 'l', 5000, systemClock, 100)
    await lock.run(
      async () => 'adopted',
      (result) => result === 'token',
    )
    await lock.run(async () => 'login')
    await vi.advanceTimersByTimeAsync(0)
    expect(locks.isHeld('l')).toBe(false)
    const other = createWebLock(locks.managerFor(), 'l', 5000, systemClock)
    await expect(other.run(async (c) => c)).resolves.toBe(false)
  })

  it('web lock: a tab never waits on its own lingering hold, and its next run is not contended', async () => {
    const locks = createLockManager()
    const lock = createWebLock(locks.managerFor(), 'l', 5000, systemClock, 100)
    await lock.run(
      async () => 'token',
      () => true,
    )
    expect(locks.isHeld('l')).toBe(true)
    const seen: boolean[] = []
    const second = lock.run(async (contended) => void seen.push(contended))
    await vi.advanceTimersByTimeAsync(0)
    await second
    expect(seen).toEqual([false])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('web lock: another tab already waiting still goes first after our hold ends early', async () => {
    const locks = createLockManager()
    const a = createWebLock(locks.managerFor(), 'l', 5000, systemClock, 100)
    const b = createWebLock(locks.managerFor(), 'l', 5000, systemClock, 100)
    const order: string[] = []
    await a.run(
      async () => 'token',
      () => true,
    )
    const bRun = b.run(async (contended) => void order.push(`b:${contended}`))
    await vi.advanceTimersByTimeAsync(0)
    const aRun = a.run(async (contended) => void order.push(`a:${contended}`))
    await vi.advanceTimersByTimeAsync(0)
    await Promise.all([aRun, bRun])
    expect(order).toEqual(['b:true', 'a:false'])
  })

  it('web lock: an error in the task propagates and releases the lock', async () => {
    const locks = createLockManager()
    const lock = createWebLock(locks.managerFor(), 'l', 5000, systemClock)
    await expect(lock.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(locks.isHeld('l')).toBe(false)
  })
})

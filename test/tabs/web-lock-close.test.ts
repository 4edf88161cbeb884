import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../src/util/clock'
import { createWebLock } from '../../src/tabs/lock'
import { createLockManager } from '../helpers/locks'

/** Another tab holding the lock until `release()`. */
function holder(locks: ReturnType<typeof createLockManager>, name: string) {
  let release!: () => void
  void locks.managerFor().request(name, {}, () => new Promise<void>((r) => (release = r)))
  return { release: () => release() }
}

describe('web lock: close() leaves the queue at once', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('a queued run is rejected with an AbortError, its request leaves the queue and its acquisition timer is cleared', async () => {
    const locks = createLockManager()
    const other = holder(locks, 'l')
    const lock = createWebLock(locks.managerFor(), 'l', 135_000, systemClock)
    const task = vi.fn(async () => 'mine')
    const queued = lock.run(task).catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(0)
    expect(locks.waiting('l')).toBe(1)
    expect(vi.getTimerCount()).toBe(1) // the acquisition timeout
    lock.close()
    await vi.advanceTimersByTimeAsync(0)
    expect(await queued).toMatchObject({ name: 'AbortError' })
    expect(locks.waiting('l')).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    other.release()
    await vi.advanceTimersByTimeAsync(0)
    expect(task).not.toHaveBeenCalled() // the lock freed later never runs a closed lock's task
    expect(locks.isHeld('l')).toBe(false)
  })

  it('later runs reject at once without requesting the lock', async () => {
    const locks = createLockManager()
    const lock = createWebLock(locks.managerFor(), 'l', 135_000, systemClock)
    lock.close()
    const task = vi.fn(async () => 2)
    await expect(lock.run(task)).rejects.toMatchObject({ name: 'AbortError' })
    expect(task).not.toHaveBeenCalled()
    expect(locks.acquisitions).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('closed before the ifAvailable probe answers: the task never runs and nothing is queued', async () => {
    const locks = createLockManager()
    holder(locks, 'l')
    const lock = createWebLock(locks.managerFor(), 'l', 135_000, systemClock)
    const task = vi.fn(async () => 1)
    const queued = lock.run(task).catch((e: unknown) => e)
    lock.close() // synchronously: the probe's callback has not run yet
    await vi.advanceTimersByTimeAsync(0)
    expect(await queued).toMatchObject({ name: 'AbortError' })
    expect(locks.waiting('l')).toBe(0)
    expect(task).not.toHaveBeenCalled()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a run already holding the lock is left to settle on its own (its caller aborts it); its linger is dropped', async () => {
    const locks = createLockManager()
    const lock = createWebLock(locks.managerFor(), 'l', 135_000, systemClock, 100)
    let finish!: () => void
    const running = lock.run(
      () => new Promise<string>((r) => (finish = () => r('token'))),
      () => true,
    )
    await vi.advanceTimersByTimeAsync(0)
    expect(locks.isHeld('l')).toBe(true)
    lock.close()
    finish()
    await expect(running).resolves.toBe('token')
    await vi.advanceTimersByTimeAsync(0)
    expect(locks.isHeld('l')).toBe(false) // no linger after close
    expect(vi.getTimerCount()).toBe(0)
  })

  it('an orphaned (closed) lock never delays the next tab: it gets the lock as soon as the holder lets go', async () => {
    const locks = createLockManager()
    const other = holder(locks, 'l')
    for (let i = 0; i < 100; i++) {
      const orphan = createWebLock(locks.managerFor(), 'l', 135_000, systemClock)
      const queued = orphan.run(async () => i).catch(() => undefined)
      await vi.advanceTimersByTimeAsync(0)
      orphan.close()
      await queued
    }
    expect(locks.waiting('l')).toBe(0)
    const next = createWebLock(locks.managerFor(), 'l', 135_000, systemClock)
    const task = vi.fn(async (contended: boolean) => contended)
    const result = next.run(task)
    await vi.advanceTimersByTimeAsync(0)
    other.release()
    await vi.advanceTimersByTimeAsync(0)
    await expect(result).resolves.toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })
})

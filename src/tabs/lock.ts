import type { Clock } from '../util/clock'
import type { RefreshLock } from '../refresh/refresh-lock'

/** The subset of `navigator.locks` (Web Locks API) the SDK uses; injectable for tests. */
export interface LockManagerLike {
  /** `navigator.locks.request(name, options, callback)`: runs `callback` holding the lock; `lock` is `null` when `ifAvailable` found it taken. */
  request<T>(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => Promise<T> | T): Promise<T>
}

/** A lock that can drop its lingering holds at once, and leave the queue for good (on destroy). */
export interface LingeringLock extends RefreshLock {
  releaseLingering(): void
  /**
   * Leaves at once: lingering holds are dropped, queued lock requests aborted (their timers
   * cleared, their runs rejected with an `AbortError`, their tasks never run) and later runs
   * rejected. A task already holding the lock is its caller's to abort.
   */
  close(): void
}

/**
 * Web Locks: the browser releases the lock when the holding tab closes or crashes. The
 * acquisition wait is bounded so a frozen holder cannot hang this tab forever (supabase-js
 * #2111); after the timeout the task runs anyway, which is the lesser evil than a hung app.
 *
 * After a task that asks for it (a refresh that got a token) the lock lingers for `linger` ms
 * while the caller already has its result: the new token is on the channel but may not have
 * reached the other tabs yet, and a tab that acquires the lock in that window must see it as
 * contended and wait for the token rather than rotate a second time. The same tab never
 * waits on its own lingering hold: a new run releases it and does not count as contended.
 */
export function createWebLock(locks: LockManagerLike, name: string, acquireTimeout: number, clock: Clock, linger = 0): LingeringLock {
  const lingering = new Set<() => void>()
  // Runs still waiting for the lock: close() makes them leave at once (a destroyed tab must not
  // stay in the queue until acquireTimeout, nor leave its callers unsettled).
  const waiting = new Set<() => void>()
  let closed = false
  const releaseAll = () => {
    for (const done of [...lingering]) done()
  }
  const hold = () =>
    new Promise<void>((resolve) => {
      if (linger <= 0 || closed) return resolve()
      const done = () => {
        clock.clearTimeout(timer)
        lingering.delete(done)
        resolve()
      }
      const timer = clock.setTimeout(done, linger)
      lingering.add(done)
    })

  return {
    run<T>(task: (contended: boolean) => Promise<T>, shouldLinger?: (result: T) => boolean): Promise<T> {
      // Our own hold is no contention: what it protected (our token) is already here.
      const afterOwnHold = lingering.size > 0
      releaseAll()
      return new Promise<T>((resolve, reject) => {
        let started = false
        let timer: unknown
        const controller = new AbortController()
        const leave = () => {
          clock.clearTimeout(timer)
          controller.abort()
          reject(controller.signal.reason)
        }
        if (closed) return leave()
        waiting.add(leave)
        const body = async (contended: boolean) => {
          // Granted after close(): release at once, the caller has its answer.
          if (closed) return
          waiting.delete(leave)
          started = true
          let result: T
          try {
            result = await task(contended && !afterOwnHold)
          } catch (error) {
            reject(error)
            return
          }
          resolve(result)
          if (shouldLinger?.(result)) await hold()
        }
        const waitInLine = () => {
          if (closed) return
          timer = clock.setTimeout(() => controller.abort(), acquireTimeout)
          return locks
            .request(name, { signal: controller.signal }, () => {
              clock.clearTimeout(timer)
              return body(true)
            })
            .catch(() => {
              clock.clearTimeout(timer)
              // Acquisition timed out (a frozen holder) or the lock manager failed: go on without it.
              if (!started && !closed) void body(true)
            })
        }
        locks
          .request(name, { ifAvailable: true }, (lock) => (lock ? body(false) : waitInLine()))
          .catch((error: unknown) => {
            if (started || closed) return
            waiting.delete(leave)
            reject(error)
          })
      })
    },
    releaseLingering: releaseAll,
    close() {
      closed = true
      releaseAll()
      for (const leave of waiting) leave()
      waiting.clear()
    },
  }
}

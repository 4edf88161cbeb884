import type { Clock } from './clock'

/** The subset of `navigator.locks` (Web Locks API) the SDK uses; injectable for tests. */
export interface LockManagerLike {
  request<T>(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<T> | T,
  ): Promise<T>
}

/**
 * Runs a refresh under a cross-tab mutex. `contended` tells the task another tab held the
 * lock first, so it should expect that tab's token (lock-then-recheck).
 */
export interface RefreshLock {
  run<T>(task: (contended: boolean) => Promise<T>): Promise<T>
}

/** A single tab (cross-tab sync off): nothing to coordinate. */
export const localLock: RefreshLock = { run: (task) => task(false) }

const NOT_AVAILABLE = Symbol('not available')

/**
 * Web Locks: the browser releases the lock when the holding tab closes or crashes. The
 * acquisition wait is bounded so a frozen holder cannot hang this tab forever (supabase-js
 * #2111); after the timeout the task runs anyway, which is the lesser evil than a hung app.
 */
export function createWebLock(locks: LockManagerLike, name: string, acquireTimeout: number, clock: Clock): RefreshLock {
  return {
    async run(task) {
      const first = await locks.request<unknown>(name, { ifAvailable: true }, (lock) => (lock ? task(false) : NOT_AVAILABLE))
      if (first !== NOT_AVAILABLE) return first as Awaited<ReturnType<typeof task>>
      const controller = new AbortController()
      const timer = clock.setTimeout(() => controller.abort(), acquireTimeout)
      let started = false
      try {
        return await locks.request(name, { signal: controller.signal }, () => {
          started = true
          clock.clearTimeout(timer)
          return task(true)
        })
      } catch (error) {
        if (started) throw error
        return task(true)
      } finally {
        clock.clearTimeout(timer)
      }
    },
  }
}

/** What leader election looks like from here (`broadcast-channel`'s `LeaderElector`). */
export interface LeaderLike {
  readonly isLeader: boolean
  hasLeader(): Promise<boolean>
}

/**
 * Fallback without Web Locks: the elected leader refreshes; a follower asks it to and waits
 * for the result on the channel (bounded), then re-checks. If no leader exists or none
 * answers in time, the follower refreshes itself rather than strand its requests.
 */
export function createLeaderLock(
  leader: LeaderLike,
  askLeader: () => void,
  waitForLeader: (timeout: number) => Promise<unknown>,
  waitTimeout: number,
): RefreshLock {
  return {
    async run(task) {
      if (leader.isLeader || !(await leader.hasLeader().catch(() => false))) return task(false)
      askLeader()
      await waitForLeader(waitTimeout)
      return task(true)
    },
  }
}

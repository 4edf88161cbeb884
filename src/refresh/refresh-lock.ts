/**
 * Runs a refresh under a cross-tab mutex. `contended` tells the task another tab held the
 * lock first, so it should expect that tab's token (lock-then-recheck).
 */
export interface RefreshLock {
  /**
   * @param linger whether the lock should stay held a moment after `task` (its result went on
   * the channel and other tabs must get it before they can take the lock); default: never.
   */
  run<T>(task: (contended: boolean) => Promise<T>, linger?: (result: T) => boolean): Promise<T>
}

/** A single tab (cross-tab sync off): nothing to coordinate. */
export const localLock: RefreshLock = { run: (task) => task(false) }

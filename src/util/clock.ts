/** Everything time-related the SDK touches, injectable for tests and exotic hosts. */
export interface Clock {
  /** Epoch ms, like `Date.now()`: token expiry and deadlines shared with other tabs. */
  now(): number
  /**
   * Ms from an arbitrary origin that never jumps when the wall clock is set (like
   * `performance.now()`): cooldowns, backoff, throttles and every elapsed time within one tab.
   * A clock without it measures those on `now()` (a test's fake clock stays in charge).
   */
  monotonic?(): number
  /** Like the global `setTimeout`; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown
  /** Cancels a timer from `setTimeout`. */
  clearTimeout(handle: unknown): void
}

// Globals are looked up on every call, never captured at import: fake timers installed
// after import (vitest, sinon) must still take effect.
export const systemClock: Clock = {
  now: () => Date.now(),
  // performance.now() where there is one (every browser, Node 16+), else the wall clock.
  monotonic: () => (typeof globalThis.performance?.now === 'function' ? globalThis.performance.now() : Date.now()),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** The clock's monotonic time (`Clock.monotonic`), or its wall clock when it has none. */
export function monotonicNow(clock: Clock): number {
  return clock.monotonic ? clock.monotonic() : clock.now()
}

/** A moment on both clocks, for `elapsedSince`. */
export interface Moment {
  wall: number
  mono: number
}

export const NEVER: Moment = { wall: Number.NEGATIVE_INFINITY, mono: Number.NEGATIVE_INFINITY }

export function momentNow(clock: Clock): Moment {
  return { wall: clock.now(), mono: monotonicNow(clock) }
}

/**
 * Time since `then` for throttles: as much as either clock says passed. A machine that slept
 * may have stopped the monotonic clock (the wall one ran on), and a clock set back moves only the
 * wall one: neither may hold a throttle shut (activity after a wake was dropped, R36).
 */
export function elapsedSince(clock: Clock, then: Moment): number {
  return Math.max(clock.now() - then.wall, monotonicNow(clock) - then.mono)
}

/** Largest delay `setTimeout` accepts; longer ones overflow and fire at once. */
export const MAX_TIMER_DELAY = 2 ** 31 - 1

/** Resolves after `ms` on `clock`; rejects with the signal's reason when aborted. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clock.clearTimeout(handle)
      reject(signal?.reason)
    }
    const handle = clock.setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      },
      Math.min(Math.max(0, ms), MAX_TIMER_DELAY),
    )
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

import { MAX_TIMER_DELAY, monotonicNow, type Clock } from './clock'

/**
 * One cancellable deadline on an injected clock. Long waits are chunked below the 2^31−1 ms
 * `setTimeout` limit, and every wake-up compares with the wall clock rather than trusting the
 * timer: timers fire late after sleep and in throttled background tabs, and never early here.
 */
export class Deadline {
  private at: number | null = null
  private handle: unknown = null

  constructor(
    private readonly clock: Clock,
    private readonly onDue: () => void,
    /**
     * `wall`: `at` is epoch ms (token expiry, idle and max-age deadlines, which tabs share);
     * `monotonic`: `at` is on `Clock.monotonic` (a retry delay, which no clock change may stretch).
     */
    private readonly timebase: 'wall' | 'monotonic' = 'wall',
  ) {}

  /** The time (per `timebase`) this deadline is armed for, or `null`. */
  get dueAt(): number | null {
    return this.at
  }

  arm(at: number): void {
    this.disarm()
    this.at = at
    this.wait()
  }

  disarm(): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle)
    this.handle = null
    this.at = null
  }

  /**
   * Fires now if the wall clock has passed the deadline (wake-up, focus, late timer). If not,
   * re-arms from the wall clock: a timer suspended during sleep would otherwise fire late by
   * the whole sleep even though the page woke up before the deadline.
   */
  check(): boolean {
    if (this.at === null) return false
    if (this.now() < this.at) {
      this.wait()
      return false
    }
    this.disarm()
    this.onDue()
    return true
  }

  private now(): number {
    return this.timebase === 'wall' ? this.clock.now() : monotonicNow(this.clock)
  }

  private wait(): void {
    if (this.at === null) return
    if (this.handle !== null) this.clock.clearTimeout(this.handle)
    const delay = Math.min(Math.max(0, this.at - this.now()), MAX_TIMER_DELAY)
    this.handle = this.clock.setTimeout(() => {
      this.handle = null
      this.check()
    }, delay)
  }
}

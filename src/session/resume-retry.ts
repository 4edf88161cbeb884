import { monotonicNow, type Clock } from '../util/clock'
import { Deadline } from '../util/deadline'

const FIRST_DELAY = 5000
const MAX_DELAY = 5 * 60_000

/**
 * After `start()` could not reach the refresh endpoint (offline, 5xx), the tab shows
 * `signedOut` rather than stay `unknown` for good, and looks for the session again: when the
 * network or the page comes back, and on a timer backing off from 5 s to 5 min. It stops once a
 * session exists or ended here (a sign-in, a logout), or on `destroy()`.
 */
export class ResumeRetry {
  private readonly timer: Deadline
  private delay = FIRST_DELAY
  private pending = false

  constructor(
    private readonly clock: Clock,
    /** One more try; resolves `true` when nothing is left to retry (found, or no session after all). */
    private readonly attempt: () => Promise<boolean>,
    /** Whether retrying still makes sense (no sign-in or logout happened meanwhile). */
    private readonly stillWanted: () => boolean,
  ) {
    // A retry delay: on the monotonic clock, so a clock set back does not postpone it.
    this.timer = new Deadline(clock, () => this.run(), 'monotonic')
  }

  /** `start()` failed transiently: retry later. */
  begin(): void {
    this.pending = true
    this.timer.arm(monotonicNow(this.clock) + this.delay)
  }

  /** The network or the page came back: try at once. */
  wake(): void {
    if (this.pending) void this.run()
  }

  stop(): void {
    this.pending = false
    this.timer.disarm()
  }

  private async run(): Promise<void> {
    if (!this.pending || !this.stillWanted()) return this.stop()
    this.timer.disarm()
    const done = await this.attempt().catch(() => false)
    if (done || !this.stillWanted()) return this.stop()
    this.delay = Math.min(this.delay * 2, MAX_DELAY)
    this.timer.arm(monotonicNow(this.clock) + this.delay)
  }
}

import type { Clock } from '../util/clock'
import type { BrowserEnvironment } from '../util/environment'

export const DEFAULT_ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'scroll', 'touchstart'] as const

/**
 * Turns bursts of DOM activity into at most one `onActivity` per `throttle` ms. Listeners are
 * attached only between `attach()` and `detach()`.
 */
export class ActivityTracker {
  private unsubscribe: (() => void) | null = null
  private lastReported = -Infinity

  constructor(
    private readonly options: {
      clock: Clock
      environment: BrowserEnvironment
      events: readonly string[]
      throttle: number
      onActivity: (at: number) => void
    },
  ) {}

  get attached(): boolean {
    return this.unsubscribe !== null
  }

  attach(): void {
    if (this.unsubscribe) return
    this.unsubscribe = this.options.environment.onActivity(this.options.events, () => this.record())
  }

  detach(): void {
    this.unsubscribe?.()
    this.unsubscribe = null
  }

  /** Records activity now (DOM event or `tm.touch()`), throttled. */
  record(force = false): void {
    const now = this.options.clock.now()
    if (!force && now - this.lastReported < this.options.throttle) return
    this.lastReported = now
    this.options.onActivity(now)
  }
}

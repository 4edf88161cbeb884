import { elapsedSince, momentNow, NEVER, type Clock, type Moment } from '../util/clock'
import type { BrowserEnvironment } from '../util/environment'

export const DEFAULT_ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'scroll', 'touchstart'] as const
/** Events that answer an idle prompt: a click or a tap (`pointerdown`) and a key press. */
export const DEFAULT_DELIBERATE_EVENTS = ['pointerdown', 'keydown'] as const

/**
 * Turns bursts of DOM activity into at most one `onActivity` per `throttle` ms. Listeners are
 * attached only between `attach()` and `detach()`.
 *
 * While `isPrompting()` (the idle warning is up), passive activity (any event not in
 * `deliberateEvents`, or the page becoming visible) is dropped, and a deliberate one is
 * reported at once, unthrottled: a pointer move just before a click must not swallow it.
 */
export class ActivityTracker {
  private unsubscribe: (() => void) | null = null
  private lastReported: Moment = NEVER

  constructor(
    private readonly options: {
      clock: Clock
      environment: BrowserEnvironment
      events: readonly string[]
      /** Events that count as a deliberate action (they are listened to as activity too). */
      deliberateEvents?: readonly string[]
      /** True while only deliberate actions count (the idle warning is showing). */
      isPrompting?: () => boolean
      throttle: number
      onActivity: (at: number) => void
    },
  ) {
    this.deliberate = new Set(options.deliberateEvents ?? [])
    this.listened = [...new Set([...options.events, ...this.deliberate])]
  }

  private readonly deliberate: ReadonlySet<string>
  private readonly listened: readonly string[]

  get attached(): boolean {
    return this.unsubscribe !== null
  }

  attach(): void {
    if (this.unsubscribe) return
    this.unsubscribe = this.options.environment.onActivity(this.listened, (event) => this.onEvent(event?.type))
  }

  detach(): void {
    this.unsubscribe?.()
    this.unsubscribe = null
  }

  private onEvent(type: string | undefined): void {
    if (!this.options.isPrompting?.()) this.record()
    else if (type !== undefined && this.deliberate.has(type)) this.record(true)
  }

  /** Records activity now (DOM event or `tm.touch()`), throttled. */
  record(force = false): void {
    // A throttle no clock change or sleep may hold shut; the activity time itself is wall-clock (tabs share it).
    if (!force && elapsedSince(this.options.clock, this.lastReported) < this.options.throttle) return
    this.lastReported = momentNow(this.options.clock)
    this.options.onActivity(this.options.clock.now())
  }
}

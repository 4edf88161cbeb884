import type { Clock } from '../util/clock'
import { Deadline } from '../util/deadline'
import type { Log } from '../util/logger'

export interface IdlePolicy {
  /** ms without activity before the session ends; 0 = off. */
  idleTimeout: number
  /** ms before the idle deadline to warn; below the timeout (see `resolveOptions`). */
  idleWarningTime: number
  /** ms after sign-in before the session ends regardless of activity; 0 = off. */
  maxSessionAge: number
}

export interface IdleCallbacks {
  onWarning(idleDeadline: number): void
  onIdle(): void
  onMaxAge(): void
  /** `timer.scheduled` entries for the deadlines armed. */
  log: Log
}

/**
 * The session's timeouts: the idle warning, the idle deadline and the max age, each a
 * wall-clock-checked `Deadline`. No polling: an idle tab wakes only when one of them is due.
 */
export class SessionTimeouts {
  private lastActivity: number | null = null
  private startedAt: number | null = null
  private warned = false
  private readonly warning: Deadline
  private readonly idle: Deadline
  private readonly maxAge: Deadline
  private readonly log: Log

  constructor(
    clock: Clock,
    private readonly policy: IdlePolicy,
    callbacks: IdleCallbacks,
  ) {
    this.log = callbacks.log
    this.warning = new Deadline(clock, () => {
      if (this.warned || this.deadline === null) return
      this.warned = true
      callbacks.onWarning(this.deadline)
    })
    this.idle = new Deadline(clock, () => callbacks.onIdle())
    this.maxAge = new Deadline(clock, () => callbacks.onMaxAge())
  }

  get enabled(): boolean {
    return this.policy.idleTimeout > 0
  }

  get lastActivityAt(): number | null {
    return this.lastActivity
  }

  get sessionStartedAt(): number | null {
    return this.startedAt
  }

  /** The epoch ms at which an idle session ends, or `null` when idle timeout is off or no session. */
  get deadline(): number | null {
    return this.enabled && this.lastActivity !== null ? this.lastActivity + this.policy.idleTimeout : null
  }

  get maxAgeDeadline(): number | null {
    return this.policy.maxSessionAge > 0 && this.startedAt !== null ? this.startedAt + this.policy.maxSessionAge : null
  }

  /** When the idle warning fires, or `null`. */
  get warningAt(): number | null {
    return this.warning.dueAt
  }

  /** Whether the idle warning of this idle period has fired (the prompt is up). */
  get warningShown(): boolean {
    return this.warned
  }

  begin(sessionStartedAt: number, lastActivityAt: number): void {
    this.startedAt = sessionStartedAt
    this.lastActivity = lastActivityAt
    this.warned = false
    const maxAgeAt = this.maxAgeDeadline
    if (maxAgeAt !== null) {
      this.maxAge.arm(maxAgeAt)
      this.log('timer.scheduled', { timer: 'maxAge', at: maxAgeAt })
    }
    this.armIdle()
  }

  /** Records activity; returns true when it moved the idle deadline. */
  activity(at: number): boolean {
    if (this.startedAt === null || (this.lastActivity !== null && at <= this.lastActivity)) return false
    this.lastActivity = at
    this.warned = false
    this.armIdle()
    return true
  }

  end(): void {
    this.warning.disarm()
    this.idle.disarm()
    this.maxAge.disarm()
    this.startedAt = null
    this.lastActivity = null
    this.warned = false
  }

  /** Re-checks every deadline against the wall clock (wake-up): the most final one wins. */
  check(): void {
    if (this.maxAge.check()) return
    if (this.idle.check()) return
    this.warning.check()
  }

  private armIdle(): void {
    const deadline = this.deadline
    if (deadline === null) return
    // Resolved options keep the warning below the timeout.
    const lead = this.policy.idleWarningTime
    if (lead > 0) this.warning.arm(deadline - lead)
    this.idle.arm(deadline)
    this.log('timer.scheduled', { timer: 'idle', at: deadline, warningAt: this.warning.dueAt })
  }
}

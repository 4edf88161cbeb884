import type { EventOrigin } from '../types'
import type { Deadline } from '../util/deadline'
import type { Session } from './session'
import type { SessionTimeouts } from './session-timeouts'

export interface ActivityRecorderDeps {
  session: Session
  idle: SessionTimeouts
  refreshTimer: Deadline
  /** The refresh coordinator, as far as activity needs it. */
  refresh: { run(stale: string): Promise<string>; readonly inFlight: Promise<string> | null }
  /** Tells the other tabs (throttled there). */
  shareActivity(at: number): void
}

/**
 * User activity here or in another tab: slides the idle deadline, makes up a proactive refresh
 * skipped while the user was idle, or arms the first one since the token.
 */
export class ActivityRecorder {
  constructor(private readonly deps: ActivityRecorderDeps) {}

  record(at: number, source: EventOrigin): void {
    const { session, idle, refreshTimer, refresh } = this.deps
    // Deadlines first: activity on waking from sleep must not revive a session that idled out.
    idle.check()
    if (!session.hasSession()) {
      if (source === 'remote') session.heardActivityWhileJoining(at)
      return
    }
    if (!idle.activity(at)) return
    if (source === 'local') this.deps.shareActivity(at)
    if (session.takeSkippedRefresh()) {
      refresh.run(session.token!.value).catch(() => undefined)
    } else if (refreshTimer.dueAt === null && !refresh.inFlight) {
      // The first activity since the token arms the proactive refresh (see Session.scheduleRefresh).
      session.scheduleRefresh()
    }
    session.store.commit()
    session.store.flush()
  }
}

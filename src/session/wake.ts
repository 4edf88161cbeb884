import type { Cooldown } from '../refresh/refresh-with-retry'
import type { Deadline } from '../util/deadline'
import type { BrowserEnvironment, WakeReason } from '../util/environment'
import type { LogEntry } from '../util/logger'
import type { Session } from './session'
import type { SessionTimeouts } from './session-timeouts'

export interface WakeDeps {
  session: Session
  environment: Pick<BrowserEnvironment, 'onWake'>
  idle: Pick<SessionTimeouts, 'check'>
  refreshTimer: Pick<Deadline, 'check'>
  cooldown: Pick<Cooldown, 'reset'>
  /** The network or the page came back: a `start()` that could not reach the server looks again. */
  onBack(): void
  /** A page restored from the back/forward cache or resumed after a freeze hears the other tabs again. */
  rejoin(): Promise<void>
  log(event: LogEntry['event'], detail?: LogEntry['detail']): void
}

/**
 * The tab comes back (focus, visibility, online, back/forward cache, resume after a freeze): timers
 * may have slept through their deadlines, so they are checked at once rather than when they fire.
 */
export function createWakeWatch(deps: WakeDeps): { attach(): void; detach(): void } {
  const { session, idle, cooldown, refreshTimer, log } = deps
  let unsubscribe: (() => void) | null = null
  const checkDeadlines = () => {
    if (session.destroyed) return
    idle.check()
    if (session.hasSession()) refreshTimer.check()
    session.store.flush()
  }
  const onWake = (reason: WakeReason) => {
    if (session.destroyed) return
    log('wake', { reason })
    if (reason === 'online') cooldown.reset()
    deps.onBack()
    if (reason === 'pageshow' || reason === 'resume') {
      // Its own deadlines at once, as on every wake-up; then the page, which missed the other tabs'
      // messages while frozen, hears them (a logout, a rotation) before its token is used again.
      idle.check()
      session.store.flush()
      void deps.rejoin().then(checkDeadlines)
      return
    }
    checkDeadlines()
  }
  return {
    /** Listens from the first `start()` or session on; idempotent. */
    attach() {
      if (!unsubscribe && !session.destroyed) unsubscribe = deps.environment.onWake(onWake)
    },
    detach() {
      unsubscribe?.()
      unsubscribe = null
    },
  }
}

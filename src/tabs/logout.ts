import { isTransientStatus, type Backend } from '../http/backend'
import type { AuthTransport } from '../http/transport'
import type { Session } from '../session/session'
import type { LogEntry } from '../util/logger'
import type { Tabs } from './tab-sync'

export interface LogoutDeps {
  session: Session
  tabs: Tabs
  /** The logout call, and whether the backend can log out everywhere (nothing else of it). */
  transport: Pick<AuthTransport, 'logout'> & { readonly backend: Pick<Backend, 'logoutEverywhere'> }
  /** The app's logger, if it set one (without, an unsupported `everywhere` warns on the console). */
  log: ((event: LogEntry['event']) => void) | null
}

/**
 * What `logout()` does: ends the session in memory at once, in every tab, then makes one server
 * call. Until the server acknowledges it, the refresh cookie may still work, so no tab resumes a
 * session from it (O5); an acknowledged call says `logoutDone` to the tabs.
 */
export class Logout {
  constructor(private readonly deps: LogoutDeps) {}

  /** Never rejects because the server failed. */
  async run(everywhere: boolean): Promise<void> {
    const { session, tabs, transport, log } = this.deps
    if (everywhere && transport.backend.logoutEverywhere === false) {
      // Not silent: the app asked for something this server cannot do.
      if (log) log('logout.everywhere_unsupported')
      else console.warn('[tokenkeeper] this backend cannot log out everywhere: only this session ends')
    }
    const captured = session.credentials()
    const ended = session.sessionId
    const seq = session.noteLogout()
    if (session.hasSession() || session.status === 'unknown') {
      session.end('signedOut')
      session.store.queue('signedOut', { source: 'local', everywhere })
    }
    // Always: the server call ends the session other tabs may hold even if this tab has not heard of it yet.
    void tabs.post({ type: 'signedOut', everywhere, session: ended, seq })
    session.store.flush()
    // Pending until the server answers (O5): meanwhile no tab resumes from the cookie. Not under the
    // cross-tab lock: queued behind another tab's login, the call would carry (and end) that new
    // session's cookie (the soak found it, R37).
    session.markLogoutPending()
    settleLogout(session, tabs, await transport.logout({ everywhere, ...captured }))
  }
}

/**
 * After the server call that ends a session (a logout, or a deadline's revocation): acknowledged
 * (an answer, and not one of the transient statuses a refresh retries), the refresh cookie it
 * ended is dead and resuming is harmless again, in every tab; otherwise the logout stays pending
 * (O5).
 */
export function settleLogout(session: Pick<Session, 'logoutAcknowledged'>, tabs: Pick<Tabs, 'post'>, status: number | undefined): void {
  const acknowledged = status !== undefined && !isTransientStatus(status)
  if (acknowledged && session.logoutAcknowledged()) void tabs.post({ type: 'logoutDone' })
}

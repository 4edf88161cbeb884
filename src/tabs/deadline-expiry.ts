import type { AuthTransport } from '../http/transport'
import type { Session } from '../session/session'
import type { LogEntry } from '../util/logger'
import { settleLogout } from './logout'
import type { Revocation } from './revocation'
import type { Tabs } from './tab-sync'

export interface DeadlineExpiryDeps {
  session: Session
  tabs: Tabs
  transport: Pick<AuthTransport, 'logout'>
  revocation: Pick<Revocation, 'revoke'>
  log(event: LogEntry['event'], detail?: LogEntry['detail']): void
}

/**
 * The end of a session by one of its deadlines (idle, max age): expired here and in every tab,
 * then revoked on the server so the refresh cookie cannot revive it (once for all the tabs).
 */
export class DeadlineExpiry {
  constructor(private readonly deps: DeadlineExpiryDeps) {}

  expire(reason: 'idle' | 'max_age'): void {
    const { session, tabs, transport, revocation, log } = this.deps
    if (!session.hasSession()) return
    log('idle.expired', { reason })
    const captured = session.credentials()
    session.expire(reason, 'local')
    // Until the revocation is acknowledged the cookie may still work: no tab resumes from it (O5, R36).
    session.markLogoutPending()
    const held = { cookieMode: session.cookieMode, holdsRefreshToken: captured.refreshToken !== null }
    revocation.revoke(tabs, held, async () => settleLogout(session, tabs, await transport.logout({ everywhere: false, ...captured }))).catch(() => undefined)
    session.store.flush()
  }
}

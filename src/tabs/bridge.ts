import { monotonicNow, type Clock } from '../util/clock'
import type { RefreshCoordinator } from '../refresh/coordinator'
import type { Session } from '../session/session'
import type { Tabs } from './tab-sync'
import type { SharedToken, TabMessage } from './protocol'
import { adoptSharedToken, type AccessToken } from '../token/access-token'

export interface TabBridgeDeps {
  session: Session
  /** What a peer's message asks of this tab's refreshes (the coordinator), and no more. */
  refresh: Pick<RefreshCoordinator, 'run' | 'holdingBack' | 'heardLost'>
  clock: Clock
  tabs: Tabs
  /** Activity another tab saw: it slides this tab's idle deadline too. */
  onRemoteActivity(at: number): void
}

/**
 * What another tab's message means for this one: adopt a newer token or a sign-in, end the
 * session on a sign-out or expiry, answer a joining tab, refresh for a follower. Messages are
 * validated by the channel already; this decides whether to believe them.
 */
export class TabBridge {
  constructor(private readonly deps: TabBridgeDeps) {}

  onMessage(message: TabMessage): void {
    const { session, clock } = this.deps
    if (session.destroyed) return
    // Every sequence number heard counts, adopted or not, so this tab's next events order after it;
    // one too far ahead to believe (a hostile or corrupt message) is ignored with its message.
    for (const seq of sequenceNumbers(message)) if (!session.order.observe(seq)) return
    const { tabs } = this.deps
    switch (message.type) {
      case 'hello':
        void tabs.post({
          type: 'welcome',
          token: session.share(),
          lastActivityAt: session.idle.lastActivityAt,
          session: session.hasSession(),
          // Brings a tab that just opened up to the other tabs' sequence before it signs in.
          seq: session.order.current,
          ...(session.logoutPending && { logoutPending: true }),
          ...(session.hasSession() &&
            session.sessionId !== null && {
              joinable: { session: session.sessionId, sessionSeq: session.sessionSeq, sessionStartedAt: session.idle.sessionStartedAt ?? session.tokenSince },
            }),
        })
        break
      case 'welcome':
        if (message.logoutPending) session.markLogoutPending()
        if (message.token) this.adopt(message.token, 'token', message.lastActivityAt)
        break
      case 'token':
        this.adopt(message, 'token', null)
        break
      case 'signedIn':
        // A session found with the cookie while this browser's logout is unacknowledged is the one it ends.
        if (message.resumed && session.logoutPending) break
        this.adopt(message, 'signedIn', null)
        break
      case 'logoutDone':
        session.logoutAcknowledged()
        break
      case 'signedOut':
        // Until its server call is acknowledged, the cookie of the session it ends may still work.
        session.heardLogout(message.seq)
        // A logout of this session ends it, whatever the clocks say. One of another (or no known)
        // session that crossed a newer sign-in on the channel ended the session before it, not this
        // one; on a tie the logout wins, as the tabs that see them in the other order decide (adopt()).
        if (session.hasSession() && message.session !== session.sessionId && message.seq < session.sessionSeq) break
        if (session.hasSession() || session.status === 'unknown') {
          session.end('signedOut')
          session.store.queue('signedOut', { source: 'remote', everywhere: message.everywhere })
        } else session.supersedeSignIns()
        break
      case 'expired':
        // The end of a session that crossed a newer sign-in here is not the end of this one.
        if (message.session === session.sessionId || message.seq >= session.sessionSeq) session.expire(message.reason, 'remote')
        // A deadline's end is revoked on the server by one tab: until that is acknowledged, no tab resumes from the cookie.
        if (message.reason !== 'refresh_rejected') session.markLogoutPending()
        break
      case 'activity':
        // Tabs share the wall clock: activity "in the future" is a bogus time that would hold the idle deadline off.
        this.deps.onRemoteActivity(Math.min(message.at, clock.now()))
        break
      case 'refreshRequest':
        // Body mode: only the tab holding the refresh token can refresh for the others.
        if (session.token && !session.cookieMode && session.refreshToken) {
          // A request that raced our last refresh gets that token instead of a new rotation; so does one
          // while a lost reply holds the refresh token back (the access token is still valid).
          const recent = monotonicNow(clock) - session.tokenSinceMono < 1000 && session.hasValidToken()
          if (recent || this.deps.refresh.holdingBack) void tabs.post({ type: 'token', ...session.share()! })
          else this.deps.refresh.run(session.token.value).catch(() => undefined)
        }
        break
      case 'refreshFailed':
        if (message.lost) this.deps.refresh.heardLost()
        break
      case 'lock':
        break
    }
    session.store.flush()
  }

  /**
   * A token a peer holds, heard on rejoining after a freeze or the back/forward cache: this tab
   * may have missed the sign-in behind it, so it is adopted as one would have been.
   */
  adoptMissed(shared: SharedToken, lastActivityAt: number | null): void {
    this.adopt(shared, 'signedIn', lastActivityAt)
    this.deps.session.store.flush()
  }

  private adopt(shared: SharedToken, kind: 'token' | 'signedIn', lastActivityAt: number | null): void {
    const { session, clock } = this.deps
    const current = session.token
    if (current && shared.accessToken === current.value) return
    const sameSession = current !== null && shared.session === session.sessionId
    // Of two tokens of one session the later rotation wins (not the later expiry: a server may shorten lifetimes).
    if (sameSession && shared.seq <= session.tokenSeq) return
    // A sign-in numbered below a logout made or heard here is one that logout ended.
    if (!sameSession && shared.sessionSeq <= session.loggedOutSeq) return
    // An expired token is no use, but a sign-in is news even if its token expired on the way (the
    // machine slept between post and delivery): the session exists, and this tab refreshes into it
    // like the tab that signed in.
    if (kind === 'token' && shared.expiresAt <= clock.now()) return
    // A plain token update never revives a session that ended here; a sign-in does.
    if (kind === 'token' && (session.status === 'signedOut' || session.status === 'expired')) return
    let token: AccessToken
    try {
      token = adoptSharedToken(shared)
    } catch {
      return
    }
    const otherAccount = token.claims?.sub !== current?.claims?.sub
    // Of two sessions, the one signed in later wins in every tab (a tie goes to the higher id).
    const laterSession = shared.sessionSeq > session.sessionSeq || (shared.sessionSeq === session.sessionSeq && shared.session > (session.sessionId ?? ''))
    if (session.hasSession() && !sameSession) {
      // Nor does a token of an older session, or of another account, replace the session signed in since.
      if (!laterSession) return
      if (kind === 'token' && otherAccount) return
    }
    // Another session here (a sign-in elsewhere, another account, or signing in again) is a new
    // session: its own claims, idle and max-age clocks, and a signedIn event.
    session.install(token, null, 'remote', {
      newSession: !session.hasSession() || !sameSession,
      sessionStartedAt: shared.sessionStartedAt,
      lastActivityAt,
      order: { session: shared.session, seq: shared.seq, sessionSeq: shared.sessionSeq },
    })
  }
}

/** The sequence numbers a message carries. */
function sequenceNumbers(message: TabMessage): number[] {
  switch (message.type) {
    case 'token':
    case 'signedIn':
      return [message.seq]
    case 'welcome':
      return message.token ? [message.seq, message.token.seq] : [message.seq]
    case 'signedOut':
    case 'expired':
      return [message.seq]
    default:
      return []
  }
}

import type { Clock } from '../util/clock'
import type { RefreshCoordinator } from '../refresh/coordinator'
import type { Session } from '../session/session'
import type { TabSync } from './tab-sync'
import type { SharedToken, TabMessage } from './protocol'
import { adoptSharedToken, type AccessToken } from '../token/access-token'

export interface TabBridgeDeps {
  session: Session
  refresh: RefreshCoordinator
  clock: Clock
  sync(): TabSync | null
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
    const sync = this.deps.sync()
    switch (message.type) {
      case 'hello':
        void sync?.post({ type: 'welcome', token: session.share(), lastActivityAt: session.idle.lastActivityAt, session: session.hasSession() })
        break
      case 'welcome':
        if (message.token) this.adopt(message.token, 'token', message.lastActivityAt)
        break
      case 'token':
      case 'signedIn':
        this.adopt(message, message.type, null)
        break
      case 'signedOut':
        // A logout that crossed a newer sign-in on the channel ended the session before it, not this one.
        if (message.at !== undefined && message.at < session.signedInAt && session.hasSession()) break
        if (session.hasSession() || session.status === 'unknown') {
          session.end('signedOut')
          session.store.queue('signedOut', { source: 'remote', everywhere: message.everywhere })
        }
        break
      case 'expired':
        session.expire(message.reason, 'remote')
        break
      case 'activity':
        this.deps.onRemoteActivity(message.at)
        break
      case 'refreshRequest':
        if (session.token && (sync?.isLeader || (!session.cookieMode && session.refreshToken))) {
          // A request that raced our last refresh gets that token instead of a new rotation.
          const recent = clock.now() - session.tokenSince < 1000 && session.hasValidToken()
          if (recent) void sync?.post({ type: 'token', ...session.share()! })
          else this.deps.refresh.run(session.token.value).catch(() => undefined)
        } else if (sync?.isLeader && session.cookieMode && !session.hasSession()) {
          // No session here: look for one with the cookie once, for every follower (a sign-in is
          // posted), and say so when there is none, rather than leave them waiting out the timeout.
          this.deps.refresh.run(null).catch(() => {
            if (!session.hasSession()) void sync.post({ type: 'noSession' })
          })
        }
        break
      case 'refreshFailed':
      case 'noSession':
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
    // Newer means issued later, not expiring later: a server may shorten lifetimes.
    if (current && (shared.receivedAt <= current.receivedAt || shared.accessToken === current.value)) return
    // A sign-in older than a logout here is one that logout's server call has ended.
    if (shared.receivedAt <= session.loggedOutAt) return
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
    const startedAt = session.idle.sessionStartedAt ?? -Infinity
    const otherAccount = token.claims?.sub !== current?.claims?.sub
    // Nor does a token of an older session, or of another account, replace the session signed in since.
    if (kind === 'token' && session.hasSession() && (shared.sessionStartedAt < startedAt || otherAccount)) return
    // A sign-in elsewhere while we hold a session (another account, or signing in again) is a new
    // session here too: its own claims, idle and max-age clocks, and a signedIn event.
    const newSignIn = kind === 'signedIn' && session.hasSession() && (shared.sessionStartedAt > startedAt || otherAccount)
    session.install(token, null, 'remote', {
      newSession: !session.hasSession() || newSignIn,
      sessionStartedAt: shared.sessionStartedAt,
      lastActivityAt,
    })
  }
}

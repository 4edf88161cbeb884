import type { JwtSigner } from './jwt'
import { type Counters, emptyCounters, FAULT_KINDS_TEXT, type Faults, isRefreshFault, noFaults, type RefreshFault } from './faults'
import type { MockBackendOptions, MockStore, Session } from './model'
import { readRefreshCookie, sessionView } from './wire'

/**
 * The mock backend's fault controls and counters (`backend.controls`): what a test or the demo's
 * `/__mock/*` API does to the server behind the SDK's back. They act on the backend's store and
 * reuse its rotation (`redeem`, `rotate`, `revoke`), so a replayed token is judged as a request's.
 */

export interface ControlDeps {
  store: MockStore
  options: MockBackendOptions
  signer: JwtSigner
  realNow: () => number
  rotate: (session: Session) => string
  redeem: (token: string | null) => Promise<Response>
  revoke: (session: Session) => void
}

export function createControls({ store, options, signer, realNow, rotate, redeem, revoke }: ControlDeps) {
  const { sessions, byToken, failedLogins } = store
  return {
    /** The counters since creation or the last `resetCounters()` / `reset()` (live: read it again after a reset). */
    get counters(): Counters {
      return store.counters
    },
    /** The fault state: queued and consumed refresh failures, latency, clock offset, reuse grace (live: read it again after a reset). */
    get faults(): Faults {
      return store.faults
    },
    /** Lifetime in seconds of the access tokens issued from now on (the `accessTokenLifetime` option until set). */
    get accessTokenLifetime() {
      return store.accessTokenLifetime
    },
    /** Access tokens issued from now on live `seconds` (floored, at least 1); those already issued keep theirs. */
    setAccessTokenLifetime(seconds: number) {
      store.accessTokenLifetime = Math.max(1, Math.floor(seconds))
    },
    /** The next `n` refreshes fail with `kind` (a status 400–599 or a named fault); a RangeError / TypeError for another kind. */
    failNextRefreshes(n: number, kind: RefreshFault, retryAfter?: number) {
      if (!isRefreshFault(kind)) {
        const message = `failNextRefreshes: kind must be ${FAULT_KINDS_TEXT} (got ${JSON.stringify(kind)})`
        throw typeof kind === 'number' ? new RangeError(message) : new TypeError(message)
      }
      for (let i = 0; i < n; i++) store.faults.refreshFailures.push({ kind, ...(retryAfter !== undefined && { retryAfter }) })
    },
    /** The `/auth/*` routes and `GET /api/me` wait `ms` milliseconds before answering (negative: 0). */
    setLatency(ms: number) {
      store.faults.latency = Math.max(0, ms)
    },
    /**
     * Sets the server's clock `ms` milliseconds ahead (negative: behind) for the access tokens it
     * issues (`iat`, `exp`, `auth_time`) and the expiry it checks; session lifetimes keep the real clock.
     */
    setClockOffset(ms: number) {
      store.faults.clockOffset = ms
    },
    /**
     * The reuse grace window, in milliseconds (negative: 0, strict rotation): a rotated-away refresh
     * token presented within `ms` of its rotation gets the session's current token instead of being reuse.
     */
    setReuseGrace(ms: number) {
      store.faults.reuseGrace = Math.max(0, ms)
    },
    /** Access tokens issued so far stop working; the next request gets 401 and refreshes, and the refreshed token works at once. */
    expireAccessTokens(username?: string) {
      for (const s of sessions.values()) if (!username || s.username === username) s.generation++
    },
    /** Drops the queued refresh failures and the record of consumed ones; returns how many were queued. */
    clearRefreshFailures(): number {
      const cleared = store.faults.refreshFailures.length
      store.faults.refreshFailures = []
      store.faults.consumedFailures = []
      return cleared
    },
    /**
     * The live session a request belongs to, by its refresh cookie (or body token) or its
     * Bearer token (signature checked, expiry and generation not: this only names the session).
     */
    async sessionOf(request: Request): Promise<{
      /** The session's id (the access token's `sid`). */
      sessionId: string
      /** Whose session it is. */
      username: string
    } | null> {
      const token = readRefreshCookie(request)
      let session = token ? byToken.get(token) : undefined
      const header = request.headers.get('authorization') ?? ''
      if (!session && header.startsWith('Bearer ')) {
        const sid = signer.verify(header.slice(7))?.sid
        session = typeof sid === 'string' ? sessions.get(sid) : undefined
      }
      return session && !session.revoked ? { sessionId: session.id, username: session.username } : null
    },
    /** The live session with this id (who it belongs to), or null. */
    findSession(sessionId: string): {
      /** The session's id (the access token's `sid`). */
      sessionId: string
      /** Whose session it is. */
      username: string
    } | null {
      const session = sessions.get(sessionId)
      return session && !session.revoked ? { sessionId: session.id, username: session.username } : null
    },
    /** Ends every session (of `username`, when given) server-side: their next refresh is rejected. */
    revokeAll(username?: string) {
      for (const s of [...sessions.values()]) if (!username || s.username === username) revoke(s)
    },
    /** Ends one session server-side (its next refresh is rejected); false if no such live session. */
    revokeSession(sessionId: string): boolean {
      const session = sessions.get(sessionId)
      if (!session || session.revoked) return false
      revoke(session)
      return true
    },
    /**
     * An attacker replays the session's previous refresh token (stolen before the last
     * rotation): reuse detection revokes the family. `target.sessionId` names the session
     * (the demo page sends its own); without a target, the first live one (of `username`).
     * Returns whose session it was, or null if there is no such live session.
     */
    async simulateStolenRefreshToken(target: { sessionId?: string; username?: string } = {}): Promise<{
      /** The session's id (the access token's `sid`). */
      sessionId: string
      /** Whose session it is. */
      username: string
    } | null> {
      const session =
        target.sessionId !== undefined
          ? sessions.get(target.sessionId)
          : [...sessions.values()].find((s) => target.username === undefined || s.username === target.username)
      if (!session || session.revoked || session.expiresAt <= realNow()) return null
      let stolen = [...session.previous.keys()].pop()
      if (!stolen) {
        // Never rotated yet: the thief took the current one, the victim rotates first.
        stolen = session.current
        rotate(session)
      }
      const saved = store.faults.reuseGrace
      store.faults.reuseGrace = 0
      await redeem(stolen)
      store.faults.reuseGrace = saved
      return { sessionId: session.id, username: session.username }
    },
    /** The sessions the backend holds (of `username`, when given), as `GET /auth/sessions` lists them (`current` false: no caller); revoked ones are gone. */
    sessions(username?: string) {
      return [...sessions.values()].filter((s) => !username || s.username === username).map((s) => sessionView(s, ''))
    },
    /** Zeroes the counters (a new `counters` object); sessions and faults stay. */
    resetCounters() {
      store.counters = emptyCounters()
    },
    /** A fresh start: drops every session and login lockout, zeroes the counters, clears the faults and restores the `accessTokenLifetime` option. */
    reset() {
      sessions.clear()
      byToken.clear()
      failedLogins.clear()
      store.counters = emptyCounters()
      store.faults = noFaults()
      store.accessTokenLifetime = options.accessTokenLifetime ?? 30
    },
  }
}

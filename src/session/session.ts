import type { ActivityTracker } from './activity'
import { monotonicNow, type Clock } from '../util/clock'
import { newSessionId, SequenceClock } from '../util/sequence'
import { DestroyedError, SessionExpiredError } from '../errors'
import { refreshDueAt } from '../token/expiry'
import type { SessionTimeouts } from './session-timeouts'
import type { LogEntry } from '../util/logger'
import type { Cooldown } from '../refresh/refresh-with-retry'
import type { Deadline } from '../util/deadline'
import { SessionStore } from './store'
import type { SessionIdentity, SharedToken, TabLink } from './tab-link'
import { sessionStartFrom, type AccessToken } from '../token/access-token'
import type { TokenResponse } from '../token/token-response'
import type { EventOrigin, ExpiryReason, SessionSnapshot, SessionStatus } from '../types'

/** This class's own view of its fields, which every other module sees `readonly`. */
type Writable<T> = { -readonly [K in keyof T]: T[K] }

export interface SessionDeps {
  clock: Clock
  /** `refreshTokenTransport: 'cookie'`: the refresh token is never in memory. */
  cookieMode: boolean
  idle: SessionTimeouts
  activity: ActivityTracker
  refreshTimer: Deadline
  cooldown: Cooldown
  /** Lead time of the proactive refresh, ms before expiry. */
  refreshLeadTime: number
  /** The other tabs (`noTabs` when cross-tab sync is off). */
  tabs: TabLink
  attachWake(): void
  log(event: LogEntry['event'], detail?: LogEntry['detail']): void
}

/**
 * One tab's session state (status, the access token in memory, the body-mode refresh token)
 * and the transitions between states: a token installed, the session ended or expired. Every
 * transition commits the snapshot and queues its events on the store; callers flush.
 */
export class Session {
  readonly store: SessionStore
  // Session is the only writer of this state: other modules see every field `readonly` (or not at
  // all) and change it through the transitions below; inside, `Writable<Session>` lifts that.
  // Plain fields, not getters over `#private` ones: `#` fields break behind a Vue proxy, and reads stay cheap.
  /** Whether a session is held, and how the last one ended; `refreshing` is a separate axis. */
  private phase: Exclude<SessionStatus, 'refreshing'> = 'unknown'
  /** A refresh of the active session is in flight (the snapshot's `refreshing`). */
  private refreshing = false
  readonly token: AccessToken | null = null
  /** Body mode only; never leaves this tab. */
  readonly refreshToken: string | null = null
  /** When the current token was obtained; proactive refresh needs activity after it. */
  readonly tokenSince: number = 0
  /** The same moment on the monotonic clock, for elapsed times within this tab. */
  readonly tokenSinceMono: number = Number.NEGATIVE_INFINITY
  /**
   * The token's expiry on the monotonic clock: a token is valid while both clocks say so. A wall
   * clock set back cannot stretch its life, and one that slept past the expiry (some monotonic
   * clocks stop during sleep) ends it; a clock set forward at worst refreshes early.
   */
  private tokenUntilMono = Number.POSITIVE_INFINITY
  /** The proactive refresh was skipped for an idle user; activity makes it up. */
  readonly proactiveSkipped: boolean = false
  /** Bumped whenever a session ends or begins: late results of an older session are dropped. */
  readonly epoch: number = 0
  /** Counts sessions installed here (local or remote): a refresh begun in an older one is stale. */
  readonly sessionsBegun: number = 0
  /** When logout() was last called here: older sign-ins from other tabs are not adopted. */
  private loggedOutAt = Number.NEGATIVE_INFINITY
  /** Cross-tab order of sign-ins, rotations and logouts (never the wall clock alone). */
  readonly order: SequenceClock
  /** Random id of the current session (one per sign-in, shared by every tab); `null` without one. */
  readonly sessionId: string | null = null
  /** Sequence number of the current session's sign-in: a logout numbered below it ended an earlier session. */
  readonly sessionSeq: number = -1
  /** Sequence number of the current token: of two tokens of this session, the higher is newer. */
  readonly tokenSeq: number = -1
  /**
   * A session another tab holds (its `welcome`), with its last activity: the refresh this tab
   * makes with the cookie continues it (same id, start and idle clock) instead of starting one.
   */
  private joining: { identity: SessionIdentity; lastActivityAt: number | null } | null = null
  /**
   * A logout made or heard in this browser whose server call has not been acknowledged: until it
   * is, the refresh cookie may still work, and no tab resumes a session from it (O5).
   */
  readonly logoutPending: boolean = false
  /** Sequence number of the latest logout made or heard here: a sign-in numbered below it is one that logout ended. */
  readonly loggedOutSeq: number = -1
  /** How the last session here ended (`SessionExpiredError.reason`). */
  readonly endReason: ExpiryReason | 'signed_out' = 'signed_out'
  /** Aborts the refresh requests of the session that is ending. */
  readonly refreshAbort: AbortController = new AbortController()
  readonly destroyed: boolean = false

  constructor(private readonly deps: SessionDeps) {
    this.order = new SequenceClock(deps.clock)
    this.store = new SessionStore(() => ({
      status: this.status,
      expiresAt: this.token?.expiresAt ?? null,
      claims: this.token?.claims ?? null,
      lastActivityAt: deps.idle.lastActivityAt,
      idleDeadline: deps.idle.deadline,
    }))
  }

  get status(): SessionStatus {
    return this.refreshing ? 'refreshing' : this.phase
  }

  get cookieMode(): boolean {
    return this.deps.cookieMode
  }

  /** Idle, idle-warning and max-age deadlines of this session. */
  get idle(): SessionTimeouts {
    return this.deps.idle
  }

  get snapshot(): SessionSnapshot {
    return this.store.snapshot
  }

  hasSession(): boolean {
    return this.phase === 'active'
  }

  hasValidToken(): boolean {
    return this.token !== null && this.deps.clock.now() < this.token.expiresAt && monotonicNow(this.deps.clock) < this.tokenUntilMono
  }

  /** A valid token other than `stale`: someone (this tab or another) already refreshed. */
  hasNewerToken(stale: string | null): boolean {
    return this.hasValidToken() && this.token!.value !== stale
  }

  /** Both tokens as the logout call needs them, captured before memory is cleared. */
  credentials(): { accessToken: string | null; refreshToken: string | null } {
    return { accessToken: this.hasValidToken() ? this.token!.value : null, refreshToken: this.refreshToken }
  }

  /** Installs a token (from this tab's server call or another tab) and shares a local one. */
  install(
    token: AccessToken,
    reply: Pick<TokenResponse, 'refreshToken'> | null,
    source: EventOrigin,
    opts: {
      newSession: boolean
      sessionStartedAt?: number
      lastActivityAt?: number | null
      /** A token from another tab: its session and sequence numbers. A local one gets new numbers. */
      order?: { session: string; seq: number; sessionSeq: number }
      /** A session found with the refresh cookie (a refresh without a session), not a sign-in. */
      resumed?: boolean
      /**
       * A sign-in's number, taken when its request was sent: a logout numbered after it may have
       * reached the server first, one numbered before it ends it whenever the reply came (O8).
       */
      sentSeq?: number
    },
  ): void {
    const self = this as Writable<Session>
    const { clock, idle, activity, cooldown } = this.deps
    const store = this.store
    const now = clock.now()
    self.token = token
    self.tokenSince = now
    self.tokenSinceMono = monotonicNow(clock)
    this.tokenUntilMono = this.tokenSinceMono + (token.expiresAt - now)
    // This tab's first token continues the session another tab holds (the cookie is that session's).
    // Only a resume (a refresh with the cookie) continues it; a login is a new session (R36).
    const joined = source === 'local' && opts.newSession && opts.resumed && !this.hasSession() ? this.joining : null
    this.joining = null
    if (opts.order) {
      self.sessionId = opts.order.session
      self.sessionSeq = opts.order.sessionSeq
      self.tokenSeq = opts.order.seq
    } else if (joined) {
      self.sessionId = joined.identity.session
      self.sessionSeq = joined.identity.sessionSeq
      self.tokenSeq = this.order.next()
    } else {
      self.tokenSeq = this.order.next()
      if (opts.newSession || self.sessionId === null) {
        self.sessionId = newSessionId()
        self.sessionSeq = opts.sentSeq ?? this.tokenSeq
      }
    }
    self.proactiveSkipped = false
    // A token shared by another tab means our body-mode refresh token was rotated away.
    if (!this.deps.cookieMode) self.refreshToken = source === 'local' ? (reply?.refreshToken ?? this.refreshToken) : null
    this.phase = 'active'
    this.refreshing = false
    cooldown.reset()
    // A sign-in (not a resume) is a new cookie: the logout that was pending has nothing left to end.
    if (opts.newSession && !opts.resumed) self.logoutPending = false
    if (opts.newSession) {
      self.sessionsBegun++
      this.deps.log('session.started', { source })
      if (source === 'local') self.epoch++
      const startedAt = joined?.identity.sessionStartedAt ?? opts.sessionStartedAt ?? sessionStartFrom(token, now)
      idle.begin(startedAt, (joined ? joined.lastActivityAt : opts.lastActivityAt) ?? now)
      if (idle.enabled) activity.attach()
      this.deps.attachWake()
      store.queue('signedIn', { claims: token.claims })
    } else {
      store.queue('tokenRefreshed', { expiresAt: token.expiresAt, source })
    }
    this.scheduleRefresh()
    store.commit()
    if (source === 'local') {
      const shared = this.share()
      // A joined session is no news to the tabs that hold it: a token of it, not a sign-in.
      if (shared)
        void this.deps.tabs.post(
          opts.newSession && !joined ? { type: 'signedIn', ...shared, ...(opts.resumed && { resumed: true }) } : { type: 'token', ...shared },
        )
    }
  }

  /** Ends the session with `reason` and tells the other tabs when it ended here. */
  expire(reason: ExpiryReason, source: EventOrigin): void {
    const self = this as Writable<Session>
    if (!this.hasSession()) return
    const session = this.sessionId
    this.end('expired')
    self.endReason = reason
    this.store.queue('sessionExpired', { reason })
    if (source === 'local') void this.deps.tabs.post({ type: 'expired', reason, session, seq: this.order.next() })
  }

  /** Whether a session ever began or was logged out in this tab (then only a sign-in starts another). */
  get everHadSession(): boolean {
    return this.sessionsBegun > 0 || this.loggedOutAt > Number.NEGATIVE_INFINITY
  }

  /** Aborts this tab's refresh in flight (its result would belong to a session that is over). */
  abortRefresh(): void {
    const self = this as Writable<Session>
    this.refreshAbort.abort(new SessionExpiredError('signed_out'))
    self.refreshAbort = new AbortController()
  }

  /** Clears memory and every session timer; the status says why. */
  end(status: 'signedOut' | 'expired'): void {
    const self = this as Writable<Session>
    this.deps.log('session.ended', { status })
    self.endReason = 'signed_out'
    self.epoch++
    this.abortRefresh()
    self.token = null
    this.tokenUntilMono = Number.POSITIVE_INFINITY
    self.refreshToken = null
    self.sessionId = null
    self.sessionSeq = -1
    self.tokenSeq = -1
    this.phase = status
    this.refreshing = false
    this.deps.refreshTimer.disarm()
    this.deps.idle.end()
    this.deps.activity.detach()
    this.deps.cooldown.reset()
    this.store.commit()
  }

  /** A refresh of the active session begins: the snapshot says `refreshing` (committed, not flushed). */
  beginRefresh(): boolean {
    if (this.status !== 'active') return false
    this.refreshing = true
    this.store.commit()
    return true
  }

  /** The refresh ended without a new token (adopted, or failed): `active` again. Not committed. */
  endRefresh(): boolean {
    if (!this.refreshing) return false
    this.refreshing = false
    return true
  }

  /** A sign-in begins: late results of whatever began before it are dropped. @returns its epoch. */
  beginSignIn(): number {
    const self = this as Writable<Session>
    return ++self.epoch
  }

  /**
   * A logout heard while signed out: a sign-in in flight here is superseded, as the server may
   * process it before that logout, which then ends it (O8).
   */
  supersedeSignIns(): void {
    const self = this as Writable<Session>
    self.epoch++
  }

  /** The proactive refresh was skipped for an idle user. */
  skipProactive(): void {
    const self = this as Writable<Session>
    self.proactiveSkipped = true
  }

  /** Activity came after a skipped proactive refresh: whether it is due now (the skip is then cleared). */
  takeSkippedRefresh(): boolean {
    const self = this as Writable<Session>
    if (!self.proactiveSkipped || !self.token) return false
    self.proactiveSkipped = false
    return true
  }

  /** A session another tab holds (its `welcome`): this tab's first refresh continues it. */
  join(identity: SessionIdentity, lastActivityAt: number | null): void {
    this.joining = { identity, lastActivityAt }
  }

  /**
   * Activity another tab saw while this one is joining its session (before its own token came):
   * the joined session's idle clock counts from it, not from the older `welcome` (R36).
   */
  heardActivityWhileJoining(at: number): void {
    const joining = this.joining
    // `at` is never in the future: the bridge clamps other tabs' activity to now.
    if (joining && at > (joining.lastActivityAt ?? Number.NEGATIVE_INFINITY)) joining.lastActivityAt = at
  }

  /**
   * `logout()` here: sign-ins numbered before it are refused, and one still in flight is superseded
   * (the server may process it before the logout, which then ends it: O8). @returns the logout's sequence number.
   */
  noteLogout(): number {
    this.supersedeSignIns()
    const self = this as Writable<Session>
    this.loggedOutAt = this.deps.clock.now()
    self.loggedOutSeq = this.order.next()
    return self.loggedOutSeq
  }

  /** Another tab's logout numbered `seq`; its server call is not acknowledged yet (O5). */
  heardLogout(seq: number): void {
    const self = this as Writable<Session>
    self.loggedOutSeq = Math.max(self.loggedOutSeq, seq)
    self.logoutPending = true
  }

  /** A logout made or heard here awaits the server's acknowledgement (O5). */
  markLogoutPending(): void {
    const self = this as Writable<Session>
    self.logoutPending = true
  }

  /** The server acknowledged the logout: whether one was pending. */
  logoutAcknowledged(): boolean {
    const self = this as Writable<Session>
    const pending = self.logoutPending
    self.logoutPending = false
    return pending
  }

  /** `destroy()`: refreshes in flight reject with `DestroyedError`. */
  destroy(): void {
    const self = this as Writable<Session>
    self.destroyed = true
    self.refreshAbort.abort(new DestroyedError())
  }

  /** Drops the tokens from memory (`destroy()`, after the timers and channel are gone). */
  wipe(): void {
    const self = this as Writable<Session>
    self.token = null
    self.refreshToken = null
  }

  scheduleRefresh(): void {
    const { refreshTimer, idle } = this.deps
    if (!this.token) {
      refreshTimer.disarm()
      return
    }
    if (idle.enabled && (idle.lastActivityAt ?? 0) <= this.tokenSince) {
      // Sliding sessions: an idle user's token may lapse, so the timer waits for activity since
      // the token (the manager re-schedules on it). An idle tab wakes only for the idle deadlines.
      refreshTimer.disarm()
      this.deps.log('timer.scheduled', { timer: 'refresh', at: null })
      return
    }
    const due = refreshDueAt(this.token, this.deps.refreshLeadTime)
    // Stagger tabs so they do not all contend for the lock at the same instant; a tab that
    // has never heard another keeps the exact lead time.
    const jitter = this.deps.tabs.peersSeen ? Math.random() * Math.min(2000, Math.max(0, due - this.tokenSince) / 10) : 0
    refreshTimer.arm(due - jitter)
    this.deps.log('timer.scheduled', { timer: 'refresh', at: Math.round(due - jitter) })
  }

  /** The token as other tabs may have it (never the refresh token); `null` without a valid one. */
  share(): SharedToken | null {
    if (!this.hasValidToken() || this.sessionId === null) return null
    const { value, expiresAt, lifetime, receivedAt } = this.token!
    return {
      accessToken: value,
      expiresAt,
      lifetime,
      receivedAt,
      sessionStartedAt: this.deps.idle.sessionStartedAt ?? this.tokenSince,
      session: this.sessionId,
      seq: this.tokenSeq,
      sessionSeq: this.sessionSeq,
    }
  }
}

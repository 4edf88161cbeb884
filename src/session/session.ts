import type { ActivityTracker } from './activity'
import type { Clock } from '../util/clock'
import { SessionExpiredError } from '../errors'
import { refreshDueAt } from '../token/expiry'
import type { SessionTimeouts } from './session-timeouts'
import type { LogEntry } from '../util/logger'
import type { Cooldown } from '../refresh/refresh-with-retry'
import type { Deadline } from '../util/deadline'
import { SessionStore } from './store'
// biome-ignore lint/style/noRestrictedImports: type-only; to be replaced by a narrow tab-broadcast interface (issue 13, item 3, open)
import type { TabSync } from '../tabs/tab-sync'
// biome-ignore lint/style/noRestrictedImports: type-only; the shared-token shape moves down with the tab-broadcast interface (issue 13, item 3, open)
import type { SharedToken } from '../tabs/protocol'
import { sessionStartFrom, type AccessToken } from '../token/access-token'
import type { TokenResponse } from '../token/token-response'
import type { EventOrigin, ExpiryReason, SessionSnapshot, SessionStatus } from '../types'

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
  sync(): TabSync | null
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
  status: SessionStatus = 'unknown'
  token: AccessToken | null = null
  /** Body mode only; never leaves this tab. */
  refreshToken: string | null = null
  /** When the current token was obtained; proactive refresh needs activity after it. */
  tokenSince = 0
  /** The proactive refresh was skipped for an idle user; activity makes it up. */
  proactiveSkipped = false
  /** Bumped whenever a session ends or begins: late results of an older session are dropped. */
  epoch = 0
  /** Counts sessions installed here (local or remote): a refresh begun in an older one is stale. */
  sessionsBegun = 0
  /** When logout() was last called here: older sign-ins from other tabs are not adopted. */
  loggedOutAt = -Infinity
  /** Receipt time of the current session's sign-in token: an older logout elsewhere does not end it. */
  signedInAt = -Infinity
  /** How the last session here ended (`SessionExpiredError.reason`). */
  endReason: ExpiryReason | 'signed_out' = 'signed_out'
  /** Aborts the refresh requests of the session that is ending. */
  refreshAbort = new AbortController()
  destroyed = false

  constructor(private readonly deps: SessionDeps) {
    this.store = new SessionStore(() => ({
      status: this.status,
      expiresAt: this.token?.expiresAt ?? null,
      claims: this.token?.claims ?? null,
      lastActivityAt: deps.idle.lastActivityAt,
      idleDeadline: deps.idle.deadline,
    }))
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
    return this.status === 'active' || this.status === 'refreshing'
  }

  hasValidToken(): boolean {
    return this.token !== null && this.deps.clock.now() < this.token.expiresAt
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
    opts: { newSession: boolean; sessionStartedAt?: number; lastActivityAt?: number | null },
  ): void {
    const { clock, idle, activity, cooldown } = this.deps
    const store = this.store
    const now = clock.now()
    this.token = token
    this.tokenSince = now
    this.proactiveSkipped = false
    // A token shared by another tab means our body-mode refresh token was rotated away.
    if (!this.deps.cookieMode) this.refreshToken = source === 'local' ? (reply?.refreshToken ?? this.refreshToken) : null
    this.status = 'active'
    cooldown.reset()
    if (opts.newSession) {
      this.sessionsBegun++
      this.signedInAt = token.receivedAt
      this.deps.log('session.started', { source })
      if (source === 'local') this.epoch++
      const startedAt = opts.sessionStartedAt ?? sessionStartFrom(token, now)
      idle.begin(startedAt, opts.lastActivityAt ?? now)
      if (idle.enabled) activity.attach()
      this.deps.attachWake()
      store.queue('signedIn', { claims: token.claims })
    } else {
      store.queue('tokenRefreshed', { expiresAt: token.expiresAt, source })
    }
    this.scheduleRefresh()
    store.commit()
    const sync = this.deps.sync()
    if (source === 'local' && sync) {
      const shared = this.share()
      if (shared) void sync.post({ type: opts.newSession ? 'signedIn' : 'token', ...shared })
    }
  }

  /** Ends the session with `reason` and tells the other tabs when it ended here. */
  expire(reason: ExpiryReason, source: EventOrigin): void {
    if (!this.hasSession()) return
    this.end('expired')
    this.endReason = reason
    this.store.queue('sessionExpired', { reason })
    if (source === 'local') void this.deps.sync()?.post({ type: 'expired', reason })
  }

  /** Whether a session ever began or was logged out in this tab (then only a sign-in starts another). */
  get everHadSession(): boolean {
    return this.sessionsBegun > 0 || this.loggedOutAt > Number.NEGATIVE_INFINITY
  }

  /** Aborts this tab's refresh in flight (its result would belong to a session that is over). */
  abortRefresh(): void {
    this.refreshAbort.abort(new SessionExpiredError('signed_out'))
    this.refreshAbort = new AbortController()
  }

  /** Clears memory and every session timer; the status says why. */
  end(status: 'signedOut' | 'expired'): void {
    this.deps.log('session.ended', { status })
    this.endReason = 'signed_out'
    this.epoch++
    this.abortRefresh()
    this.token = null
    this.refreshToken = null
    this.status = status
    this.deps.refreshTimer.disarm()
    this.deps.idle.end()
    this.deps.activity.detach()
    this.deps.cooldown.reset()
    this.store.commit()
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
    const jitter = this.deps.sync()?.peersSeen ? Math.random() * Math.min(2000, Math.max(0, due - this.tokenSince) / 10) : 0
    refreshTimer.arm(due - jitter)
    this.deps.log('timer.scheduled', { timer: 'refresh', at: Math.round(due - jitter) })
  }

  /** The token as other tabs may have it (never the refresh token); `null` without a valid one. */
  share(): SharedToken | null {
    if (!this.hasValidToken()) return null
    const { value, expiresAt, lifetime, receivedAt } = this.token!
    return { accessToken: value, expiresAt, lifetime, receivedAt, sessionStartedAt: this.deps.idle.sessionStartedAt ?? this.tokenSince }
  }
}

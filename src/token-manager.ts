import ky, { type KyInstance } from 'ky'
import { ActivityTracker, DEFAULT_ACTIVITY_EVENTS } from './activity'
import { systemClock, type Clock } from './clock'
import { resolveUrls } from './config'
import { browserEnvironment, type BrowserEnvironment, type WakeReason } from './environment'
import {
  DestroyedError,
  InvalidTokenError,
  isInvalidTokenError,
  LoginError,
  RefreshError,
  SessionExpiredError,
} from './errors'
import { EventHub } from './events'
import { refreshDueAt } from './expiry'
import { IdleMonitor } from './idle'
import type { LockManagerLike } from './lock'
import { consoleLogger, type LogEntry, type Logger } from './logger'
import { Cooldown, refreshWithRetry, SingleFlight, type RefreshOutcome } from './refresh'
import { createAuthorizedFetch } from './request'
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry'
import { Deadline } from './scheduler'
import { SessionsClient } from './sessions'
import { TabSync } from './sync'
import { defaultChannelFactory, type SharedToken, type TabMessage } from './tabs'
import { acceptToken, adoptSharedToken, sessionStartFrom, type AccessToken } from './token'
import { defaultParseTokenResponse, type TokenResponse } from './token-response'
import { AuthTransport } from './transport'
import type { EventSource, ExpiryReason, SessionDeadlines, SessionSnapshot, SessionStatus, TokenManagerEvents, TokenManagerOptions } from './types'

const JOIN_WINDOW = 150
/** After acquiring a contended lock, how long to wait for the holder's token message. */
const HANDOFF_GRACE = 100
const ACTIVITY_THROTTLE = 1000
const ACTIVITY_BROADCAST_THROTTLE = 2000

type PendingEvent = { [K in keyof TokenManagerEvents]: [K, TokenManagerEvents[K]] }[keyof TokenManagerEvents]

/**
 * Owns the access/refresh token lifecycle: composes the transport, the single-flight refresh,
 * the deadlines, activity tracking and tab sync, and exposes the session as a snapshot.
 *
 * Create one per app (per set of APIs), at module scope, and `destroy()` it only when the
 * app goes away. Constructing it opens the cross-tab channel; nothing else runs until
 * `start()`, `login()` or `setSession()`.
 *
 * @example
 * ```ts
 * const tm = new TokenManager({
 *   baseUrl: 'https://app.example.com',
 *   authorizedOrigins: ['https://api.example.com'],
 * })
 * await tm.start()
 * if (tm.getSnapshot().status !== 'active') await tm.login({ username, password })
 * const orders = await tm.http.get('https://api.example.com/orders').json()
 * ```
 */
export class TokenManager {
  /**
   * Drop-in `fetch` that authorizes allow-listed origins, waits for refresh and replays once on 401.
   * Rejects with `SessionExpiredError` when the session ends while a request waits, and with
   * `RefreshError` when a needed refresh failed transiently.
   * @example const me = await tm.fetch('https://api.example.com/me').then((r) => r.json())
   */
  readonly fetch: typeof fetch
  /**
   * A ky instance with the same behaviour as `fetch` (it is `ky.create({ fetch: tm.fetch })`);
   * `tm.http.extend(...)` keeps it.
   * @example const orders = await tm.http.get('https://api.example.com/orders').json<Order[]>()
   */
  readonly http: KyInstance
  /**
   * The device/session API: list sessions, revoke one, revoke all others. Throws `SessionsApiError`.
   * @example
   * ```ts
   * const sessions = await tm.sessions.list()
   * await tm.sessions.revoke(sessions.find((s) => !s.current)!.id)
   * ```
   */
  readonly sessions: SessionsClient

  private readonly clock: Clock
  private readonly environment: BrowserEnvironment
  private readonly cookieMode: boolean
  private readonly authorizedOrigins: ReadonlySet<string>
  private readonly transport: AuthTransport
  private readonly events = new EventHub()
  private readonly flight = new SingleFlight<string>()
  private readonly cooldown: Cooldown
  private readonly retryPolicy: RetryPolicy
  private readonly refreshTimer: Deadline
  private readonly idle: IdleMonitor
  private readonly activity: ActivityTracker
  private readonly listeners = new Set<() => void>()
  private readonly pending: PendingEvent[] = []
  private readonly logger: Logger | null

  private status: SessionStatus = 'unknown'
  private token: AccessToken | null = null
  private refreshToken: string | null = null
  /** When the current token was obtained; proactive refresh needs activity after it. */
  private tokenSince = 0
  private proactiveSkipped = false
  /** Bumped whenever a session ends or begins: late results of an older session are dropped. */
  private epoch = 0
  /** Counts sessions installed here (local or remote): a refresh begun in an older one is stale. */
  private sessionsBegun = 0
  /** When logout() was last called here: older sign-ins from other tabs are not adopted. */
  private loggedOutAt = -Infinity
  private snapshot: SessionSnapshot
  private sync: TabSync | null = null
  private startPromise: Promise<SessionSnapshot> | null = null
  private unsubscribeWake: (() => void) | null = null
  private refreshAbort = new AbortController()
  private destroyed = false

  constructor(private readonly options: TokenManagerOptions = {}) {
    const urls = resolveUrls(options)
    this.authorizedOrigins = urls.authorizedOrigins
    this.clock = options.clock ?? systemClock
    this.logger = options.logger ?? (options.debug ? consoleLogger : null)
    this.environment = options.environment ?? browserEnvironment
    this.cookieMode = (options.refreshTokenTransport ?? 'cookie') === 'cookie'
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, retries: Math.max(0, options.retry ?? DEFAULT_RETRY_POLICY.retries) }
    this.cooldown = new Cooldown(this.clock, options.refreshCooldown ?? 5000)
    const csrf = options.csrfHeader === undefined ? { name: 'X-TokenKeeper', value: '1' } : options.csrfHeader
    this.transport = new AuthTransport({
      endpoints: urls.endpoints,
      timeout: options.timeout ?? 10_000,
      cookieMode: this.cookieMode,
      csrfHeader: csrf ? [csrf.name, csrf.value] : null,
      getFetch: () => this.getFetch(),
      parseTokenResponse: options.parseTokenResponse ?? defaultParseTokenResponse,
      clock: this.clock,
    })
    this.refreshTimer = new Deadline(this.clock, () => this.onRefreshDue())
    this.idle = new IdleMonitor(
      this.clock,
      {
        idleTimeout: options.idleTimeout ?? 0,
        idleWarningTime: options.idleWarningTime ?? 60_000,
        maxSessionAge: options.maxSessionAge ?? 0,
      },
      {
        onWarning: (deadline) => {
          this.log('idle.warning', { deadline })
          this.queue('idleWarning', { expiresAt: deadline, remainingMs: Math.max(0, deadline - this.clock.now()) })
          this.flush()
        },
        onIdle: () => this.expireByDeadline('idle'),
        onMaxAge: () => this.expireByDeadline('max_age'),
      },
    )
    this.activity = new ActivityTracker({
      clock: this.clock,
      environment: this.environment,
      events: options.activityEvents ?? DEFAULT_ACTIVITY_EVENTS,
      throttle: ACTIVITY_THROTTLE,
      onActivity: (at) => this.recordActivity(at, 'local'),
    })
    this.snapshot = this.buildSnapshot()
    // Bound so they can be passed around as is: useSyncExternalStore(tm.subscribe, tm.getSnapshot).
    this.subscribe = this.subscribe.bind(this)
    this.getSnapshot = this.getSnapshot.bind(this)
    this.getAccessToken = this.getAccessToken.bind(this)
    this.fetch = createAuthorizedFetch({
      isAuthorized: (url) => this.authorizedOrigins.has(url.origin),
      getToken: () => this.getAccessToken(),
      recover: (sent) => this.recoverFrom401(sent),
      getFetch: () => {
        this.assertAlive()
        return this.getFetch()
      },
    })
    this.http = ky.create({ fetch: (input, init) => this.fetch(input, init) })
    // Tabs must hear each other from the start (a login elsewhere signs this tab in).
    this.openChannel()
    this.sessions = new SessionsClient(urls.endpoints.sessions, this.fetch, csrf ? [csrf.name, csrf.value] : null)
  }

  // ---------------------------------------------------------------- public API

  /**
   * Attaches listeners and the tab channel, then resumes an existing session: asks the other
   * tabs for their token (about 150 ms), otherwise makes one refresh call with the refresh
   * cookie. No session is not an error: the status becomes `signedOut`. Idempotent: later
   * calls return the same promise.
   * @returns the snapshot once the status is known.
   * @example
   * ```ts
   * const { status } = await tm.start()
   * if (status !== 'active') showLoginForm()
   * ```
   */
  start(): Promise<SessionSnapshot> {
    if (this.destroyed) return Promise.reject(new DestroyedError())
    this.startPromise ??= this.resume()
    return this.startPromise
  }

  /**
   * POSTs `credentials` as JSON to the login endpoint and starts the session (in every tab).
   * @param credentials whatever your login endpoint expects, sent as is.
   * @returns the snapshot of the new session.
   * @throws `LoginError` with `status` 401 (wrong credentials), 429 (rate limited, with
   * `retryAfter` in seconds), another status, or `undefined` for a network error or timeout.
   * @throws `InvalidTokenError` when the reply is not a usable token.
   * @throws `DestroyedError` after `destroy()`.
   * @example
   * ```ts
   * try {
   *   await tm.login({ username: 'alice', password: 'wonderland' })
   * } catch (error) {
   *   if (isLoginError(error) && error.status === 401) showWrongPassword()
   *   else throw error
   * }
   * ```
   */
  async login(credentials: Record<string, unknown>): Promise<SessionSnapshot> {
    this.assertAlive()
    this.openChannel()
    const epoch = ++this.epoch
    // Under the Web Lock: another tab's refresh reply must not land after ours and put the old
    // session's refresh cookie back (the tabs would end up on the previous account).
    const request = () => this.transport.login(credentials)
    const outcome = await (this.sync && !this.sync.usesLeaderElection ? this.sync.lock.run(request) : request()).catch((cause: unknown) => {
      throw new LoginError('Login request failed', { cause })
    })
    this.sync?.releaseLingering()
    this.assertAlive()
    switch (outcome.kind) {
      case 'ok': {
        if (epoch !== this.epoch) throw new LoginError('Login superseded by a sign-out')
        this.installToken(acceptToken(outcome.tokens, outcome.receivedAt), outcome.tokens, 'local', { newSession: true })
        this.flush()
        return this.snapshot
      }
      case 'invalid':
        throw outcome.error
      case 'transient':
        throw new LoginError(outcome.status === undefined ? 'Login failed: network error or timeout' : `Login failed (${outcome.status})`, {
          ...(outcome.status !== undefined && { status: outcome.status }),
          ...(outcome.retryAfter !== undefined && { retryAfter: Math.ceil(outcome.retryAfter / 1000) }),
          cause: outcome.cause,
        })
      default:
        throw new LoginError(`Login failed (${outcome.status})`, {
          status: outcome.status,
          ...('retryAfter' in outcome && outcome.retryAfter !== undefined && { retryAfter: Math.ceil(outcome.retryAfter / 1000) }),
        })
    }
  }

  /**
   * Adopts tokens obtained elsewhere (SSO callback, native shell) and shares them with the other tabs.
   * @throws `InvalidTokenError` for a malformed or already expired token; `DestroyedError` after `destroy()`.
   * @example tm.setSession({ accessToken: params.get('access_token')!, expiresIn: 900 })
   */
  setSession(tokens: TokenResponse): void {
    this.assertAlive()
    const token = acceptToken(tokens, this.clock.now())
    this.openChannel()
    this.installToken(token, tokens, 'local', { newSession: !this.hasSession() })
    this.flush()
  }

  /**
   * A token not known to be expired: waits for a refresh in flight, refreshes if needed; `null`
   * when signed out. For clients other than `tm.fetch`/`tm.http` (WebSocket auth, SDKs).
   * @throws `SessionExpiredError` if the needed refresh is rejected; `RefreshError` if it fails transiently.
   * @example
   * ```ts
   * const token = await tm.getAccessToken()
   * if (token) socket.send(JSON.stringify({ type: 'auth', token }))
   * ```
   */
  async getAccessToken(): Promise<string | null> {
    this.assertAlive()
    this.idle.check()
    if (this.flight.inFlight) {
      // A failed refresh while the token is still valid changes nothing for the caller.
      await this.flight.inFlight.catch((error: unknown) => {
        if (!this.hasValidToken()) throw error
      })
    } else if (this.startPromise && this.status === 'unknown') await this.startPromise
    if (this.token && this.clock.now() < this.token.expiresAt) return this.token.value
    if (this.token) return this.refreshFlight(this.token.value)
    return null
  }

  /**
   * Forces a refresh; concurrent calls (and other tabs) share one request.
   * @returns the new access token.
   * @throws `SessionExpiredError` (rejected: the session is over), `RefreshError` (transient,
   * after the retries; also during the cooldown), `InvalidTokenError`, `DestroyedError`.
   */
  refresh(): Promise<string> {
    if (this.destroyed) return Promise.reject(new DestroyedError())
    return this.refreshFlight(this.token?.value ?? null)
  }

  /**
   * Clears the session in memory at once, in every tab, then makes one server call. Never
   * rejects because the server failed.
   * @param options.everywhere also revoke every other session of the user (default `false`).
   * @example await tm.logout({ everywhere: true })
   */
  async logout(options: { everywhere?: boolean } = {}): Promise<void> {
    this.assertAlive()
    const everywhere = options.everywhere ?? false
    const captured = { accessToken: this.hasValidToken() ? this.token!.value : null, refreshToken: this.refreshToken }
    this.loggedOutAt = this.clock.now()
    if (this.hasSession() || this.status === 'unknown') {
      this.endSession('signedOut')
      this.queue('signedOut', { source: 'local', everywhere })
    }
    // Always: the server call ends the session other tabs may hold even if this tab has not heard of it yet.
    void this.sync?.post({ type: 'signedOut', everywhere })
    this.flush()
    await this.transport.logout({ everywhere, ...captured })
  }

  /** Records user activity by hand ("Stay signed in", a native shell reporting activity). */
  touch(): void {
    this.assertAlive()
    this.activity.record(true)
  }

  /**
   * Listens to one event; the payload type follows the name (see {@link TokenManagerEvents}).
   * @returns the unsubscribe function.
   * @example
   * ```ts
   * const off = tm.on('sessionExpired', ({ reason }) => showLoginModal(reason))
   * // later
   * off()
   * ```
   */
  on<K extends keyof TokenManagerEvents>(type: K, handler: (payload: TokenManagerEvents[K]) => void): () => void {
    return this.events.on(type, handler)
  }

  /**
   * `useSyncExternalStore` contract: the listener is called after every snapshot change.
   * @returns the unsubscribe function.
   * @example const off = tm.subscribe(() => render(tm.getSnapshot()))
   */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * The current session snapshot: the same object until one of its fields changes.
   * @example const { status, expiresAt } = tm.getSnapshot()
   */
  getSnapshot(): SessionSnapshot {
    return this.snapshot
  }

  /**
   * The upcoming deadlines (next proactive refresh, idle warning, idle end, max age), for
   * dashboards and debugging. Not part of the snapshot: they move without anything a typical
   * UI shows changing.
   * @example const { refreshAt } = tm.getDeadlines()
   */
  getDeadlines(): SessionDeadlines {
    return {
      refreshAt: this.token ? this.refreshTimer.dueAt : null,
      idleWarningAt: this.idle.warningAt,
      idleDeadline: this.idle.deadline,
      sessionDeadline: this.idle.maxAgeDeadline,
    }
  }

  /**
   * Removes every timer, listener and channel, and drops the tokens from memory (no server
   * call: the session stays valid for the other tabs). Later calls throw or reject with
   * `DestroyedError`. Idempotent.
   */
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.refreshAbort.abort(new DestroyedError())
    this.refreshTimer.disarm()
    this.idle.end()
    this.activity.detach()
    this.unsubscribeWake?.()
    this.unsubscribeWake = null
    this.sync?.close()
    this.sync = null
    this.token = null
    this.refreshToken = null
    this.pending.length = 0
    this.events.clear()
    this.listeners.clear()
  }

  // ---------------------------------------------------------------- refresh

  private refreshFlight(stale: string | null): Promise<string> {
    if (this.destroyed) return Promise.reject(new DestroyedError())
    return this.flight.run(
      () => this.performRefresh(stale),
      () => this.flush(),
    )
  }

  private async performRefresh(stale: string | null): Promise<string> {
    const cooling = this.cooldown.active()
    if (cooling) throw cooling
    const epoch = this.epoch
    const hadSession = this.hasSession()
    if (this.status === 'active') {
      this.status = 'refreshing'
      this.commit()
      // Deferred: `flight` is set only once this function has returned its promise.
      queueMicrotask(() => this.flush())
    }
    let outcome: RefreshOutcome | 'adopted'
    try {
      const run = (contended: boolean) => this.refreshUnderLock(stale, contended, epoch)
      // Body mode needs no cross-tab lock: only the tab holding the refresh token can rotate it, and
      // a tab asking that holder must not sit on the lock the holder needs (a deadlock until the timeout).
      outcome = this.sync && this.cookieMode ? await this.sync.lock.run(run) : await run(false)
    } catch (error) {
      if (this.destroyed) throw new DestroyedError()
      if (epoch !== this.epoch) throw new SessionExpiredError('signed_out')
      outcome = { kind: 'error', error: new RefreshError('Refresh failed unexpectedly', { cause: error }) }
    }
    if (this.destroyed) throw new DestroyedError()
    if (outcome === 'adopted' || (epoch !== this.epoch && outcome.kind === 'ok')) {
      if (this.status === 'refreshing') {
        this.status = 'active'
        this.commit()
      }
      // A sign-out while we waited leaves no token, and a sign-in begun meanwhile drops this result and
      // may leave only the expired one: either way the session this caller waited on is over.
      if (this.hasValidToken()) return this.token!.value
      throw new SessionExpiredError('signed_out')
    }
    if (epoch !== this.epoch) throw new SessionExpiredError('signed_out')
    switch (outcome.kind) {
      case 'ok':
        return this.token!.value
      case 'rejected':
        if (hadSession) {
          this.expireSession('refresh_rejected', 'local')
        } else if (this.status !== 'expired') {
          // No session to lose (start(), or a 401 before sign-in): quietly signed out.
          this.endSession('signedOut')
        }
        throw new SessionExpiredError('refresh_rejected')
      case 'error':
        this.failRefresh(outcome.error)
        throw outcome.error
    }
  }

  /** Runs with the cross-tab lock held: re-check, then at most one bounded request. */
  private async refreshUnderLock(stale: string | null, contended: boolean, epoch: number): Promise<RefreshOutcome | 'adopted'> {
    if (contended && this.sync && !this.hasNewerToken(stale)) {
      // The holder posted its token before releasing; the message may still be on its way.
      await this.sync.waitFor((m) => m.type === 'token' || m.type === 'signedIn' || m.type === 'expired' || m.type === 'signedOut', HANDOFF_GRACE)
    }
    this.log('lock.acquired', { contended })
    if (epoch !== this.epoch || this.destroyed) return 'adopted'
    if (this.hasNewerToken(stale)) {
      this.log('refresh.adopted')
      return 'adopted'
    }
    if (!this.cookieMode && !this.refreshToken) {
      // Body mode: only the tab that holds the (rotated) refresh token can refresh.
      if (this.sync && this.hasSession()) {
        void this.sync.post({ type: 'refreshRequest' })
        await this.sync.waitFor((m) => m.type === 'token' || m.type === 'signedIn' || m.type === 'expired' || m.type === 'refreshFailed', this.lockTimeout())
        if (this.hasNewerToken(stale)) return 'adopted'
        return { kind: 'error', error: new RefreshError('No tab holding the refresh token answered') }
      }
      return { kind: 'rejected', status: 401 }
    }
    this.log('refresh.started', { contended })
    // Retries present the token this refresh started with: a sign-in meanwhile brings a new one this run must not spend.
    const refreshToken = this.refreshToken
    const sessions = this.sessionsBegun
    const outcome = await refreshWithRetry((signal) => this.transport.refresh(refreshToken, signal), {
      clock: this.clock,
      policy: this.retryPolicy,
      signal: this.refreshAbort.signal,
      onRetry: (attempt, delay, failed) =>
        this.log('refresh.retrying', { attempt, delay: Math.round(delay), status: 'status' in failed ? (failed.status ?? null) : null }),
    })
    this.log(
      outcome.kind === 'ok' ? 'refresh.succeeded' : outcome.kind === 'rejected' ? 'refresh.rejected' : 'refresh.failed',
      outcome.kind === 'ok' ? {} : outcome.kind === 'rejected' ? { status: outcome.status } : { code: outcome.error.code, status: 'status' in outcome.error ? (outcome.error.status ?? null) : null },
    )
    if (epoch !== this.epoch || this.destroyed) return outcome
    // Another tab signed in (a new session) while this refreshed the old one: its result is stale.
    if (this.sessionsBegun !== sessions) return 'adopted'
    if (outcome.kind !== 'ok') {
      if (outcome.kind === 'error' && this.sync) await this.sync.post({ type: 'refreshFailed' })
      return outcome
    }
    try {
      const token = acceptToken(outcome.tokens, outcome.receivedAt)
      this.installToken(token, outcome.tokens, 'local', { newSession: !this.hasSession() })
      // Post before the lock is released so waiting tabs can adopt instead of refreshing.
      return outcome
    } catch (error) {
      return { kind: 'error', error: isInvalidTokenError(error) ? error : new InvalidTokenError('Unusable token', { cause: error }) }
    }
  }

  private failRefresh(error: RefreshError | InvalidTokenError): void {
    this.cooldown.start(error)
    if (this.status === 'refreshing') this.status = this.token ? 'active' : 'unknown'
    this.queue('error', { error })
    // Try again once the cooldown ends if the token is still good until then; else on demand.
    if (this.token && this.cooldown.endsAt < this.token.expiresAt) this.refreshTimer.arm(this.cooldown.endsAt)
    this.commit()
  }

  private async recoverFrom401(sent: string | null): Promise<string | null> {
    if (this.token && this.token.value !== sent && this.clock.now() < this.token.expiresAt) return this.token.value
    // Signed out or expired by choice: a 401 is the answer, not a reason to refresh.
    if (this.status === 'signedOut' || this.status === 'expired') return null
    if (!this.hasSession() && !this.cookieMode) return null
    const hadSession = this.hasSession()
    try {
      return await this.refreshFlight(sent)
    } catch (error) {
      if (!hadSession && error instanceof SessionExpiredError) return null
      throw error
    }
  }

  private onRefreshDue(): void {
    if (!this.token || this.destroyed) return
    const idleTracking = this.idle.enabled
    const lastActivity = this.idle.lastActivityAt ?? 0
    if (idleTracking && lastActivity <= this.tokenSince) {
      // Sliding sessions: an idle user's token is allowed to lapse.
      this.proactiveSkipped = true
      this.log('refresh.skipped', { reason: 'idle' })
      return
    }
    this.refreshFlight(this.token.value).catch(() => undefined)
  }

  // ---------------------------------------------------------------- session state

  private async resume(): Promise<SessionSnapshot> {
    this.openChannel()
    this.attachWake()
    if (this.sync && !this.hasValidToken() && (await this.sync.mayHavePeers())) {
      void this.sync.post({ type: 'hello' })
      await this.sync.waitFor((m) => m.type === 'welcome' && m.token !== null, JOIN_WINDOW)
    }
    this.assertAlive()
    if (this.hasValidToken() || this.status !== 'unknown') return this.snapshot
    if (!this.cookieMode && !this.refreshToken) {
      this.endSession('signedOut')
      this.flush()
      return this.snapshot
    }
    await this.refreshFlight(null).catch(() => undefined)
    return this.snapshot
  }

  private installToken(token: AccessToken, reply: Pick<TokenResponse, 'refreshToken'> | null, source: EventSource, opts: { newSession: boolean; sessionStartedAt?: number; lastActivityAt?: number | null }): void {
    const now = this.clock.now()
    this.token = token
    this.tokenSince = now
    this.proactiveSkipped = false
    // A token shared by another tab means our body-mode refresh token was rotated away.
    if (!this.cookieMode) this.refreshToken = source === 'local' ? (reply?.refreshToken ?? this.refreshToken) : null
    this.status = 'active'
    this.cooldown.reset()
    if (opts.newSession) {
      this.sessionsBegun++
      this.log('session.started', { source })
      if (source === 'local') this.epoch++
      const startedAt = opts.sessionStartedAt ?? sessionStartFrom(token, now)
      this.idle.begin(startedAt, opts.lastActivityAt ?? now)
      if (this.idle.enabled) this.activity.attach()
      this.attachWake()
      this.queue('signedIn', { claims: token.claims })
    } else {
      this.queue('tokenRefreshed', { expiresAt: token.expiresAt, source })
    }
    this.scheduleRefresh()
    this.commit()
    if (source === 'local' && this.sync) {
      const shared = this.shareToken()
      if (shared) void this.sync.post({ type: opts.newSession ? 'signedIn' : 'token', ...shared })
    }
  }

  private scheduleRefresh(): void {
    if (!this.token) return this.refreshTimer.disarm()
    const lead = this.options.refreshLeadTime ?? 60_000
    const due = refreshDueAt(this.token, lead)
    // Stagger tabs so they do not all contend for the lock at the same instant; a tab that
    // has never heard another keeps the exact lead time.
    const jitter = this.sync?.peersSeen ? Math.random() * Math.min(2000, Math.max(0, due - this.tokenSince) / 10) : 0
    this.refreshTimer.arm(due - jitter)
    this.log('timer.scheduled', { timer: 'refresh', at: Math.round(due - jitter) })
  }

  private expireByDeadline(reason: 'idle' | 'max_age'): void {
    if (!this.hasSession()) return
    this.log('idle.expired', { reason })
    const captured = { accessToken: this.hasValidToken() ? this.token!.value : null, refreshToken: this.refreshToken }
    this.expireSession(reason, 'local')
    // Revoke server-side so the refresh cookie cannot revive the session.
    void this.transport.logout({ everywhere: false, ...captured })
    this.flush()
  }

  private expireSession(reason: ExpiryReason, source: EventSource): void {
    if (!this.hasSession()) return
    this.endSession('expired')
    this.queue('sessionExpired', { reason })
    if (source === 'local') void this.sync?.post({ type: 'expired', reason })
  }

  /** Clears memory and every session timer; the status says why. */
  private endSession(status: 'signedOut' | 'expired'): void {
    this.log('session.ended', { status })
    this.epoch++
    this.refreshAbort.abort(new SessionExpiredError('signed_out'))
    this.refreshAbort = new AbortController()
    this.token = null
    this.refreshToken = null
    this.status = status
    this.refreshTimer.disarm()
    this.idle.end()
    this.activity.detach()
    this.cooldown.reset()
    this.commit()
  }

  private recordActivity(at: number, source: EventSource): void {
    // Deadlines first: activity on waking from sleep must not revive a session that idled out.
    this.idle.check()
    if (!this.hasSession() || !this.idle.activity(at)) return
    if (source === 'local') this.sync?.shareActivity(at)
    if (this.proactiveSkipped && this.token) {
      this.proactiveSkipped = false
      this.refreshFlight(this.token.value).catch(() => undefined)
    }
    this.commit()
    this.flush()
  }

  private onWake(reason: WakeReason): void {
    if (this.destroyed) return
    this.log('wake', { reason })
    if (reason === 'online') this.cooldown.reset()
    this.idle.check()
    if (this.hasSession()) this.refreshTimer.check()
    this.flush()
  }

  private onTabMessage(message: TabMessage): void {
    if (this.destroyed) return
    switch (message.type) {
      case 'hello':
        void this.sync?.post({ type: 'welcome', token: this.shareToken(), lastActivityAt: this.idle.lastActivityAt })
        break
      case 'welcome':
        if (message.token) this.adoptRemote(message.token, 'token', message.lastActivityAt)
        break
      case 'token':
      case 'signedIn':
        this.adoptRemote(message, message.type, null)
        break
      case 'signedOut':
        if (this.hasSession() || this.status === 'unknown') {
          this.endSession('signedOut')
          this.queue('signedOut', { source: 'remote', everywhere: message.everywhere })
        }
        break
      case 'expired':
        this.expireSession(message.reason, 'remote')
        break
      case 'activity':
        this.recordActivity(message.at, 'remote')
        break
      case 'refreshRequest':
        if (this.token && (this.sync?.isLeader || (!this.cookieMode && this.refreshToken))) {
          // A request that raced our last refresh gets that token instead of a new rotation.
          const recent = this.clock.now() - this.tokenSince < 1000 && this.hasValidToken()
          if (recent) void this.sync?.post({ type: 'token', ...this.shareToken()! })
          else this.refreshFlight(this.token.value).catch(() => undefined)
        }
        break
      case 'refreshFailed':
        break
    }
    this.flush()
  }

  private adoptRemote(shared: SharedToken, kind: 'token' | 'signedIn', lastActivityAt: number | null): void {
    // Newer means issued later, not expiring later: a server may shorten lifetimes.
    if (this.token && (shared.receivedAt <= this.token.receivedAt || shared.accessToken === this.token.value)) return
    // A sign-in older than a logout here is one that logout's server call has ended.
    if (shared.receivedAt <= this.loggedOutAt) return
    if (shared.expiresAt <= this.clock.now()) return
    // A plain token update never revives a session that ended here; a sign-in does.
    if (kind === 'token' && (this.status === 'signedOut' || this.status === 'expired')) return
    let token: AccessToken
    try {
      token = adoptSharedToken(shared)
    } catch {
      return
    }
    // Nor does a token of an older session, or of another account, replace the session signed in since.
    if (kind === 'token' && this.hasSession() && (shared.sessionStartedAt < (this.idle.sessionStartedAt ?? -Infinity) || token.claims?.sub !== this.token?.claims?.sub)) return
    // A sign-in elsewhere while we hold a session (another account, or signing in again) is a new
    // session here too: its own claims, idle and max-age clocks, and a signedIn event.
    const newSignIn =
      kind === 'signedIn' &&
      this.hasSession() &&
      (shared.sessionStartedAt > (this.idle.sessionStartedAt ?? -Infinity) || token.claims?.sub !== this.token?.claims?.sub)
    this.installToken(token, null, 'remote', {
      newSession: !this.hasSession() || newSignIn,
      sessionStartedAt: shared.sessionStartedAt,
      lastActivityAt,
    })
  }

  // ---------------------------------------------------------------- helpers

  private openChannel(): void {
    if (this.sync || this.destroyed) return
    const crossTab = this.options.crossTab ?? true
    if (crossTab === false) return
    const factory = this.options.channelFactory ?? defaultChannelFactory()
    if (!factory) return
    const name = (typeof crossTab === 'object' && crossTab.channel) || 'tokenkeeper'
    const locks = this.options.locks !== undefined ? this.options.locks : defaultLocks()
    try {
      this.sync = new TabSync({
        channel: factory(name),
        clock: this.clock,
        locks,
        lockName: name,
        lockTimeout: this.lockTimeout(),
        lockLinger: HANDOFF_GRACE,
        activityThrottle: ACTIVITY_BROADCAST_THROTTLE,
        onMessage: (message) => this.onTabMessage(message),
        log: (event, detail) => this.log(event, detail),
      })
      // Announce ourselves: open tabs answer with their token, and know a peer exists.
      void this.sync.post({ type: 'hello' })
    } catch {
      // No usable channel: this tab works alone.
      this.sync = null
    }
  }

  private attachWake(): void {
    if (this.unsubscribeWake || this.destroyed) return
    this.unsubscribeWake = this.environment.onWake((reason) => this.onWake(reason))
  }

  /** Longest one refresh can hold the lock: every attempt timing out plus the backoff between. */
  private lockTimeout(): number {
    const { retries, maxDelay } = this.retryPolicy
    return (retries + 1) * (this.options.timeout ?? 10_000) + retries * maxDelay + 5000
  }

  private shareToken(): SharedToken | null {
    if (!this.hasValidToken()) return null
    const { value, expiresAt, lifetime, receivedAt } = this.token!
    return { accessToken: value, expiresAt, lifetime, receivedAt, sessionStartedAt: this.idle.sessionStartedAt ?? this.tokenSince }
  }

  private hasSession(): boolean {
    return this.status === 'active' || this.status === 'refreshing'
  }

  private hasValidToken(): boolean {
    return this.token !== null && this.clock.now() < this.token.expiresAt
  }

  private hasNewerToken(stale: string | null): boolean {
    return this.hasValidToken() && this.token!.value !== stale
  }

  private log(event: LogEntry['event'], detail?: LogEntry['detail']): void {
    if (!this.logger) return
    try {
      this.logger({ at: this.clock.now(), event, ...(detail && { detail }) })
    } catch {
      // A broken logger must not break the manager.
    }
  }

  private getFetch(): typeof fetch {
    return this.options.fetch ?? globalThis.fetch
  }

  private assertAlive(): void {
    if (this.destroyed) throw new DestroyedError()
  }

  private buildSnapshot(): SessionSnapshot {
    return {
      status: this.status,
      expiresAt: this.token?.expiresAt ?? null,
      claims: this.token?.claims ?? null,
      lastActivityAt: this.idle.lastActivityAt,
      idleDeadline: this.idle.deadline,
    }
  }

  /** Replaces the snapshot only if a field changed, and queues `change`. */
  private commit(): void {
    const next = this.buildSnapshot()
    const prev = this.snapshot
    const same = (Object.keys(next) as (keyof SessionSnapshot)[]).every((key) => Object.is(next[key], prev[key]))
    if (same) return
    this.snapshot = next
    this.queue('change', { snapshot: next })
  }

  private queue(...event: PendingEvent): void {
    if (!this.destroyed) this.pending.push(event)
  }

  /** Emits queued events after state is committed, outside any lock or refresh in flight. */
  private flush(): void {
    while (this.pending.length > 0) {
      const [type, payload] = this.pending.shift()!
      if (type === 'change') for (const listener of [...this.listeners]) safeCall(listener)
      this.events.emit(type, payload as never)
    }
  }
}

function safeCall(listener: () => void): void {
  try {
    listener()
  } catch (error) {
    console.error('[tokenkeeper] a subscribe listener threw', error)
  }
}

function defaultLocks(): LockManagerLike | null {
  const locks = typeof navigator !== 'undefined' ? (navigator as { locks?: LockManagerLike | null }).locks : undefined
  return locks ?? null
}

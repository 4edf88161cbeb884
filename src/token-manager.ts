import ky, { type KyInstance } from 'ky'
import { ActivityTracker } from './session/activity'
import { resolveOptions } from './options'
import { DestroyedError } from './errors'
import { SessionTimeouts } from './session/session-timeouts'
import { createLog } from './util/logger'
import { Cooldown } from './refresh/refresh-with-retry'
import { HANDOFF_GRACE, RefreshCoordinator } from './refresh/coordinator'
import { createAuthorizedFetch, createRequestFlow } from './http/authorized-fetch'
import { originKey } from './http/urls'
import { Deadline } from './util/deadline'
import { Session } from './session/session'
import { SessionsClient } from './http/sessions-client'
import { openTabSync, type Tabs } from './tabs/tab-sync'
import { TabBridge } from './tabs/bridge'
import type { TokenResponse } from './token/token-response'
import { AuthTransport } from './http/transport'
import { SignIn } from './session/sign-in'
import { createWakeWatch } from './session/wake'
import { Revocation } from './tabs/revocation'
import { Logout } from './tabs/logout'
import { DeadlineExpiry } from './tabs/deadline-expiry'
import { ActivityRecorder } from './session/activity-recorder'
import { TokenSource } from './session/token-source'
import { Resume, settleSignedOut } from './tabs/resume'
import { createRejoin } from './tabs/rejoin'
import type { SessionDeadlines, SessionSnapshot, TokenManagerEvents, TokenManagerOptions } from './types'

const JOIN_WINDOW = 150
const ACTIVITY_THROTTLE = 1000
const ACTIVITY_BROADCAST_THROTTLE = 2000

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
 *
 * @typeParam Claims the shape of the access token's claims, as your server issues them
 * (decoded, never verified by the SDK): it types `getSnapshot().claims`, the `signedIn` and
 * `change` events and the framework hooks. Default `Record<string, unknown>`.
 * @example
 * ```ts
 * const tm = new TokenManager<{ sub: string; role: 'admin' | 'user' }>()
 * if (tm.getSnapshot().claims?.role === 'admin') showAdminLink()
 * ```
 */
export class TokenManager<Claims extends object = Record<string, unknown>> {
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

  private readonly refreshTimer: Deadline
  private readonly idle: SessionTimeouts
  private readonly activity: ActivityTracker
  private readonly session: Session
  private readonly refresher: RefreshCoordinator
  private readonly signIn: SignIn
  private readonly logoutFlow: Logout
  private readonly tokenSource: TokenSource
  private readonly resume: Resume
  private readonly wake: ReturnType<typeof createWakeWatch>
  private readonly tabs: Tabs
  private startPromise: Promise<SessionSnapshot<Claims>> | null = null

  constructor(options: TokenManagerOptions = {}) {
    const resolved = resolveOptions(options)
    const { clock, cookieMode, lockTimeout } = resolved
    const log = createLog(resolved.logger, clock)
    // Tabs must hear each other from the start (a login elsewhere signs this tab in); messages
    // arrive asynchronously, after this constructor has wired what handles them.
    const tabs = openTabSync(resolved.crossTab, {
      clock,
      lockTimeout,
      lockLinger: HANDOFF_GRACE,
      activityThrottle: ACTIVITY_BROADCAST_THROTTLE,
      onMessage: (message) => (message.type === 'revoked' ? revocation.heard() : bridge.onMessage(message)),
      log,
    })
    this.tabs = tabs
    const cooldown = new Cooldown(clock, resolved.refreshCooldown)
    const { backend, timeout, csrfHeaders, getFetch } = resolved
    const transport = new AuthTransport({ backend, timeout, csrfHeaders, getFetch, clock })
    const refreshTimer = new Deadline(clock, () => refresher.onDue())
    this.refreshTimer = refreshTimer
    const idle = new SessionTimeouts(clock, resolved.idle, {
      onWarning: (deadline) => {
        log('idle.warning', { deadline })
        session.store.queue('idleWarning', { expiresAt: deadline, remainingMs: Math.max(0, deadline - clock.now()) })
        session.store.flush()
      },
      onIdle: () => deadlineExpiry.expire('idle'),
      onMaxAge: () => deadlineExpiry.expire('max_age'),
    })
    this.idle = idle
    const activity = new ActivityTracker({
      clock,
      environment: resolved.environment,
      events: resolved.activityEvents,
      deliberateEvents: resolved.deliberateActivityEvents,
      // Once the idle warning is up, only a deliberate action answers it.
      isPrompting: () => idle.warningShown,
      throttle: ACTIVITY_THROTTLE,
      onActivity: (at) => activityRecorder.record(at, 'local'),
    })
    this.activity = activity
    const { refreshLeadTime, retryPolicy, reuseGrace } = resolved
    const session = new Session({ clock, cookieMode, idle, activity, refreshTimer, cooldown, refreshLeadTime, tabs, attachWake: () => this.wake.attach(), log })
    this.session = session
    const refresher = new RefreshCoordinator({ session, transport, clock, cooldown, retryPolicy, refreshTimer, lockTimeout, reuseGrace, tabs, log })
    this.refresher = refresher
    const activityRecorder = new ActivityRecorder({ session, idle, refreshTimer, refresh: refresher, shareActivity: (at) => tabs.shareActivity(at) })
    const bridge = new TabBridge({ session, refresh: refresher, clock, tabs, onRemoteActivity: (at) => activityRecorder.record(at, 'remote') })
    const revocation = new Revocation(clock)
    const deadlineExpiry = new DeadlineExpiry({ session, tabs, transport, revocation, log })
    this.logoutFlow = new Logout({ session, tabs, transport, log: resolved.logger && log })
    const rejoin = createRejoin({ session, bridge, refresh: refresher, tabs, window: JOIN_WINDOW, checkDeadlines: () => idle.check() })
    this.tokenSource = new TokenSource({
      session,
      refresh: refresher,
      checkDeadlines: () => idle.check(),
      rejoining: () => rejoin.pending,
      starting: () => this.startPromise,
    })
    const signIn = new SignIn({ session, clock, transport, exclusive: (call) => tabs.lock.run(call), log })
    this.signIn = signIn
    this.resume = new Resume({ session, tabs, transport, signIn, refresh: refresher, clock, window: JOIN_WINDOW, lockTimeout })
    this.wake = createWakeWatch({
      session,
      environment: resolved.environment,
      idle,
      refreshTimer,
      cooldown,
      onBack: () => this.resume.retry.wake(),
      rejoin: () => rejoin.run(),
      log,
    })
    // Bound so they can be passed around as is: useSyncExternalStore(tm.subscribe, tm.getSnapshot).
    this.subscribe = this.subscribe.bind(this)
    this.getSnapshot = this.getSnapshot.bind(this)
    this.getAccessToken = this.getAccessToken.bind(this)
    const flow = createRequestFlow({
      isAuthorized: (url) => resolved.authorizedOrigins.has(originKey(url) ?? ''),
      getToken: () => this.getAccessToken(),
      peekToken: () => this.tokenSource.peek(),
      recover: (sent) => this.refresher.recover(sent),
      getFetch: () => {
        this.assertAlive()
        return getFetch()
      },
    })
    this.fetch = createAuthorizedFetch(flow)
    // @internal: the same flow for tokenkeeper/axios and tokenkeeper/angular (src/http/request-flow.ts),
    // under a registered symbol (shared by every bundle of the package), not enumerable, not public.
    Object.defineProperty(this, Symbol.for('tokenkeeper.requestFlow'), { value: () => (this.assertAlive(), flow) })
    this.http = ky.create({ fetch: (input, init) => this.fetch(input, init) })
    this.sessions = new SessionsClient(resolved.endpoints.sessions, this.fetch, resolved.csrfHeaders)
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
  start(): Promise<SessionSnapshot<Claims>> {
    if (this.session.destroyed) return Promise.reject(new DestroyedError())
    if (!this.startPromise) {
      this.wake.attach()
      this.startPromise = this.resume.run().then(
        () => this.getSnapshot(),
        (error: unknown) => {
          // A failed discovery or callback: a later start() tries again (the callback is out of the address bar).
          this.startPromise = null
          settleSignedOut(this.session)
          throw error
        },
      )
    }
    return this.startPromise
  }

  /**
   * Signs in and starts the session (in every tab). With the default backend it POSTs
   * `credentials` as JSON to the login endpoint; with a redirect backend (`oauth2()`) it leaves
   * the page for the authorization server (`credentials` become extra authorization request
   * parameters, such as `{ prompt: 'login' }`) and the promise never settles: `start()` on the
   * redirect URI completes the sign-in. Overlapping calls in one tab settle on the last one (equal
   * credentials share one request); an earlier login the server accepted is logged out on the server.
   * @param credentials whatever your login endpoint expects, sent as is.
   * @returns the snapshot of the new session.
   * @throws `LoginError` with `status` 401 (wrong credentials), 429 (rate limited, with
   * `retryAfter` in seconds), another status, or `undefined` for a network error or timeout;
   * `error` carries the server's error code (OAuth `invalid_grant`...).
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
  async login(credentials: Record<string, unknown> = {}): Promise<SessionSnapshot<Claims>> {
    this.assertAlive()
    await this.signIn.login(credentials)
    return this.getSnapshot()
  }

  /**
   * Adopts tokens obtained elsewhere (SSO callback, native shell) and shares them with the other
   * tabs. Takes a `TokenResponse`, or any reply the backend reads (an OAuth `access_token` /
   * `expires_in` reply, a simplejwt `{ access, refresh }`...).
   * @throws `InvalidTokenError` for a malformed or already expired token; `DestroyedError` after `destroy()`.
   * @example tm.setSession(await tokenResponse.json())
   */
  setSession(tokens: TokenResponse | Record<string, unknown>): void {
    this.assertAlive()
    this.signIn.adopt(tokens)
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
  getAccessToken(): Promise<string | null> {
    return this.tokenSource.get()
  }

  /**
   * Forces a refresh of the current session; concurrent calls (and other tabs) share one request.
   * After a session ended in this tab (`logout()`, idle, max age, a rejected refresh) there is
   * nothing to refresh: only a sign-in starts another, so an idled-out session cannot come back
   * through a refresh cookie a slow or failed server logout left valid. A tab that never had a
   * session (`start()` found none) may call it to look for one.
   * @returns the new access token.
   * @throws `SessionExpiredError` (rejected, or no session: its `reason` says how it ended),
   * `RefreshError` (transient, after the retries; also during the cooldown), `InvalidTokenError`,
   * `DestroyedError`.
   */
  refresh(): Promise<string> {
    return this.refresher.force()
  }

  /**
   * Clears the session in memory at once, in every tab, then makes one server call. Never
   * rejects because the server failed.
   * @param options.everywhere also revoke every other session of the user (default `false`).
   * @example await tm.logout({ everywhere: true })
   */
  async logout(options: { everywhere?: boolean } = {}): Promise<void> {
    this.assertAlive()
    await this.logoutFlow.run(options.everywhere ?? false)
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
  on<K extends keyof TokenManagerEvents<Claims>>(type: K, handler: (payload: TokenManagerEvents<Claims>[K]) => void): () => void {
    // The claims type parameter is the app's declaration; at run time they are the decoded claims.
    return this.session.store.events.on(type, handler as (payload: TokenManagerEvents[K]) => void)
  }

  /**
   * `useSyncExternalStore` contract: the listener is called after every snapshot change.
   * @returns the unsubscribe function.
   * @example const off = tm.subscribe(() => render(tm.getSnapshot()))
   */
  subscribe(listener: () => void): () => void {
    return this.session.store.subscribe(listener)
  }

  /**
   * The current session snapshot: the same object until one of its fields changes.
   * @example const { status, expiresAt } = tm.getSnapshot()
   */
  getSnapshot(): SessionSnapshot<Claims> {
    return this.session.snapshot as SessionSnapshot<Claims>
  }

  /**
   * The upcoming deadlines (next proactive refresh, idle warning, idle end, max age), for
   * dashboards and debugging. Not part of the snapshot: they move without anything a typical
   * UI shows changing.
   * @example const { refreshAt } = tm.getDeadlines()
   */
  getDeadlines(): SessionDeadlines {
    return {
      refreshAt: this.session.token ? this.refreshTimer.dueAt : null,
      idleWarningAt: this.idle.warningAt,
      idleDeadline: this.idle.deadline,
      sessionDeadline: this.idle.maxAgeDeadline,
    }
  }

  /**
   * Removes every timer, listener and channel, leaves the cross-tab lock queue, and drops the
   * tokens from memory (no server call: the session stays valid for the other tabs). Pending
   * calls (a refresh, a login waiting for the lock) and later ones throw or reject with
   * `DestroyedError`. Idempotent.
   */
  destroy(): void {
    const { session } = this
    if (session.destroyed) return
    session.destroy()
    this.refreshTimer.disarm()
    this.resume.retry.stop()
    this.idle.end()
    this.activity.detach()
    this.wake.detach()
    this.tabs.close()
    session.wipe()
    session.store.close()
  }

  // ---------------------------------------------------------------- helpers

  private assertAlive(): void {
    if (this.session.destroyed) throw new DestroyedError()
  }
}

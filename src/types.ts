import type { Clock } from './util/clock'
import type { BrowserEnvironment } from './util/environment'
import type { TokenKeeperError } from './errors'
import type { LockManagerLike } from './tabs/lock'
import type { Logger } from './util/logger'
import type { ChannelFactory } from './tabs/protocol'
import type { TokenResponse } from './token/token-response'
import type { BackendOption } from './http/backend'

export type { TokenResponse }

/**
 * Paths of the auth endpoints, resolved against `baseUrl` (absolute URLs are allowed). See the
 * README's backend contract for what each one must answer.
 */
export interface Endpoints {
  /** @default '/auth/login' */
  login: string
  /** @default '/auth/refresh' */
  refresh: string
  /** @default '/auth/logout' */
  logout: string
  /** @default '/auth/sessions' */
  sessions: string
}

/**
 * Options of `new TokenManager(options)`. Every option is optional; times are milliseconds.
 *
 * @example
 * ```ts
 * const tm = new TokenManager({
 *   baseUrl: 'https://app.example.com',
 *   authorizedOrigins: ['https://api.example.com'],
 *   idleTimeout: 15 * 60_000,
 * })
 * ```
 */
export interface TokenManagerOptions {
  /**
   * Where the auth endpoints live.
   * @default `location.origin` in a browser; required elsewhere (the constructor throws a `TypeError` without it)
   */
  baseUrl?: string
  /**
   * Auth endpoint paths, resolved against `baseUrl`.
   * @default { login: '/auth/login', refresh: '/auth/refresh', logout: '/auth/logout', sessions: '/auth/sessions' }
   * @example { refresh: '/api/token/refresh' } // the others keep their defaults
   */
  endpoints?: Partial<Endpoints>
  /**
   * `'cookie'`: the refresh token is an HttpOnly cookie the SDK never sees; auth calls use
   * `credentials: 'include'`. `'body'`: the SDK keeps the refresh token in memory and sends
   * `{ refreshToken }` (native shells, cross-site APIs).
   * @default 'cookie'
   */
  refreshTokenTransport?: 'cookie' | 'body'
  /**
   * How the login, refresh and logout calls are made and read: a preset (`simplejwt()`,
   * `oauth2({ ... })`) or your own {@link Backend}. `endpoints` (login, refresh, logout),
   * `refreshTokenTransport` and `parseTokenResponse` are shorthands of the default backend and
   * cannot be combined with this option (a `TypeError` says so).
   * @default the SDK's own contract (see the README's "Backend contract"), built from `endpoints`, `refreshTokenTransport` and `parseTokenResponse`
   * @example
   * ```ts
   * import { TokenManager, simplejwt } from 'tokenkeeper'
   * const tm = new TokenManager({ baseUrl: 'https://api.example.com', backend: simplejwt() })
   * ```
   */
  backend?: BackendOption
  /**
   * Origins (`https://api.example.com`) that receive `Authorization: Bearer`. Every other
   * origin gets the request untouched. Exact origin match: no wildcards, no path.
   * @default `[new URL(baseUrl).origin]`
   * @example ['https://api.example.com', 'https://files.example.com']
   */
  authorizedOrigins?: string[]
  /**
   * ms before expiry to refresh proactively; never more than half the token's lifetime.
   * @default 60000
   */
  refreshLeadTime?: number
  /**
   * ms allowed for each auth request (login, refresh, logout).
   * @default 10000
   */
  timeout?: number
  /**
   * Retries for a transient refresh failure (408, 429, 5xx; a network error, timeout, 502 or
   * 504 only within `reuseGrace`), with exponential backoff, jitter and `Retry-After`.
   * @default 3
   */
  retry?: number
  /**
   * ms the backend keeps accepting a rotated refresh token (answering with the current tokens):
   * its reuse grace window, which makes a retry safe after a refresh whose reply was lost. A
   * refresh that may have reached the server without its reply coming back (network error,
   * timeout, 502/504; in body mode also a token reply cut off) is retried only within half of
   * this window; with 0 it is not retried, since presenting the spent token again would trip
   * reuse detection and end the session everywhere. It then fails with a transient
   * `RefreshError` and the session keeps its access token: the refresh token is presented again
   * only once that expires. Set it to the server's window, or less; the default is the window the
   * default backend contract asks for (README, "Backend contract"). A retry cannot outlast a
   * timeout: after a timed-out attempt (10 s by default) half of a 10 s window has passed.
   * @default 10000
   */
  reuseGrace?: number
  /**
   * ms during which, after a failed refresh, callers fail fast instead of calling the
   * endpoint again; each further failure in a row doubles it, up to a minute (a longer
   * `Retry-After` extends it; a success or going `online` starts over).
   * @default 5000
   */
  refreshCooldown?: number
  /**
   * The fetch used for every call; looked up at call time.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch
  /**
   * Adapter from a login/refresh reply body to `TokenResponse`; throw to reject it.
   * @default accepts camelCase (`accessToken`, `expiresIn`, `refreshToken`) and OAuth 2 snake_case (`access_token`, `expires_in`, `refresh_token`)
   * @example
   * ```ts
   * // A backend that wraps the token: { data: { jwt, ttl } }
   * parseTokenResponse: (body) => {
   *   const { jwt, ttl } = (body as { data: { jwt: string; ttl: number } }).data
   *   return { accessToken: jwt, expiresIn: ttl }
   * }
   * ```
   */
  parseTokenResponse?: (body: unknown) => TokenResponse
  /**
   * Header sent on every auth call (refresh, logout, login, sessions): a cross-site form
   * cannot send it and scripts must pass a CORS preflight, so the server can refuse CSRF.
   * `false` sends none.
   * @default { name: 'X-TokenKeeper', value: '1' }
   */
  csrfHeader?:
    | {
        /** Header name. */
        name: string
        /** Header value. */
        value: string
      }
    | false
  /**
   * ms without user activity (in any tab) after which the session ends. `0` turns it off.
   * @default 0
   */
  idleTimeout?: number
  /**
   * ms before the idle deadline at which `idleWarning` fires; at or above `idleTimeout` it is
   * clamped to half of it.
   * @default 60000
   */
  idleWarningTime?: number
  /**
   * ms after sign-in after which the session ends whatever the activity. `0` turns it off.
   * @default 0
   */
  maxSessionAge?: number
  /**
   * DOM events that count as activity (plus the page becoming visible).
   * @default ['pointerdown', 'pointermove', 'keydown', 'wheel', 'scroll', 'touchstart']
   */
  activityEvents?: string[]
  /**
   * DOM events that count as a deliberate action. Once `idleWarning` has fired, only these (or
   * `touch()`) extend the session: passive activity (pointer moves, scrolls, wheel, the page
   * becoming visible) no longer does, so a "Stay signed in" prompt stays up until the user
   * answers it or the session idles out. They also count as activity at any other time.
   * @default ['pointerdown', 'keydown']
   * @example ['pointerdown', 'keydown', 'touchstart']
   */
  deliberateActivityEvents?: string[]
  /**
   * Cross-tab sync over BroadcastChannel: one refresh per rotation, shared tokens, logout,
   * expiry and activity. An object sets the channel name (apps with several APIs on one origin).
   * @default `true` where `BroadcastChannel` exists, channel `'tokenkeeper'`
   * @example { channel: 'billing-api' } // a second manager on the same origin, kept apart
   */
  crossTab?:
    | boolean
    | {
        /** BroadcastChannel and Web Lock name shared by the tabs that cooperate. @default 'tokenkeeper' */
        channel?: string
      }
  /**
   * Clock and timers. For tests and special hosts. `monotonic` (optional) measures cooldowns,
   * backoff and throttles; a clock without it measures them on `now`.
   * @default `Date.now`, `performance.now` and the global `setTimeout`/`clearTimeout`, looked up at call time
   */
  clock?: Clock
  /**
   * Browser signals (wake-ups, activity). For tests, SSR and native shells.
   * @default `window`/`document` listeners; no-ops without a DOM
   */
  environment?: BrowserEnvironment
  /**
   * Web Locks implementation for the cross-tab refresh mutex; `null` forces the channel
   * mutex (what insecure contexts, such as plain-`http:` sites, get anyway).
   * @default `navigator.locks` when present
   */
  locks?: LockManagerLike | null
  /**
   * Receives structured debug entries (`{ at, event, detail }`): refreshes, retries, lock
   * waits, tab messages (type only), timers and idle transitions. Never token text.
   * @default none
   * @example new TokenManager({ logger: (entry) => myLog.debug(entry.event, entry.detail) })
   */
  logger?: Logger
  /**
   * Shortcut for a `console.debug` logger (ignored when `logger` is set).
   * @default false
   */
  debug?: boolean
  /**
   * Creates the cross-tab channel. For tests (e.g. broadcast-channel's `simulate` type).
   * @default the native BroadcastChannel (`null` where there is none)
   */
  channelFactory?: ChannelFactory
}

/**
 * - `unknown`: not known yet (before `start()` settles; always on the server).
 * - `signedOut`: no session (never signed in, `logout()`, or `start()` found none).
 * - `active`: signed in with a usable access token.
 * - `refreshing`: signed in, a refresh is in flight (requests wait for it).
 * - `expired`: the session ended without a logout (see {@link ExpiryReason}); sign in again.
 */
export type SessionStatus = 'unknown' | 'signedOut' | 'active' | 'refreshing' | 'expired'

/**
 * What a UI shows about the session, from `tm.getSnapshot()`. The object is immutable and keeps
 * its identity until one of its fields changes, as `useSyncExternalStore` requires. Times are
 * local epoch ms.
 */
export interface SessionSnapshot<Claims extends object = Record<string, unknown>> {
  /** Where the session is; see {@link SessionStatus}. */
  status: SessionStatus
  /** Local epoch ms at which the access token expires. */
  expiresAt: number | null
  /**
   * Decoded (unverified) JWT claims of the access token; `null` for opaque tokens. Typed by
   * the manager's type parameter (`new TokenManager<MyClaims>()`); the SDK does not check
   * them against it, so declare only what your server always puts in its tokens.
   */
  claims: Claims | null
  /** Local epoch ms of the last user activity seen in any tab (throttled to 1/s). */
  lastActivityAt: number | null
  /** Local epoch ms at which an idle session ends; `null` when `idleTimeout` is 0. */
  idleDeadline: number | null
}

/**
 * The manager's upcoming deadlines, from `tm.getDeadlines()`, for dashboards and debugging.
 * Local epoch ms, `null` when not scheduled. Read it when the snapshot changes or on a UI tick.
 */
export interface SessionDeadlines {
  /** Next proactive refresh. */
  refreshAt: number | null
  /** When `idleWarning` fires, if idle tracking is on. */
  idleWarningAt: number | null
  /** When an idle session ends (same as the snapshot's `idleDeadline`). */
  idleDeadline: number | null
  /** When `maxSessionAge` ends the session, if set. */
  sessionDeadline: number | null
}

/**
 * Why a session ended without a logout:
 * - `refresh_rejected`: the server refused the refresh (400/401/403: revoked, expired, reused).
 * - `idle`: no activity in any tab for `idleTimeout`.
 * - `max_age`: `maxSessionAge` elapsed since sign-in.
 */
export type ExpiryReason = 'refresh_rejected' | 'idle' | 'max_age'

/**
 * Every reason a session can end that an app's "sign in again" modal may be handed: an
 * {@link ExpiryReason}, or `signed_out` (a request or refresh caught by a logout, here or in
 * another tab). `sessionExpired` events and `SessionExpiredError.reason` both use it, so one
 * `showLoginModal(reason: SessionEndReason)` serves both. (The event itself fires only for
 * expiry reasons: a logout emits `signedOut`.)
 */
export type SessionEndReason = ExpiryReason | 'signed_out'
/** `local`: it happened in this tab; `remote`: another tab did it and this tab followed. */
export type EventOrigin = 'local' | 'remote'
/**
 * @deprecated Use {@link EventOrigin}: this name shadows the DOM's `EventSource` (server-sent events).
 */
export type EventSource = EventOrigin

/**
 * Event names and payloads of `tm.on(name, handler)`. Events fire only on real changes, after
 * the state is committed, outside the refresh in flight and the cross-tab lock. A throwing
 * handler is logged and does not stop the others.
 *
 * @example
 * ```ts
 * const off = tm.on('sessionExpired', ({ reason }) => showLoginModal(reason))
 * off() // unsubscribe
 * ```
 */
export type TokenManagerEvents<Claims extends object = Record<string, unknown>> = {
  /** A session began: `login()`, `setSession()`, `start()` resuming, or another tab signing in. */
  signedIn: {
    /** Decoded, NOT verified, claims of the new access token; `null` for opaque tokens. */
    claims: Claims | null
  }
  /** A new access token: refreshed here (`local`) or adopted from another tab (`remote`). */
  tokenRefreshed: {
    /** Local epoch ms at which the new token expires. */
    expiresAt: number
    /** `local`: refreshed here; `remote`: adopted from another tab. */
    source: EventOrigin
  }
  /** `logout()` here or in another tab. */
  signedOut: {
    /** `remote`: another tab logged out. */
    source: EventOrigin
    /** `logout({ everywhere: true })`: every session of the user was revoked. */
    everywhere: boolean
  }
  /** The session ended without a logout; fires once per session per tab. */
  sessionExpired: {
    /** Why the session ended: an {@link ExpiryReason} (typed as {@link SessionEndReason}, the type `SessionExpiredError.reason` shares). */
    reason: SessionEndReason
  }
  /** `idleWarningTime` before the idle deadline, once per idle period; activity cancels it. */
  idleWarning: {
    /** Local epoch ms at which the session will idle out. */
    expiresAt: number
    /** ms left when the warning fired. */
    remainingMs: number
  }
  /** Non-fatal: a transient refresh failure (`RefreshError`) or an unusable reply (`InvalidTokenError`); the session is kept. */
  error: {
    /** A `RefreshError` or an `InvalidTokenError`. */
    error: TokenKeeperError
  }
  /** The snapshot changed (what `subscribe` listeners hear, with the new snapshot). */
  change: {
    /** The new snapshot (the same object `getSnapshot()` now returns). */
    snapshot: SessionSnapshot<Claims>
  }
}

/** One of the names of {@link TokenManagerEvents}. */
export type TokenManagerEventName = keyof TokenManagerEvents

/** Device class of a session, from its User-Agent. */
export type SessionDevice = 'desktop' | 'mobile' | 'tablet' | 'unknown'

/** One row of the device/session API (`GET /auth/sessions`). Dates are ISO strings. */
export interface SessionInfo {
  /** Pass to `tm.sessions.revoke(id)`. */
  id: string
  /** This browser's session. */
  current: boolean
  /** Device class, as the server derived it from the User-Agent. */
  device: SessionDevice
  /** Browser, as the server derived it from the User-Agent (e.g. `Firefox`); `''` if missing. */
  browser: string
  /** Operating system, as the server derived it (e.g. `macOS`); `''` if missing. */
  os: string
  /** Client IP the server recorded; `''` if missing. */
  ip: string
  /** Sign-in time (ISO 8601). */
  createdAt: string
  /** Last time the server saw this session (ISO 8601). */
  lastActiveAt: string
  /** When the session (its refresh token) expires (ISO 8601). */
  expiresAt: string
}

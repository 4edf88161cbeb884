import type { Clock } from './clock'
import type { BrowserEnvironment } from './environment'
import type { TokenKeeperError } from './errors'
import type { LockManagerLike } from './lock'
import type { Logger } from './logger'
import type { ChannelFactory } from './tabs'
import type { TokenResponse } from './token-response'

export type { TokenResponse }

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

export interface TokenManagerOptions {
  /**
   * Where the auth endpoints live.
   * @default location.origin in a browser; required elsewhere (a TypeError is thrown without it)
   */
  baseUrl?: string
  /**
   * Auth endpoint paths, resolved against `baseUrl`.
   * @default { login: '/auth/login', refresh: '/auth/refresh', logout: '/auth/logout', sessions: '/auth/sessions' }
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
   * Origins (`https://api.example.com`) that receive `Authorization: Bearer`. Every other
   * origin gets the request untouched.
   * @default [origin of baseUrl]
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
   * Retries for a transient refresh failure (network, timeout, 408, 429, 5xx), with
   * exponential backoff, jitter and `Retry-After`.
   * @default 3
   */
  retry?: number
  /**
   * ms during which, after a failed refresh, callers fail fast instead of calling the
   * endpoint again (a longer `Retry-After` extends it; going `online` ends it).
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
   * @default accepts camelCase (accessToken, expiresIn, refreshToken) and OAuth 2 snake_case
   */
  parseTokenResponse?: (body: unknown) => TokenResponse
  /**
   * Header sent on every auth call (refresh, logout, login, sessions): a cross-site form
   * cannot send it and scripts must pass a CORS preflight, so the server can refuse CSRF.
   * `false` sends none.
   * @default { name: 'X-TokenKeeper', value: '1' }
   */
  csrfHeader?: { name: string; value: string } | false
  /**
   * ms without user activity (in any tab) after which the session ends. `0` turns it off.
   * @default 0
   */
  idleTimeout?: number
  /**
   * ms before the idle deadline at which `idleWarning` fires (clamped to `idleTimeout`).
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
   * Cross-tab sync over BroadcastChannel: one refresh per rotation, shared tokens, logout,
   * expiry and activity. An object sets the channel name (apps with several APIs on one origin).
   * @default true where BroadcastChannel exists, channel 'tokenkeeper'
   */
  crossTab?: boolean | { channel?: string }
  /**
   * Clock and timers. For tests and special hosts.
   * @default Date.now and the global setTimeout/clearTimeout, looked up at call time
   */
  clock?: Clock
  /**
   * Browser signals (wake-ups, activity). For tests, SSR and native shells.
   * @default window/document listeners, no-ops without a DOM
   */
  environment?: BrowserEnvironment
  /**
   * Web Locks implementation for the cross-tab refresh mutex; `null` forces the
   * leader-election fallback.
   * @default navigator.locks when present
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
   * @default broadcast-channel on the native BroadcastChannel
   */
  channelFactory?: ChannelFactory
}

export type SessionStatus = 'unknown' | 'signedOut' | 'active' | 'refreshing' | 'expired'

export interface SessionSnapshot {
  status: SessionStatus
  /** Local epoch ms at which the access token expires. */
  expiresAt: number | null
  /** Decoded (unverified) JWT claims of the access token; `null` for opaque tokens. */
  claims: Record<string, unknown> | null
  /** Local epoch ms of the last user activity seen in any tab (throttled to 1/s). */
  lastActivityAt: number | null
  /** Local epoch ms at which an idle session ends; `null` when `idleTimeout` is 0. */
  idleDeadline: number | null
  /** Local epoch ms of the next proactive refresh, if one is scheduled. */
  refreshAt: number | null
  /** Local epoch ms at which `maxSessionAge` ends the session, if set. */
  sessionDeadline: number | null
}

export type ExpiryReason = 'refresh_rejected' | 'idle' | 'max_age'
export type EventSource = 'local' | 'remote'

export type TokenManagerEvents = {
  signedIn: { claims: Record<string, unknown> | null; source: EventSource }
  tokenRefreshed: { expiresAt: number; source: EventSource }
  signedOut: { source: EventSource; everywhere: boolean }
  sessionExpired: { reason: ExpiryReason; source: EventSource }
  idleWarning: { expiresAt: number; remainingMs: number }
  error: { error: TokenKeeperError }
  change: { snapshot: SessionSnapshot }
}

export type TokenManagerEventName = keyof TokenManagerEvents

export type SessionDevice = 'desktop' | 'mobile' | 'tablet' | 'unknown'

/** One row of the device/session API (`GET /auth/sessions`). Dates are ISO strings. */
export interface SessionInfo {
  id: string
  current: boolean
  device: SessionDevice
  browser: string
  os: string
  ip: string
  createdAt: string
  lastActiveAt: string
  expiresAt: string
}

import type { BrowserEnvironment } from '../util/environment'
import type { TokenResponse } from '../token/token-response'

/**
 * One auth HTTP call as a backend describes it. The SDK sends it: timeout, retries and backoff,
 * single flight and the cross-tab lock stay the SDK's.
 */
export interface BackendRequest {
  /** Absolute, or resolved against `baseUrl`. */
  url: string
  /** @default 'POST' */
  method?: string
  /** Extra headers (an `Authorization` for a logout that needs the access token). */
  headers?: Record<string, string>
  /** A plain object is sent as JSON, `URLSearchParams` form-encoded; none sends no body. */
  body?: Record<string, unknown> | URLSearchParams
  /**
   * `'include'` sends cookies (also cross-origin: the server must allow credentials).
   * @default 'same-origin'
   */
  credentials?: RequestCredentials
  /**
   * Adds the `csrfHeader`. Only for calls that carry cookies: on a call that carries its token in
   * the body, a custom header makes a cross-origin token endpoint preflight, and many refuse it.
   * @default false
   */
  csrf?: boolean
}

/** A reply as a backend reads it: the body is parsed JSON, else the text; `undefined` when empty. */
export interface BackendReply {
  /** The HTTP status, e.g. `200`, `401`. */
  readonly status: number
  /** The reply's headers (`Date`, `Retry-After`, `WWW-Authenticate`...). */
  readonly headers: Headers
  /** Parsed JSON when the reply is JSON, else its text; `undefined` for an empty body. */
  readonly body: unknown
  /** Local epoch ms at which the reply arrived. */
  readonly receivedAt: number
}

/**
 * What a failed refresh means: `ended` (the refresh token is dead: the session ends),
 * `transient` (retried with backoff; the session is kept), `misconfigured` (a wrong request:
 * not retried, not a logout; a `RefreshError` with `transient: false`).
 */
export type RefreshFailure = 'ended' | 'transient' | 'misconfigured'

/** A server's error code and text, as read from an error reply (OAuth `error`, `error_description`). */
export interface ServerError {
  error?: string
  errorDescription?: string
}

/**
 * How each auth call is made and read. `defaultBackend()` (the default), `simplejwt()` and
 * `oauth2()` are ready-made; any object of this shape works (see the README's "Writing a backend").
 */
export interface Backend {
  /** `'cookie'`: an HttpOnly cookie the SDK never sees; `'body'`: the SDK holds it in memory, never shared. */
  readonly refreshTokenTransport: 'cookie' | 'body'
  /** `false` when the server has no "sign out everywhere": `logout({ everywhere: true })` then logs that and ends this session only. */
  readonly logoutEverywhere?: boolean
  /** Async set-up before the first call (OAuth discovery). Rejects with a `TypeError` for a server that cannot work. */
  prepare?(): Promise<void>
  /**
   * The sign-in request for `tm.login(credentials)`; the SDK sends it and reads a 2xx reply with
   * `readTokens`.
   * @example login: (credentials) => ({ url: 'https://api.example.com/auth/login', body: credentials, credentials: 'include' })
   */
  login(credentials: Record<string, unknown>): BackendRequest
  /** `refreshToken` is `null` in cookie mode. */
  refresh(refreshToken: string | null): BackendRequest
  /** The calls that end the session on the server (none is fine); sent in order, best effort. */
  logout(session: { refreshToken: string | null; accessToken: string | null; everywhere: boolean }): BackendRequest[]
  /** A 2xx login or refresh reply into tokens; throws (an `InvalidTokenError` ideally) when unusable. */
  readTokens(reply: BackendReply): TokenResponse
  /** What a non-2xx refresh reply means. */
  classifyRefreshFailure(reply: BackendReply): RefreshFailure
  /** Redirect sign-in (authorization code + PKCE): `login(params)` calls this, which leaves the page. */
  authorize?(params: Record<string, unknown>): Promise<void>
  /**
   * On `start()`: the token request for a redirect callback in the address bar (which it removes
   * from there first, so a reload cannot replay it); `null` when the page is not a callback.
   * Throws a `LoginError` for a callback that must not sign in (`error=`, a bad or replayed `state`).
   */
  callback?(): Promise<BackendRequest | null>
}

/** What a preset is given when the manager is built: where relative URLs point, and the browser. */
export interface BackendContext {
  /** The `baseUrl` option as given (`undefined` when defaulted to the page's origin). */
  readonly baseUrl: string | undefined
  /** Resolves a path against the resolved `baseUrl`. */
  resolve(path: string): string
  /** The browser hooks the manager uses (wake-up cues, activity events, the address bar for redirects): the `environment` option, a fake in tests. */
  readonly environment: BrowserEnvironment
  /** The fetch the manager uses (for discovery). */
  fetch(input: string, init?: RequestInit): Promise<Response>
}

/** The `backend` option: a backend, or a preset that builds one from the manager's context. */
export type BackendOption = Backend | ((context: BackendContext) => Backend)

const TRANSIENT_STATUSES = new Set([408, 425, 429])

export const isTransientStatus = (status: number): boolean => TRANSIENT_STATUSES.has(status) || status >= 500

/** The text fields of an error reply: `error` (or `code`), `error_description` (or `message`, `detail`), each capped. */
export function readServerError(body: unknown): ServerError {
  if (typeof body !== 'object' || body === null) return {}
  const record = body as Record<string, unknown>
  const pick = (...keys: string[]) => {
    for (const key of keys) {
      const value = record[key]
      if (typeof value === 'string' && value !== '') return redactTokens(value.slice(0, 200))
    }
    return undefined
  }
  const error = pick('error', 'code')
  const errorDescription = pick('error_description', 'message', 'detail')
  return { ...(error !== undefined && { error }), ...(errorDescription !== undefined && { errorDescription }) }
}

/**
 * The server's text with anything that looks like a token replaced: some servers quote the token
 * they refused (`Token 'eyJ…' is blacklisted`), and the SDK's errors carry no token text. A token
 * is a run of 24 or more base64url / JWT characters with a digit in it; words and error codes
 * (`refresh_token_reuse_detected`) have none.
 */
export function redactTokens(text: string): string {
  return text.replace(/[\w.~+/-]{24,}=*/g, (run) => (/\d/.test(run) ? '[redacted]' : run))
}

/** Error codes that mean "this refresh token is dead" on a 400 (RFC 6749 §5.2 and common backends). */
const DEAD_TOKEN_CODES = new Set(['invalid_grant', 'invalid_token', 'token_not_valid'])

/**
 * The default reading of a failed refresh: 401, a 403 other than a CSRF/origin refusal, and a
 * 400 with a dead-token code end the session; 408, 425, 429 and 5xx are transient; anything
 * else (a 400 field-validation error, 404, 405...) is a misconfiguration.
 */
export function classifyRefreshFailure(reply: BackendReply): RefreshFailure {
  const { status } = reply
  if (isTransientStatus(status)) return 'transient'
  const { error } = readServerError(reply.body)
  if (status === 401) return 'ended'
  if (status === 403) return error === 'csrf' || error === 'origin_not_allowed' ? 'misconfigured' : 'ended'
  if (status === 400 && error !== undefined && DEAD_TOKEN_CODES.has(error)) return 'ended'
  return 'misconfigured'
}

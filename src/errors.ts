import type { SessionEndReason } from './types'

/**
 * Every error the SDK throws or emits is a `TokenKeeperError` with a stable `code`.
 * Messages never contain token text.
 */
export type TokenKeeperErrorCode = 'SESSION_EXPIRED' | 'REFRESH_FAILED' | 'INVALID_TOKEN' | 'LOGIN_FAILED' | 'DESTROYED' | 'SESSIONS_API_FAILED'

/**
 * Base class of every error the SDK throws or emits. Check `code` (stable) or use the guards
 * (`isSessionExpiredError`, ...), which also work across realms.
 *
 * @example
 * ```ts
 * try {
 *   await tm.fetch(url)
 * } catch (error) {
 *   if (isTokenKeeperError(error)) console.warn(error.code)
 * }
 * ```
 */
export class TokenKeeperError extends Error {
  /** Stable machine-readable code; see {@link TokenKeeperErrorCode}. */
  readonly code: TokenKeeperErrorCode

  constructor(code: TokenKeeperErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TokenKeeperError'
    this.code = code
  }
}

/** The session is over (refresh rejected, idle, max age): sign in again. */
export class SessionExpiredError extends TokenKeeperError {
  /**
   * Why the session is over: an `ExpiryReason`, or `signed_out` for a request or refresh
   * caught by a logout (see {@link SessionEndReason}, the type `sessionExpired` events share).
   */
  readonly reason: SessionEndReason

  constructor(reason: SessionEndReason = 'refresh_rejected', options?: { cause?: unknown }) {
    super('SESSION_EXPIRED', `Session expired (${reason})`, options)
    this.name = 'SessionExpiredError'
    this.reason = reason
  }
}

/** What an error reply said: the OAuth `error` code (or the server's `error`/`code` field) and its text. */
export interface ServerErrorFields {
  /** The server's error code: OAuth `invalid_request`, `invalid_client`, simplejwt `token_not_valid`... */
  error?: string | undefined
  /** The server's explanation (`error_description`, `message` or `detail`), at most 200 characters. */
  errorDescription?: string | undefined
}

/**
 * A refresh failed and the session is kept while its token is valid: a transient failure
 * (network, timeout, 408, 429, 5xx: `transient: true`, tried again after the cooldown) or a
 * misconfiguration (a 400 `invalid_request`, `invalid_client`, 404...: `transient: false`; fix
 * the backend settings; `error` says what the server objected to).
 */
export class RefreshError extends TokenKeeperError {
  /** HTTP status of the last attempt, `undefined` for network errors and timeouts. */
  readonly status: number | undefined
  /** Epoch ms before which the SDK will not call the refresh endpoint again. */
  readonly retryAt: number | undefined
  /** `false` for a misconfiguration: the same request will keep failing. */
  readonly transient: boolean
  /** The server's error code, when its reply had one. */
  readonly error: string | undefined
  /** The server's error text, when its reply had one. */
  readonly errorDescription: string | undefined

  constructor(message: string, options: { status?: number; cause?: unknown; retryAt?: number; transient?: boolean } & ServerErrorFields = {}) {
    super('REFRESH_FAILED', message, { cause: options.cause })
    this.name = 'RefreshError'
    this.status = options.status
    this.retryAt = options.retryAt
    this.transient = options.transient ?? true
    this.error = options.error
    this.errorDescription = options.errorDescription
  }

  /** {@link RefreshError.errorDescription} under the OAuth field's name (RFC 6749 §5.2). */
  get error_description(): string | undefined {
    return this.errorDescription
  }
}

/** A token or token reply could not be used (malformed JWT, HTML body, missing token...). */
export class InvalidTokenError extends TokenKeeperError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_TOKEN', message, options)
    this.name = 'InvalidTokenError'
  }
}

/**
 * The sign-in failed: wrong credentials (401, or OAuth `400 invalid_grant`), rate limited (429),
 * network, or a redirect callback that must not sign in (`error: 'invalid_state'`, or the
 * server's `error=` such as `access_denied`).
 */
export class LoginError extends TokenKeeperError {
  /** HTTP status: 401 wrong credentials, 429 rate limited; `undefined` for a network error, a timeout or a callback error. */
  readonly status: number | undefined
  /** Seconds to wait before trying again, from `Retry-After` (429). */
  readonly retryAfter: number | undefined
  /** The server's error code (OAuth `invalid_grant`, `access_denied`...), or `invalid_state` for a bad or replayed callback. */
  readonly error: string | undefined
  /** The server's error text, when it sent one. */
  readonly errorDescription: string | undefined

  constructor(message: string, options: { status?: number; cause?: unknown; retryAfter?: number } & ServerErrorFields = {}) {
    super('LOGIN_FAILED', message, { cause: options.cause })
    this.name = 'LoginError'
    this.status = options.status
    this.retryAfter = options.retryAfter
    this.error = options.error
    this.errorDescription = options.errorDescription
  }

  /** {@link LoginError.errorDescription} under the OAuth field's name (RFC 6749 §5.2). */
  get error_description(): string | undefined {
    return this.errorDescription
  }
}

/** The manager was destroyed; create a new one. */
export class DestroyedError extends TokenKeeperError {
  constructor() {
    super('DESTROYED', 'TokenManager has been destroyed')
    this.name = 'DestroyedError'
  }
}

/** The device/session API answered with an error status. */
export class SessionsApiError extends TokenKeeperError {
  /** HTTP status of the reply (404: unknown session id). */
  readonly status: number

  constructor(message: string, status: number) {
    super('SESSIONS_API_FAILED', message)
    this.name = 'SessionsApiError'
    this.status = status
  }
}

/**
 * A `TypeError` the SDK raised for a setup that cannot work (`tokenkeeper: …`: options, a preset,
 * discovery metadata), as opposed to fetch's `TypeError` for a network failure. Internal.
 */
export const isSetupError = (error: unknown): error is TypeError => error instanceof TypeError && error.message.startsWith('tokenkeeper:')

// Guards check `name` and `code` as well as `instanceof`, so they work across realms
// (iframes, duplicated bundles) where `instanceof` fails.
function hasShape(error: unknown, name: string, code?: TokenKeeperErrorCode): boolean {
  if (typeof error !== 'object' || error === null) return false
  const candidate = error as { name?: unknown; code?: unknown }
  return candidate.name === name && (code === undefined || candidate.code === code)
}

/** Any tokenkeeper error, including one from another realm (iframe, duplicated bundle). */
export function isTokenKeeperError(error: unknown): error is TokenKeeperError {
  if (error instanceof TokenKeeperError) return true
  if (typeof error !== 'object' || error === null) return false
  const { name, code } = error as { name?: unknown; code?: unknown }
  return (
    typeof code === 'string' &&
    typeof name === 'string' &&
    ['TokenKeeperError', 'SessionExpiredError', 'RefreshError', 'InvalidTokenError', 'LoginError', 'DestroyedError', 'SessionsApiError'].includes(name)
  )
}

/**
 * A `SessionExpiredError` (also across realms): sign in again.
 * @example
 * ```ts
 * tm.fetch(url).catch((error) => {
 *   if (isSessionExpiredError(error)) showLoginModal(error.reason)
 *   else throw error
 * })
 * ```
 */
export const isSessionExpiredError = (error: unknown): error is SessionExpiredError =>
  error instanceof SessionExpiredError || hasShape(error, 'SessionExpiredError', 'SESSION_EXPIRED')
/** A `RefreshError` (also across realms): transient, the session is kept; try again later (`retryAt`). */
export const isRefreshError = (error: unknown): error is RefreshError => error instanceof RefreshError || hasShape(error, 'RefreshError', 'REFRESH_FAILED')
/** An `InvalidTokenError` (also across realms). */
export const isInvalidTokenError = (error: unknown): error is InvalidTokenError =>
  error instanceof InvalidTokenError || hasShape(error, 'InvalidTokenError', 'INVALID_TOKEN')
/** A `LoginError` (also across realms); check `status` and `retryAfter`. */
export const isLoginError = (error: unknown): error is LoginError => error instanceof LoginError || hasShape(error, 'LoginError', 'LOGIN_FAILED')
/** A `DestroyedError` (also across realms): the manager was used after `destroy()`. */
export const isDestroyedError = (error: unknown): error is DestroyedError => error instanceof DestroyedError || hasShape(error, 'DestroyedError', 'DESTROYED')
/** A `SessionsApiError` (also across realms) from `tm.sessions`; check `status` (404: unknown session id). */
export const isSessionsApiError = (error: unknown): error is SessionsApiError =>
  error instanceof SessionsApiError || hasShape(error, 'SessionsApiError', 'SESSIONS_API_FAILED')

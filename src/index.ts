/**
 * Access/refresh token lifecycle for browser apps: the access token in memory only, a
 * single-flight refresh shared by every tab, an authorized `fetch` and ky instance, typed
 * events, sliding sessions, and `subscribe`/`getSnapshot` for UI frameworks.
 *
 * Framework bindings: `tokenkeeper/react`, `tokenkeeper/vue`, `tokenkeeper/svelte`; `tokenkeeper/angular`; HTTP clients: `tokenkeeper/axios`.
 *
 * @example
 * ```ts
 * import { TokenManager } from 'tokenkeeper'
 *
 * const tm = new TokenManager({ baseUrl: 'https://app.example.com' })
 * await tm.start() // resume from the refresh cookie, or quietly signed out
 * const me = await tm.fetch('https://app.example.com/api/me').then((r) => r.json())
 * ```
 *
 * @packageDocumentation
 * @module tokenkeeper
 */
export { TokenManager } from './token-manager'
export {
  TokenKeeperError,
  SessionExpiredError,
  RefreshError,
  InvalidTokenError,
  LoginError,
  DestroyedError,
  SessionsApiError,
  isTokenKeeperError,
  isSessionExpiredError,
  isRefreshError,
  isInvalidTokenError,
  isLoginError,
  isDestroyedError,
  isSessionsApiError,
  type TokenKeeperErrorCode,
  type ServerErrorFields,
} from './errors'
export { simplejwt, type SimpleJwtOptions } from './http/simplejwt'
export { oauth2, type OAuth2Options } from './http/oauth2'
export { defaultBackend, type DefaultBackendOptions } from './http/default-backend'
export type { Backend, BackendOption, BackendContext, BackendRequest, BackendReply, RefreshFailure } from './http/backend'
export { decodeJwt, type JwtClaims } from './token/jwt'
export type { Clock } from './util/clock'
export type { LogEntry, LogEvent, Logger } from './util/logger'
export type { BrowserEnvironment, Navigation, WakeReason } from './util/environment'
export type { LockManagerLike } from './tabs/lock'
export type { ChannelLike, ChannelFactory } from './tabs/protocol'
export type { SessionsClient } from './http/sessions-client'
export type {
  TokenManagerOptions,
  TokenResponse,
  Endpoints,
  SessionSnapshot,
  SessionDeadlines,
  SessionStatus,
  SessionInfo,
  SessionDevice,
  TokenManagerEvents,
  TokenManagerEventName,
  ExpiryReason,
  SessionEndReason,
  EventOrigin,
  EventSource,
} from './types'

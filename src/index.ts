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
  type TokenKeeperErrorCode,
} from './errors'
export { decodeJwt, type JwtClaims } from './jwt'
export type { Clock } from './clock'
export type { LogEntry, LogEvent, Logger } from './logger'
export type { BrowserEnvironment, WakeReason } from './environment'
export type { LockManagerLike } from './lock'
export type { ChannelLike, ChannelFactory, TabMessage } from './tabs'
export type { SessionsClient } from './sessions'
export type {
  TokenManagerOptions,
  TokenResponse,
  Endpoints,
  SessionSnapshot,
  SessionStatus,
  SessionInfo,
  SessionDevice,
  TokenManagerEvents,
  TokenManagerEventName,
  ExpiryReason,
  EventSource,
} from './types'

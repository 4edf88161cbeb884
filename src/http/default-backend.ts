import { defaultParseTokenResponse, type TokenResponse } from '../token/token-response'
import { classifyRefreshFailure, type Backend, type BackendRequest } from './backend'

/** Options of {@link defaultBackend}; the `TokenManager` options of the same names are shorthands for them. */
export interface DefaultBackendOptions {
  /** Absolute URLs of the three auth calls. */
  endpoints: {
    /** `POST` with the credentials as JSON, e.g. `https://api.example.com/auth/login`. */
    login: string
    /** `POST` with the refresh cookie (or `{ refreshToken }` in body mode). */
    refresh: string
    /** `POST { everywhere }` (plus `refreshToken` in body mode) with the Bearer; best effort, a failure still ends the session locally. */
    logout: string
  }
  /** @default 'cookie' */
  refreshTokenTransport?: 'cookie' | 'body'
  /** @default accepts camelCase and OAuth 2 snake_case replies */
  parseTokenResponse?: (body: unknown) => TokenResponse
}

/**
 * The SDK's own contract (the README's "Backend contract"): JSON login, a refresh with the
 * HttpOnly cookie (or `{ refreshToken }` in body mode), `{ everywhere }` logout with the access
 * token, the CSRF header on every call.
 */
export function defaultBackend(options: DefaultBackendOptions): Backend {
  const { endpoints } = options
  const cookieMode = (options.refreshTokenTransport ?? 'cookie') === 'cookie'
  const parse = options.parseTokenResponse ?? defaultParseTokenResponse
  // The contract's calls carry the CSRF header in both modes (and cookies in cookie mode).
  const call = (url: string, body?: Record<string, unknown>, headers?: Record<string, string>): BackendRequest => ({
    url,
    credentials: cookieMode ? 'include' : 'same-origin',
    csrf: true,
    ...(body && { body }),
    ...(headers && { headers }),
  })
  return {
    refreshTokenTransport: cookieMode ? 'cookie' : 'body',
    login: (credentials) => call(endpoints.login, credentials),
    refresh: (refreshToken) => call(endpoints.refresh, cookieMode ? undefined : { refreshToken }),
    logout: ({ everywhere, refreshToken, accessToken }) => [
      call(
        endpoints.logout,
        { everywhere, ...(!cookieMode && refreshToken && { refreshToken }) },
        accessToken ? { authorization: `Bearer ${accessToken}` } : undefined,
      ),
    ],
    readTokens: (reply) => parse(reply.body),
    classifyRefreshFailure,
  }
}

import { InvalidTokenError } from '../errors'

/** What a login or refresh reply carries, after `parseTokenResponse`. */
export interface TokenResponse {
  /** The access token: a JWT (decoded, not verified) or an opaque string (then `expiresIn` is required). */
  accessToken: string
  /** Lifetime in seconds (OAuth 2 `expires_in`). Preferred over the JWT's `exp`: skew-proof. */
  expiresIn?: number
  /** Only used with `refreshTokenTransport: 'body'`; ignored (never stored) in cookie mode. */
  refreshToken?: string | undefined
}

/**
 * Accepts camelCase (`accessToken`, `expiresIn`, `refreshToken`) and OAuth 2 snake_case
 * (`access_token`, `expires_in`, `refresh_token`, RFC 6749 §5.1).
 */
export function defaultParseTokenResponse(body: unknown): TokenResponse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidTokenError('Token reply is not a JSON object')
  }
  const record = body as Record<string, unknown>
  const accessToken = record.accessToken ?? record.access_token
  const expiresIn = record.expiresIn ?? record.expires_in
  const refreshToken = record.refreshToken ?? record.refresh_token
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw new InvalidTokenError('Token reply has no access token string')
  }
  if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0)) {
    throw new InvalidTokenError('Token reply has an invalid expiresIn (expected positive seconds)')
  }
  if (refreshToken !== undefined && refreshToken !== null && typeof refreshToken !== 'string') {
    throw new InvalidTokenError('Token reply has a refresh token that is not a string')
  }
  return {
    accessToken,
    ...(expiresIn !== undefined && { expiresIn: expiresIn as number }),
    ...(typeof refreshToken === 'string' && { refreshToken }),
  }
}

import { InvalidTokenError } from '../errors'
import { computeExpiry } from './expiry'
import { decodeJwt, looksLikeJwt, type JwtClaims } from './jwt'
import type { TokenResponse } from './token-response'

/** The access token as held in memory, with its locally measured expiry. */
export interface AccessToken {
  value: string
  expiresAt: number
  lifetime: number
  /** Local epoch ms at which the token was issued to this browser (first tab's receipt time). */
  receivedAt: number
  claims: JwtClaims | null
}

/** One size cap for every token the SDK holds (login and refresh replies, `setSession`, the channel). */
export const MAX_TOKEN_LENGTH = 16 * 1024

/**
 * What an Authorization header can carry (RFC 6750's b64token is a subset): a non-empty string of
 * visible ASCII within the size cap. An empty token, or one with spaces, control or non-ASCII
 * characters, would make every request throw a TypeError; a huge one goes on every request.
 */
export function isHeaderSafeToken(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH && /^[\x21-\x7e]+$/.test(value)
}

/**
 * Validates a token reply into an `AccessToken`. A token with dots is treated as a JWT and must
 * decode; one without is opaque and needs `expiresIn`. A refresh token, if any, is a string within
 * the same cap, whichever backend read the reply (or `setSession()` was given). Throws `InvalidTokenError`.
 */
export function acceptToken(response: Pick<TokenResponse, 'accessToken' | 'expiresIn' | 'refreshToken'>, receivedAt: number): AccessToken {
  if (!isHeaderSafeToken(response.accessToken)) {
    throw new InvalidTokenError(`Access token is not 1 to ${MAX_TOKEN_LENGTH} visible ASCII characters`)
  }
  const { refreshToken } = response
  if (refreshToken != null && !(typeof refreshToken === 'string' && refreshToken.length <= MAX_TOKEN_LENGTH)) {
    throw new InvalidTokenError(`Refresh token is not a string of at most ${MAX_TOKEN_LENGTH} characters`)
  }
  const claims = looksLikeJwt(response.accessToken) ? decodeJwt(response.accessToken) : null
  const { expiresAt, lifetime } = computeExpiry(receivedAt, response.expiresIn, claims)
  return { value: response.accessToken, expiresAt, lifetime, receivedAt, claims }
}

/** Re-creates a token shared by another tab; its expiry is already local. */
export function adoptSharedToken(shared: { accessToken: string; expiresAt: number; lifetime: number; receivedAt: number }): AccessToken {
  const claims = looksLikeJwt(shared.accessToken) ? decodeJwt(shared.accessToken) : null
  return { value: shared.accessToken, expiresAt: shared.expiresAt, lifetime: shared.lifetime, receivedAt: shared.receivedAt, claims }
}

/** Sign-in time: the OIDC `auth_time` claim when present, else now. */
export function sessionStartFrom(token: AccessToken, now: number): number {
  const authTime = token.claims?.auth_time
  return typeof authTime === 'number' && Number.isFinite(authTime) && authTime * 1000 <= now ? authTime * 1000 : now
}

import { InvalidTokenError } from '../errors'

/** A decoded JWT payload. Only `exp` and `iat` are checked (numbers of seconds); nothing is verified. */
export type JwtClaims = Record<string, unknown> & {
  /** Expiry, epoch seconds. */
  exp?: number
  /** Issued at, epoch seconds. */
  iat?: number
}

// `exp` beyond this (year 5138) is almost certainly milliseconds, not seconds.
const MAX_EPOCH_SECONDS = 1e11

/** True when the string has the three-part shape of a JWS compact serialization. */
export function looksLikeJwt(token: string): boolean {
  return token.includes('.')
}

function base64UrlToBytes(segment: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(segment) || segment.length % 4 === 1) {
    throw new InvalidTokenError('JWT payload is not base64url')
  }
  const base64 = segment
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(segment.length / 4) * 4, '=')
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
}

function checkNumericDate(claims: Record<string, unknown>, name: 'exp' | 'iat'): void {
  const value = claims[name]
  if (value === undefined) return
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidTokenError(`JWT "${name}" claim is not a number of seconds`)
  }
  if (value > MAX_EPOCH_SECONDS) {
    throw new InvalidTokenError(`JWT "${name}" claim is out of range (milliseconds instead of seconds?)`)
  }
}

/**
 * Decodes (does not verify) a JWT's payload. Verification is the server's job; the client
 * only needs `exp`/`iat` to schedule refreshes. Anything malformed is an `InvalidTokenError`
 * whose message never includes the token.
 * @throws `InvalidTokenError`
 * @example const { sub, exp } = decodeJwt(idToken)
 */
export function decodeJwt(token: string): JwtClaims {
  const parts = token.split('.')
  if (parts.length !== 3) throw new InvalidTokenError(`JWT must have 3 parts, got ${parts.length}`)
  let json: string
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(base64UrlToBytes(parts[1]!))
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error
    throw new InvalidTokenError('JWT payload is not valid base64url UTF-8', { cause: error })
  }
  let claims: unknown
  try {
    claims = JSON.parse(json)
  } catch {
    throw new InvalidTokenError('JWT payload is not JSON')
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new InvalidTokenError('JWT payload is not a JSON object')
  }
  checkNumericDate(claims as Record<string, unknown>, 'exp')
  checkNumericDate(claims as Record<string, unknown>, 'iat')
  return claims as JwtClaims
}

import { InvalidTokenError } from '../errors'
import type { JwtClaims } from './jwt'

/** Ten years: a longer `expiresIn` is a server bug, not a lifetime to schedule around. */
const MAX_LIFETIME_MS = 10 * 365 * 24 * 3600 * 1000

/**
 * The shortest lifetime the SDK accepts. A token due for refresh at once (half its lifetime, at
 * most, before expiry) would refresh in a hot loop: `expiresIn: 0.001` made 2 318 calls in 7 s.
 * Such a reply is invalid, with the normal cooldown.
 */
export const MIN_TOKEN_LIFETIME = 2000

export interface Expiry {
  /** Local epoch ms at which the token stops being usable. */
  expiresAt: number
  /** Total lifetime in ms as measured from receipt. */
  lifetime: number
}

/**
 * Skew-proof expiry: measured from the local receipt time whenever the server tells us a
 * duration (`expiresIn`, or `exp − iat`), so a client clock that is off by hours still
 * schedules correctly. Only as a last resort is `exp` compared with the local clock.
 */
export function computeExpiry(receivedAt: number, expiresIn: number | undefined, claims: JwtClaims | null): Expiry {
  let lifetime: number
  if (expiresIn !== undefined) {
    lifetime = expiresIn * 1000
  } else if (claims?.exp !== undefined && claims.iat !== undefined) {
    lifetime = (claims.exp - claims.iat) * 1000
  } else if (claims?.exp !== undefined) {
    lifetime = claims.exp * 1000 - receivedAt
  } else {
    throw new InvalidTokenError('Token has no expiry: send expiresIn or a JWT with exp')
  }
  if (!Number.isFinite(lifetime) || lifetime <= 0) {
    // Accepting an already-expired token would make every request refresh again: a loop.
    throw new InvalidTokenError('Token is already expired on arrival')
  }
  if (lifetime < MIN_TOKEN_LIFETIME) {
    throw new InvalidTokenError(`Token lifetime ${lifetime} ms is below the ${MIN_TOKEN_LIFETIME} ms minimum`)
  }
  if (lifetime > MAX_LIFETIME_MS) throw new InvalidTokenError('Token lifetime is implausibly long')
  return { expiresAt: receivedAt + lifetime, lifetime }
}

/** When to refresh proactively: `leadTime` before expiry, never more than half the lifetime. */
export function refreshDueAt(expiry: Expiry, leadTime: number): number {
  return expiry.expiresAt - Math.min(Math.max(0, leadTime), expiry.lifetime / 2)
}

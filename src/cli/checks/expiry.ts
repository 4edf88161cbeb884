import { DEFAULT_REFRESH_LEAD_TIME } from '../contract'
import { jwtClaims } from '../jwt-claims'
import type { Reply } from '../http-client'
import { type Check, type CheckResult, result } from '../result'
import type { TokenFields } from '../session'

const GROUP = 'expiry'
const TITLE_HINT = 'token replies carry expires_in'
const TITLE_SKEW = "the server's clock agrees with the local one"
const TITLE_LIFETIME = 'access-token lifetime suits refreshLeadTime'
/** Beyond this, a skewed clock is worth a warning (the SDK itself is skew-proof with expiresIn). */
const SKEW_WARN_MS = 30_000

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)
const secs = (ms: number) => `${Math.round(ms / 1000)} s`

/** Expiry hints: `expires_in`, the server's `Date` (and a JWT's `iat`) against the local clock, the lifetime against the default lead time. */
export const expiry: Check = {
  group: GROUP,
  run: async ({ first }) => expiryResults(first.loginReply, first.tokens),
}

/** The expiry rows for one token reply (a sign-in, or an OAuth refresh) and its token fields. */
export function expiryResults(reply: Reply, tokens: TokenFields): CheckResult[] {
  const out: CheckResult[] = []
  const claims = jwtClaims(tokens.accessToken)
  const exp = num(claims?.exp)
  const iat = num(claims?.iat)
  const expiresIn = tokens.expiresIn
  let lifetime: number | undefined // seconds

  if (expiresIn !== undefined && Number.isFinite(expiresIn) && expiresIn > 0) {
    lifetime = expiresIn
    const jwtLifetime = exp !== undefined && iat !== undefined ? exp - iat : undefined
    out.push(
      jwtLifetime !== undefined && Math.abs(jwtLifetime - expiresIn) > 2
        ? result(GROUP, 'expiry.hint', TITLE_HINT, 'warn', `expiresIn ${expiresIn} s, but the JWT says exp − iat = ${jwtLifetime} s (the SDK uses expiresIn)`)
        : result(GROUP, 'expiry.hint', TITLE_HINT, 'pass', `expiresIn ${expiresIn} s${jwtLifetime !== undefined ? ', matching the JWT (exp − iat)' : ''}`),
    )
  } else if (expiresIn !== undefined) {
    out.push(result(GROUP, 'expiry.hint', TITLE_HINT, 'fail', 'expiresIn is not a positive number of seconds: the SDK refuses the reply'))
  } else if (exp !== undefined && iat !== undefined) {
    lifetime = exp - iat
    out.push(result(GROUP, 'expiry.hint', TITLE_HINT, 'warn', `no expiresIn; the SDK falls back to the JWT's exp − iat (${lifetime} s)`))
  } else if (exp !== undefined) {
    out.push(
      result(
        GROUP,
        'expiry.hint',
        TITLE_HINT,
        'warn',
        'no expiresIn and no iat: the SDK compares exp with the local clock, so a skewed client refreshes at the wrong time',
      ),
    )
  } else {
    out.push(
      result(
        GROUP,
        'expiry.hint',
        TITLE_HINT,
        'fail',
        'no expiresIn and an opaque access token (or a JWT without exp): the SDK cannot know when it expires and refuses it',
      ),
    )
  }

  out.push(skewResult(reply, iat), lifetimeResult(lifetime))
  return out
}

/** The server's `Date` (and a JWT's `iat`, when trustworthy) against the local clock of the reply. */
export function skewResult(reply: Reply, iat: number | undefined): CheckResult {
  const localMid = (reply.sentAt + reply.receivedAt) / 2
  const date = Date.parse(reply.headers.get('date') ?? '')
  const skews: string[] = []
  let worst = 0
  if (Number.isFinite(date)) {
    // Date has a resolution of one second: allow for it and for the round trip.
    const skew = date - localMid
    const slack = 1000 + (reply.receivedAt - reply.sentAt) / 2
    const real = Math.abs(skew) > slack ? skew : 0
    worst = Math.max(worst, Math.abs(real))
    skews.push(`Date header ${real >= 0 ? '+' : '−'}${secs(Math.abs(real))}`)
  }
  if (iat !== undefined) {
    const skew = iat * 1000 - localMid
    const real = Math.abs(skew) > 1500 ? skew : 0
    worst = Math.max(worst, Math.abs(real))
    skews.push(`JWT iat ${real >= 0 ? '+' : '−'}${secs(Math.abs(real))}`)
  }
  if (skews.length === 0) return result(GROUP, 'expiry.skew', TITLE_SKEW, 'warn', 'no Date header and no JWT iat: the skew cannot be measured')
  if (worst > SKEW_WARN_MS) {
    return result(
      GROUP,
      'expiry.skew',
      TITLE_SKEW,
      'warn',
      `${skews.join(', ')} against the local clock; the SDK copes (it reads the lifetime on the server's clock), other JWT consumers may not`,
    )
  }
  return result(GROUP, 'expiry.skew', TITLE_SKEW, 'pass', `${skews.join(', ')} against the local clock`)
}

/** The access-token lifetime (seconds, as the SDK reads it) against the default `refreshLeadTime`. */
export function lifetimeResult(lifetime: number | undefined): CheckResult {
  if (lifetime === undefined) return result(GROUP, 'expiry.lifetime', TITLE_LIFETIME, 'skip', 'the lifetime is unknown')
  if (lifetime < 2)
    return result(GROUP, 'expiry.lifetime', TITLE_LIFETIME, 'fail', `${lifetime} s: the SDK refuses lifetimes under 2 s (it would refresh in a loop)`)
  if (lifetime < 10)
    return result(GROUP, 'expiry.lifetime', TITLE_LIFETIME, 'warn', `${lifetime} s: the SDK refreshes at half-life, every ~${lifetime / 2} s per browser`)
  if (lifetime * 1000 <= 2 * DEFAULT_REFRESH_LEAD_TIME) {
    return result(
      GROUP,
      'expiry.lifetime',
      TITLE_LIFETIME,
      'pass',
      `${lifetime} s: shorter than twice refreshLeadTime (${secs(DEFAULT_REFRESH_LEAD_TIME)}), so the SDK refreshes at half-life, every ~${Math.round(lifetime / 2)} s`,
    )
  }
  return result(
    GROUP,
    'expiry.lifetime',
    TITLE_LIFETIME,
    'pass',
    `${lifetime} s: the SDK refreshes ${secs(DEFAULT_REFRESH_LEAD_TIME)} before expiry, every ~${secs(lifetime * 1000 - DEFAULT_REFRESH_LEAD_TIME)}`,
  )
}

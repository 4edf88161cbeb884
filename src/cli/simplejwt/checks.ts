import { isOk } from '../contract'
import { lifetimeResult, skewResult } from '../checks/expiry'
import { rateLimit } from '../checks/rate-limit'
import { checkRotation } from '../checks/rotation'
import { jwtClaims } from '../jwt-claims'
import { type Check, type CheckResult, result } from '../result'
import type { SimpleJwtSession } from './session'

const NOT_APPLICABLE = 'not applicable (body mode): the refresh token is in the JSON body and held in memory, never a cookie'

/** The cookie and CSRF rows of the default contract: skipped, so the report shows they were considered. */
const bodyMode: Check<SimpleJwtSession> = {
  group: 'cookie',
  async run() {
    return [
      result('cookie', 'cookie.flags', 'refresh cookie flags', 'skip', NOT_APPLICABLE),
      result('csrf', 'csrf', 'CSRF defences', 'skip', `${NOT_APPLICABLE}, so a cross-site request has nothing to ride on`),
    ]
  },
}

/**
 * simplejwt sends no `expires_in`: the `simplejwt()` preset reads the lifetime as the access
 * token's `exp` against the reply's `Date`, one second short (never `exp − iat`).
 */
const expiry: Check<SimpleJwtSession> = {
  group: 'expiry',
  async run({ first }) {
    const reply = first.loginReply
    const claims = jwtClaims(first.accessToken)
    const exp = typeof claims?.exp === 'number' ? claims.exp : undefined
    const iat = typeof claims?.iat === 'number' ? claims.iat : undefined
    const date = Date.parse(reply.headers.get('date') ?? '')
    const title = 'the access token carries exp'
    if (exp === undefined) {
      return [
        result(
          'expiry',
          'expiry.hint',
          title,
          'fail',
          'the access token has no exp claim (or is not a JWT): the simplejwt() preset cannot know when it expires and refuses it',
        ),
        skewResult(reply, iat),
        lifetimeResult(undefined),
      ]
    }
    const lifetime = Number.isFinite(date) ? Math.round(exp - date / 1000 - 1) : undefined
    return [
      Number.isFinite(date)
        ? result(
            'expiry',
            'expiry.hint',
            title,
            'pass',
            `no expires_in (simplejwt sends none); exp against the Date header: ${lifetime! + 1} s, read one second short`,
          )
        : result(
            'expiry',
            'expiry.hint',
            title,
            'warn',
            'no expires_in and no Date header: the preset reads exp against the local clock (pass accessTokenLifetime)',
          ),
      skewResult(reply, iat),
      lifetimeResult(lifetime),
    ]
  },
}

/** Stock simplejwt blacklists a rotated token but keeps its successors alive: a limitation, not a misconfiguration. */
const rotation: Check<SimpleJwtSession> = {
  group: 'rotation',
  run: async (ctx) =>
    checkRotation(await ctx.signIn(), {
      now: ctx.now,
      sleep: ctx.sleep,
      maxGrace: ctx.options.maxGrace,
      familyMissing: 'warn',
      familyNote: ' (stock simplejwt blacklists only the token presented; no reuse detection)',
    }),
}

/** Logout is `POST {prefix}/blacklist/ { refresh }`: the token must be refused afterwards. Stock simplejwt has no "everywhere". */
const logout: Check<SimpleJwtSession> = {
  group: 'logout',
  async run(ctx) {
    const out: CheckResult[] = []
    const title = 'logout (blacklist) revokes the refresh token'
    const session = await ctx.signIn()
    const token = session.refreshToken
    const reply = await session.blacklist(token)
    if (!isOk(reply.status)) {
      const hint = reply.status === 404 ? ': is rest_framework_simplejwt.token_blacklist installed and TokenBlacklistView routed?' : ''
      out.push(result('logout', 'logout.revoke', title, 'fail', `POST ${ctx.options.prefix}/blacklist/ answered ${session.describe(reply)}${hint}`))
    } else {
      const after = await session.refresh({ token })
      out.push(
        session.ends(after)
          ? result('logout', 'logout.revoke', title, 'pass', `blacklist ${reply.status}, then a refresh with the old token: ${session.describe(after)}`)
          : isOk(after.status)
            ? result(
                'logout',
                'logout.revoke',
                title,
                'fail',
                `blacklist ${reply.status}, but the old refresh token still refreshes (${after.status}): a copied token outlives the logout`,
              )
            : result(
                'logout',
                'logout.revoke',
                title,
                'warn',
                `blacklist ${reply.status}, then a refresh with the old token: ${session.describe(after)} (the preset ends the session on 401 only)`,
              ),
      )
    }
    out.push(
      result(
        'logout',
        'logout.everywhere',
        'logout everywhere ends the other sessions',
        'warn',
        "not supported by stock simplejwt: logout({ everywhere: true }) blacklists this session's token only (the SDK logs a warning)",
      ),
    )
    return out
  },
}

/** Cross-origin, a body-mode API needs CORS for the app origin (no credentials) and `Date` exposed, or the lifetime is read on the local clock. */
const cors: Check<SimpleJwtSession> = {
  group: 'cors',
  async run({ options, client }) {
    if (options.appOrigin === options.baseUrl.origin) {
      return [
        result(
          'cors',
          'cors',
          'CORS for a cross-origin base URL',
          'skip',
          `same origin: the app is served from ${options.baseUrl.origin} (pass --app-origin for a cross-origin API)`,
        ),
      ]
    }
    const path = `${options.prefix}/refresh/`
    const preflight = await client.send(path, {
      method: 'OPTIONS',
      headers: { origin: options.appOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    const allowOrigin = preflight.headers.get('access-control-allow-origin')
    const title = 'CORS allows the app origin'
    if (allowOrigin !== options.appOrigin && allowOrigin !== '*') {
      return [
        result(
          'cors',
          'cors.app',
          title,
          'fail',
          `preflight of ${path} from ${options.appOrigin}: ${preflight.status}, Access-Control-Allow-Origin ${allowOrigin ?? 'missing'}: the browser blocks the SDK's auth calls`,
        ),
      ]
    }
    // Expose-Headers belongs on the actual reply: a refresh with a token that cannot be valid (401).
    const actual = await client.send(path, { method: 'POST', json: { refresh: 'not-a-token' }, headers: { origin: options.appOrigin } })
    const exposed = (actual.headers.get('access-control-expose-headers') ?? '')
      .toLowerCase()
      .split(',')
      .map((h) => h.trim())
    const out = [result('cors', 'cors.app', title, 'pass', `preflight of ${path} from ${options.appOrigin}: Access-Control-Allow-Origin ${allowOrigin}`)]
    out.push(
      exposed.includes('date')
        ? result('cors', 'cors.date', 'the Date header is exposed', 'pass', 'Access-Control-Expose-Headers includes Date')
        : result(
            'cors',
            'cors.date',
            'the Date header is exposed',
            'warn',
            'the refresh reply has no Access-Control-Expose-Headers: Date: the preset reads exp against the local clock; expose Date or pass accessTokenLifetime',
          ),
    )
    return out
  },
}

/** The simplejwt preset's checks, in report order (the rate-limit check last). */
export const SIMPLEJWT_CHECKS: readonly Check<SimpleJwtSession>[] = [bodyMode, expiry, rotation, logout, cors, rateLimit]

import type { CheckOptions } from '../args'
import { expiryResults } from '../checks/expiry'
import { checkRotation } from '../checks/rotation'
import { isOk } from '../contract'
import { HttpClient } from '../http-client'
import { CheckInputError } from '../input-error'
import { type CheckResult, result } from '../result'
import { readTokenFields } from '../session'
import { type OAuth2Endpoints, discover } from './discovery'
import { OAuth2Session, describeOAuth } from './session'

export interface OAuth2Run {
  options: CheckOptions
  now(): number
  sleep(ms: number): Promise<void>
}

/**
 * `--backend oauth2`: the check cannot sign in (no password grant), so it starts from the
 * refresh tokens it is given: discovery, the refresh grant, rotation and reuse, RFC 7009
 * revocation, expiry hints of a refresh reply, CORS of the token endpoint. The second token
 * (if any) is for the revocation check when reuse detection revoked the first one's family.
 */
export async function runOAuth2Checks({ options, now, sleep }: OAuth2Run): Promise<CheckResult[]> {
  const issuer = options.issuer as URL
  const client = new HttpClient(issuer, options.timeout, now)
  const { results, endpoints } = await discover(client, issuer)
  if (!endpoints) return [...results, result('refresh', 'refresh.grant', 'the refresh grant works', 'skip', 'no usable metadata')]

  const [token, spare] = options.refreshTokens as [string, ...string[]]
  const session = new OAuth2Session(client, endpoints.token, options.clientId, token)
  const first = await session.refresh()
  if (!isOk(first.status)) {
    const error = describeOAuth(first)
    throw new CheckInputError(
      'REFRESH_TOKEN_REFUSED',
      `the refresh token was refused (${error}): pass one from a fresh sign-in${/invalid_client/.test(error) ? ', and check --client-id' : ''}`,
    )
  }
  const tokens = readTokenFields(first.json)
  const type = typeof first.json === 'object' && first.json !== null ? (first.json as Record<string, unknown>).token_type : undefined
  const bearer = typeof type === 'string' && type.toLowerCase() === 'bearer'
  results.push(
    tokens && bearer
      ? result(
          'refresh',
          'refresh.grant',
          'the refresh grant works (form-encoded, client_id, no secret)',
          'pass',
          `POST ${endpoints.token.pathname}: ${first.status}, token_type ${type}`,
        )
      : result(
          'refresh',
          'refresh.grant',
          'the refresh grant works (form-encoded, client_id, no secret)',
          'fail',
          `POST ${endpoints.token.pathname}: ${first.status}, ${tokens ? `token_type ${typeof type === 'string' ? type.slice(0, 20) : 'missing'}, not Bearer` : 'no access_token'}: the preset refuses the reply`,
        ),
  )
  if (tokens) results.push(...expiryResults(first, tokens))

  const rotation = await checkRotation(session, { now, sleep, maxGrace: options.maxGrace })
  results.push(...rotation)
  const familyRevoked = rotation.find((r) => r.id === 'rotation.family')?.status === 'pass'
  const live = familyRevoked || rotation.some((r) => r.id === 'rotation.new' && r.status === 'fail') ? spare : session.refreshToken
  results.push(...(await checkRevocation(client, endpoints, options.clientId, live, familyRevoked)))
  results.push(
    result(
      'logout',
      'logout.everywhere',
      'logout everywhere ends the other sessions',
      'skip',
      'not applicable: RFC 7009 has no "everywhere" (logout({ everywhere: true }) ends this session)',
    ),
  )
  results.push(...(await checkTokenCors(client, endpoints, options)))
  return results
}

async function checkRevocation(
  client: HttpClient,
  endpoints: OAuth2Endpoints,
  clientId: string,
  token: string | undefined,
  familyRevoked: boolean,
): Promise<CheckResult[]> {
  const title = 'revocation (RFC 7009) ends the refresh token'
  if (!endpoints.revocation) return [result('logout', 'logout.revoke', title, 'skip', 'no revocation_endpoint')]
  if (token === undefined) {
    const why = familyRevoked ? 'the reuse check revoked the only refresh token given' : 'no live refresh token left'
    return [result('logout', 'logout.revoke', title, 'skip', `${why}: pass a second --refresh-token (another sign-in) to check revocation too`)]
  }
  const revoke = await client.send(endpoints.revocation.href, { method: 'POST', form: { token, token_type_hint: 'refresh_token', client_id: clientId } })
  if (revoke.status !== 200)
    return [result('logout', 'logout.revoke', title, 'fail', `POST ${endpoints.revocation.pathname} answered ${describeOAuth(revoke)} (RFC 7009 §2.2: 200)`)]
  const after = new OAuth2Session(client, endpoints.token, clientId, token)
  const refresh = await after.refresh()
  return [
    after.ends(refresh)
      ? result('logout', 'logout.revoke', title, 'pass', `revocation 200, then a refresh with the token: ${describeOAuth(refresh)}`)
      : isOk(refresh.status)
        ? result('logout', 'logout.revoke', title, 'fail', `revocation 200, but the token still refreshes (${refresh.status}): logout leaves it valid`)
        : result(
            'logout',
            'logout.revoke',
            title,
            'warn',
            `revocation 200, then a refresh with the token: ${describeOAuth(refresh)} (the preset ends the session on invalid_grant only)`,
          ),
  ]
}

/**
 * The preset's token and revocation calls are simple requests (form-encoded, no custom header,
 * no credentials): the reply must allow the app origin, and must not allow a foreign one.
 * Probed with a refresh token that cannot be valid, so no real token is spent.
 */
async function checkTokenCors(client: HttpClient, endpoints: OAuth2Endpoints, options: CheckOptions): Promise<CheckResult[]> {
  if (options.appOrigin === options.baseUrl.origin) {
    return [
      result('cors', 'cors', 'CORS of the token endpoint', 'skip', `same origin: pass --app-origin (the SPA's origin) to check the token endpoint's CORS`),
    ]
  }
  const probe = (origin: string) =>
    client.send(endpoints.token.href, {
      method: 'POST',
      form: { grant_type: 'refresh_token', refresh_token: 'not-a-token', client_id: options.clientId },
      headers: { origin },
    })
  const app = await probe(options.appOrigin)
  const allowed = app.headers.get('access-control-allow-origin')
  const foreign = await probe(options.foreignOrigin)
  const foreignAllowed = foreign.headers.get('access-control-allow-origin')
  return [
    allowed === options.appOrigin || allowed === '*'
      ? result(
          'cors',
          'cors.app',
          'the token endpoint allows the app origin',
          'pass',
          `Origin ${options.appOrigin}: Access-Control-Allow-Origin ${allowed} (on a ${describeOAuth(app)} reply)`,
        )
      : result(
          'cors',
          'cors.app',
          'the token endpoint allows the app origin',
          'fail',
          `Origin ${options.appOrigin}: Access-Control-Allow-Origin ${allowed ?? 'missing'} (on a ${describeOAuth(app)} reply): the browser hides token replies from the SDK; register the origin with the client`,
        ),
    foreignAllowed === options.foreignOrigin
      ? result(
          'cors',
          'cors.foreign',
          'the token endpoint refuses a foreign origin',
          'warn',
          `Origin ${options.foreignOrigin} is allowed too: a page there can use a stolen refresh token from a browser (the client's origins should be listed)`,
        )
      : result(
          'cors',
          'cors.foreign',
          'the token endpoint refuses a foreign origin',
          'pass',
          `Origin ${options.foreignOrigin}: Access-Control-Allow-Origin ${foreignAllowed ?? 'missing'}`,
        ),
  ]
}

import { type Check, type CheckResult, result } from '../result'

const GROUP = 'cors'
const TITLE_APP = 'CORS allows credentials for the app origin'
const TITLE_FOREIGN = 'CORS refuses a foreign origin'

/**
 * For a cross-origin base URL (`--app-origin` differs from it): the preflight and the reply of
 * a refresh allow the app's origin with credentials and the CSRF header, and a foreign origin
 * gets neither.
 */
export const cors: Check = {
  group: GROUP,
  async run(ctx) {
    const { options, client, contract } = ctx
    if (options.appOrigin === options.baseUrl.origin) {
      return [
        result(
          GROUP,
          'cors',
          'CORS for a cross-origin base URL',
          'skip',
          `same origin: the app is served from ${options.baseUrl.origin} (pass --app-origin for a cross-origin API)`,
        ),
      ]
    }
    const csrfName = contract.csrfHeader.name.toLowerCase()
    const preflight = (origin: string) =>
      client.send(contract.refresh, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': `content-type,${csrfName}` },
      })
    const out: CheckResult[] = []

    const app = await preflight(options.appOrigin)
    const allowOrigin = app.headers.get('access-control-allow-origin')
    const allowCredentials = app.headers.get('access-control-allow-credentials')
    const allowHeaders = (app.headers.get('access-control-allow-headers') ?? '')
      .toLowerCase()
      .split(',')
      .map((h) => h.trim())
    const problems: string[] = []
    if (app.status < 200 || app.status >= 300) problems.push(`preflight answered ${app.status}`)
    if (allowOrigin !== options.appOrigin) problems.push(`Access-Control-Allow-Origin is ${allowOrigin ?? 'missing'}, not ${options.appOrigin}`)
    if (allowCredentials !== 'true') problems.push(`Access-Control-Allow-Credentials is ${allowCredentials ?? 'missing'}`)
    if (!allowHeaders.includes(csrfName)) problems.push(`Access-Control-Allow-Headers lacks ${contract.csrfHeader.name}`)
    if (problems.length === 0) {
      // The actual reply needs the same two headers, or the browser hides it from the SDK.
      const session = await ctx.signIn()
      const actual = await session.refresh({ origin: options.appOrigin })
      if (actual.status < 200 || actual.status >= 300) problems.push(`the refresh from the app origin answered ${actual.status}`)
      else if (actual.headers.get('access-control-allow-origin') !== options.appOrigin)
        problems.push('the refresh reply itself lacks Access-Control-Allow-Origin for the app')
      else if (actual.headers.get('access-control-allow-credentials') !== 'true')
        problems.push('the refresh reply itself lacks Access-Control-Allow-Credentials: true')
    }
    out.push(
      problems.length === 0
        ? result(
            GROUP,
            'cors.app',
            TITLE_APP,
            'pass',
            `preflight and refresh reply from ${options.appOrigin}: allowed with credentials and ${contract.csrfHeader.name}`,
          )
        : result(GROUP, 'cors.app', TITLE_APP, 'fail', `Origin ${options.appOrigin}: ${problems.join('; ')}: the browser blocks the SDK's auth calls`),
    )

    // What matters is whether a foreign page can read a token reply: the refresh itself, from
    // that Origin. A preflight that lets it through to a 403 (to say why) is harmless.
    const foreign = await preflight(options.foreignOrigin)
    const preflightAllows = foreign.headers.get('access-control-allow-origin')
    const session = await ctx.signIn()
    const actual = await session.refresh({ origin: options.foreignOrigin })
    const readable =
      actual.status >= 200 &&
      actual.status < 300 &&
      actual.headers.get('access-control-allow-origin') === options.foreignOrigin &&
      actual.headers.get('access-control-allow-credentials') === 'true'
    const seenPreflight = preflightAllows ? `the preflight answers Access-Control-Allow-Origin: ${preflightAllows}` : 'the preflight allows nothing'
    out.push(
      readable
        ? result(
            GROUP,
            'cors.foreign',
            TITLE_FOREIGN,
            'fail',
            `Origin ${options.foreignOrigin} is allowed with credentials: a page there can refresh and read the tokens (${actual.status})`,
          )
        : preflightAllows === '*' && actual.status >= 200 && actual.status < 300
          ? result(
              GROUP,
              'cors.foreign',
              TITLE_FOREIGN,
              'warn',
              `Origin ${options.foreignOrigin}: Access-Control-Allow-Origin: * (browsers refuse it with credentials, but name the app origin instead)`,
            )
          : result(
              GROUP,
              'cors.foreign',
              TITLE_FOREIGN,
              'pass',
              `Origin ${options.foreignOrigin}: ${seenPreflight}; the refresh from there answers ${actual.status}${actual.headers.get('access-control-allow-origin') ? '' : ' without CORS headers'}`,
            ),
    )
    return out
  },
}

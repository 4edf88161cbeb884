import { isOk, isRefused } from '../contract'
import type { Reply } from '../http-client'
import { type Check, result } from '../result'

const GROUP = 'csrf'
const TITLE_HEADER = 'refresh without the CSRF header is refused'
const TITLE_ORIGIN = 'refresh from a foreign Origin is refused'
const TITLE_APP = 'refresh from the app origin is accepted'

/**
 * Cookie mode only (a cookie is what a cross-site request would ride on): a refresh without
 * the custom header, or with a foreign `Origin`, must be refused; one from the app's origin
 * with the header must still work (else the refusals prove nothing).
 */
export const csrf: Check = {
  group: GROUP,
  async run(ctx) {
    const { contract, options } = ctx
    const session = await ctx.signIn()
    if (session.mode === 'body') {
      return [result(GROUP, 'csrf', 'CSRF defences', 'skip', 'body mode: the refresh token is not a cookie, so a cross-site request has nothing to ride on')]
    }
    const header = `${contract.csrfHeader.name}: ${contract.csrfHeader.value}`
    const noHeader = await session.refresh({ csrf: false })
    const foreign = await session.refresh({ origin: options.foreignOrigin })
    const control = await session.refresh({ origin: options.appOrigin })
    const controlOk = isOk(control.status)
    const verdict = (reply: Reply, what: string, id: string, title: string) =>
      isRefused(reply.status)
        ? controlOk
          ? result(GROUP, id, title, 'pass', `${what}: ${reply.status}`)
          : result(GROUP, id, title, 'warn', `${what}: ${reply.status}, but a proper refresh failed too (${control.status}), so it proves nothing`)
        : isOk(reply.status)
          ? result(GROUP, id, title, 'fail', `${what}: ${reply.status}, the refresh succeeded`)
          : result(GROUP, id, title, 'warn', `${what}: ${reply.status} (expected 400/401/403)`)
    return [
      verdict(noHeader, `refresh with the cookie and no ${contract.csrfHeader.name} header`, 'csrf.header', TITLE_HEADER),
      verdict(foreign, `refresh with ${header} and Origin: ${options.foreignOrigin}`, 'csrf.origin', TITLE_ORIGIN),
      controlOk
        ? result(GROUP, 'csrf.app-origin', TITLE_APP, 'pass', `refresh with ${header} and Origin: ${options.appOrigin}: ${control.status}`)
        : result(
            GROUP,
            'csrf.app-origin',
            TITLE_APP,
            'fail',
            `refresh with ${header} and Origin: ${options.appOrigin}: ${control.status}, the app itself is refused`,
          ),
    ]
  },
}

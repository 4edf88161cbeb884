import { describeCookie, isDeletion } from '../cookies'
import type { Reply } from '../http-client'
import { type Check, result } from '../result'
import { readTokenFields } from '../session'

const GROUP = 'exposure'
const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/

/** No token where a page script could read it: a non-HttpOnly cookie, or the refresh token in a cookie-mode body. Token replies are not cacheable. */
export const tokenExposure: Check = {
  group: GROUP,
  async run({ first }) {
    const reply = first.loginReply
    const tokens = [first.tokens.accessToken, first.refreshToken].filter(Boolean)
    const readable = reply.setCookies.filter((c) => !isDeletion(c) && !c.attributes.has('httponly') && (tokens.includes(c.value) || JWT.test(c.value)))
    const out = [
      readable.length === 0
        ? result(
            GROUP,
            'exposure.cookies',
            'no token in a script-readable cookie',
            'pass',
            `${reply.setCookies.length} cookie(s) set at sign-in; none without HttpOnly holds a token`,
          )
        : result(
            GROUP,
            'exposure.cookies',
            'no token in a script-readable cookie',
            'fail',
            `document.cookie can read a token: ${readable.map(describeCookie).join(', ')}`,
          ),
    ]
    if (first.mode === 'cookie') {
      const inBody = readTokenFields(reply.json)?.refreshToken !== undefined
      out.push(
        inBody
          ? result(
              GROUP,
              'exposure.body',
              'refresh token stays out of the JSON body (cookie mode)',
              'warn',
              'the login reply sets the refresh cookie and also returns refreshToken in the body, where page scripts can read it',
            )
          : result(GROUP, 'exposure.body', 'refresh token stays out of the JSON body (cookie mode)', 'pass', 'the login reply has no refreshToken field'),
      )
    }
    out.push(noStore(reply))
    return out
  },
}

function noStore(reply: Reply) {
  const cacheControl = reply.headers.get('cache-control') ?? ''
  return /no-store/i.test(cacheControl)
    ? result(GROUP, 'exposure.no-store', 'token replies are not cached', 'pass', `Cache-Control: ${cacheControl}`)
    : result(
        GROUP,
        'exposure.no-store',
        'token replies are not cached',
        'warn',
        `login reply has ${cacheControl ? `Cache-Control: ${cacheControl}` : 'no Cache-Control'}; send no-store so no cache keeps tokens`,
      )
}

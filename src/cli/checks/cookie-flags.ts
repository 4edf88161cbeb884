import { describeCookie } from '../cookies'
import { type Check, type CheckResult, result } from '../result'

const GROUP = 'cookie'
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** The refresh cookie's flags: HttpOnly, Secure outside localhost, SameSite, Path scoped to the auth endpoints. */
export const cookieFlags: Check = {
  group: GROUP,
  async run({ first, options, client, contract }) {
    const cookie = first.refreshCookie
    if (!cookie) return [result(GROUP, 'cookie.flags', 'refresh cookie flags', 'skip', 'body mode: the login reply set no refresh cookie')]
    const seen = describeCookie(cookie)
    const out: CheckResult[] = []
    const has = (name: string) => cookie.attributes.has(name)

    out.push(
      has('httponly')
        ? result(GROUP, 'cookie.httponly', 'refresh cookie is HttpOnly', 'pass', seen)
        : result(
            GROUP,
            'cookie.httponly',
            'refresh cookie is HttpOnly',
            'fail',
            `${seen}: without HttpOnly any script on the page (an XSS) can read the refresh token`,
          ),
    )

    const local = LOCAL_HOSTS.has(options.baseUrl.hostname) || options.baseUrl.hostname.endsWith('.localhost')
    out.push(
      has('secure')
        ? result(GROUP, 'cookie.secure', 'refresh cookie is Secure', 'pass', seen)
        : local
          ? result(
              GROUP,
              'cookie.secure',
              'refresh cookie is Secure',
              'pass',
              `${seen}: no Secure, accepted on ${options.baseUrl.hostname} only (required elsewhere)`,
            )
          : result(GROUP, 'cookie.secure', 'refresh cookie is Secure', 'fail', `${seen}: without Secure the refresh token travels over plain HTTP`),
    )

    const sameSite = cookie.attributes.get('samesite')?.toLowerCase()
    out.push(
      sameSite === 'strict' || sameSite === 'lax'
        ? result(GROUP, 'cookie.samesite', 'refresh cookie has SameSite', 'pass', seen)
        : sameSite === 'none'
          ? result(
              GROUP,
              'cookie.samesite',
              'refresh cookie has SameSite',
              'warn',
              `${seen}: SameSite=None sends it on cross-site requests; only the CSRF header and Origin checks stand in the way`,
            )
          : result(
              GROUP,
              'cookie.samesite',
              'refresh cookie has SameSite',
              'warn',
              `${seen}: no SameSite (browsers differ in their default); set Strict or Lax`,
            ),
    )

    const refreshPath = client.url(contract.refresh).pathname
    const logoutPath = client.url(contract.logout).pathname
    const path = cookie.attributes.get('path')
    const covers = (p: string, target: string) => target === p || target.startsWith(p.endsWith('/') ? p : `${p}/`)
    if (path === undefined || path === '') {
      out.push(
        result(
          GROUP,
          'cookie.path',
          'refresh cookie Path is scoped to the auth endpoints',
          'warn',
          `${seen}: no Path, so it defaults to the login URL's folder; set Path explicitly (e.g. Path=/auth)`,
        ),
      )
    } else if (!covers(path, refreshPath)) {
      out.push(
        result(
          GROUP,
          'cookie.path',
          'refresh cookie Path is scoped to the auth endpoints',
          'fail',
          `${seen}: Path=${path} does not cover ${refreshPath}, so the browser never sends it to the refresh endpoint`,
        ),
      )
    } else if (!covers(path, logoutPath)) {
      out.push(
        result(
          GROUP,
          'cookie.path',
          'refresh cookie Path is scoped to the auth endpoints',
          'warn',
          `${seen}: Path=${path} does not cover ${logoutPath}: logout cannot revoke the session`,
        ),
      )
    } else if (path === '/') {
      out.push(
        result(
          GROUP,
          'cookie.path',
          'refresh cookie Path is scoped to the auth endpoints',
          'warn',
          `${seen}: Path=/ sends the refresh token with every request to the origin; scope it to the auth endpoints`,
        ),
      )
    } else {
      out.push(
        result(GROUP, 'cookie.path', 'refresh cookie Path is scoped to the auth endpoints', 'pass', `${seen}: covers ${refreshPath} and ${logoutPath} only`),
      )
    }
    return out
  },
}

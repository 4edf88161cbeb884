import { isDeletion } from '../cookies'
import { isOk, isRefused } from '../contract'
import { type Check, type CheckResult, result } from '../result'

const GROUP = 'logout'
const TITLE_REVOKE = 'logout revokes the refresh token'
const TITLE_EVERYWHERE = 'logout everywhere ends the other sessions'

/** Logout revokes (the old refresh token is refused afterwards) and `{ everywhere: true }` ends the user's other sessions. */
export const logout: Check = {
  group: GROUP,
  async run(ctx) {
    const out: CheckResult[] = []
    const one = await ctx.signIn()
    const before = one.refreshToken
    const reply = await one.logout(false)
    if (!isOk(reply.status)) {
      out.push(result(GROUP, 'logout.revoke', TITLE_REVOKE, 'fail', `POST logout answered ${reply.status}`))
    } else {
      const after = await one.refresh({ token: before })
      const cleared = one.mode === 'cookie' ? one.refreshCookieIn(reply) : undefined
      const clearNote =
        one.mode === 'cookie' ? (cleared && isDeletion(cleared) ? '; the reply clears the cookie' : '; the reply does not clear the cookie') : ''
      out.push(
        isRefused(after.status)
          ? result(
              GROUP,
              'logout.revoke',
              TITLE_REVOKE,
              cleared || one.mode === 'body' ? 'pass' : 'warn',
              `logout ${reply.status}, then a refresh with the old token: ${after.status}${clearNote}`,
            )
          : isOk(after.status)
            ? result(
                GROUP,
                'logout.revoke',
                TITLE_REVOKE,
                'fail',
                `logout ${reply.status}, but the old refresh token still refreshes (${after.status}): a copied token outlives the logout`,
              )
            : result(
                GROUP,
                'logout.revoke',
                TITLE_REVOKE,
                'warn',
                `logout ${reply.status}, then a refresh with the old token: ${after.status} (expected 400/401/403)`,
              ),
      )
    }

    const here = await ctx.signIn()
    const elsewhere = await ctx.signIn()
    const everywhere = await here.logout(true)
    if (!isOk(everywhere.status)) {
      out.push(result(GROUP, 'logout.everywhere', TITLE_EVERYWHERE, 'fail', `POST logout { everywhere: true } answered ${everywhere.status}`))
      return out
    }
    const other = await elsewhere.refresh()
    out.push(
      isRefused(other.status)
        ? result(
            GROUP,
            'logout.everywhere',
            TITLE_EVERYWHERE,
            'pass',
            `signed in twice; logout { everywhere: true } in one, then a refresh in the other: ${other.status}`,
          )
        : isOk(other.status)
          ? result(
              GROUP,
              'logout.everywhere',
              TITLE_EVERYWHERE,
              'fail',
              `signed in twice; after logout { everywhere: true } in one, the other still refreshes (${other.status})`,
            )
          : result(
              GROUP,
              'logout.everywhere',
              TITLE_EVERYWHERE,
              'warn',
              `after logout { everywhere: true }, the other session's refresh answered ${other.status}`,
            ),
    )
    return out
  },
}

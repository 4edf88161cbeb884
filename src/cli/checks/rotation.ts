import { isOk, isRefused } from '../contract'
import { type Check, type CheckResult, result } from '../result'

const GROUP = 'rotation'
const TITLE_NEW = 'each refresh returns a new refresh token'
const TITLE_PREVIOUS = 'the previous refresh token is refused'
const TITLE_FAMILY = 'reusing it revokes the token family'

/**
 * Rotation and reuse detection (RFC 9700 §4.14): a refresh hands out a new refresh token, the
 * previous one is refused (at once, or after a grace window that this measures up to
 * `--max-grace` seconds), and presenting it revokes the family: the current one dies too.
 */
export const rotation: Check = {
  group: GROUP,
  async run(ctx) {
    const session = await ctx.signIn()
    const label = session.refreshCookie ? `refresh cookie ${session.refreshCookie.name}` : 'refreshToken in the body'
    const original = session.refreshToken
    const first = await session.refresh()
    if (!isOk(first.status)) {
      return [result(GROUP, 'rotation.new', TITLE_NEW, 'fail', `the first refresh after sign-in answered ${first.status}: the SDK cannot refresh at all`)]
    }
    const next = session.refreshTokenIn(first)
    if (next === undefined || next === original) {
      const why = next === undefined ? `the refresh reply set no new ${label}` : `the refresh reply set the same ${label} again`
      return [
        result(GROUP, 'rotation.new', TITLE_NEW, 'fail', `${why}: a stolen refresh token stays valid for the whole session`),
        result(GROUP, 'rotation.previous', TITLE_PREVIOUS, 'skip', 'no rotation, so there is no previous token'),
        result(GROUP, 'rotation.family', TITLE_FAMILY, 'skip', 'no rotation, so there is no reuse to detect'),
      ]
    }
    const out: CheckResult[] = [result(GROUP, 'rotation.new', TITLE_NEW, 'pass', `the refresh reply set a new ${label}, different from the sign-in's`)]

    // Present the sign-in's (now rotated) token, again and again while a grace window accepts it.
    const rotatedAt = first.receivedAt
    let probe = await session.refresh({ token: original })
    let accepted: number | null = null
    while (isOk(probe.status) && ctx.now() - rotatedAt < ctx.options.maxGrace * 1000) {
      accepted = ctx.now() - rotatedAt
      await ctx.sleep(1000)
      probe = await session.refresh({ token: original })
    }
    const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`
    if (isRefused(probe.status)) {
      out.push(
        accepted === null
          ? result(GROUP, 'rotation.previous', TITLE_PREVIOUS, 'pass', `presented again right after rotation: ${probe.status}, no grace window`)
          : result(GROUP, 'rotation.previous', TITLE_PREVIOUS, 'pass', `grace window: still accepted ${seconds(accepted)} after rotation, refused (${probe.status}) ${seconds(ctx.now() - rotatedAt)} after`),
      )
    } else if (isOk(probe.status)) {
      return [
        ...out,
        result(GROUP, 'rotation.previous', TITLE_PREVIOUS, 'fail', `still accepted ${seconds(ctx.now() - rotatedAt)} after rotation (--max-grace ${ctx.options.maxGrace} s): rotation is not enforced`),
        result(GROUP, 'rotation.family', TITLE_FAMILY, 'skip', 'the previous token is never refused'),
      ]
    } else {
      return [
        ...out,
        result(GROUP, 'rotation.previous', TITLE_PREVIOUS, 'warn', `presenting the previous token answered ${probe.status}: neither accepted nor refused (400/401/403)`),
        result(GROUP, 'rotation.family', TITLE_FAMILY, 'skip', 'inconclusive reuse answer'),
      ]
    }

    const current = await session.refresh()
    out.push(
      isRefused(current.status)
        ? result(GROUP, 'rotation.family', TITLE_FAMILY, 'pass', `after the reuse, the current refresh token is refused too (${current.status})`)
        : isOk(current.status)
          ? result(GROUP, 'rotation.family', TITLE_FAMILY, 'fail', `after the reuse, the current refresh token still works (${current.status}): a thief who refreshed first keeps the session`)
          : result(GROUP, 'rotation.family', TITLE_FAMILY, 'warn', `after the reuse, the current refresh token answered ${current.status}`),
    )
    return out
  },
}

import { isOk, isRefused } from '../contract'
import type { Reply } from '../http-client'
import { type Check, type CheckResult, result } from '../result'

const GROUP = 'rotation'
const TITLE_NEW = 'each refresh returns a new refresh token'
const TITLE_PREVIOUS = 'the previous refresh token is refused'
const TITLE_FAMILY = 'reusing it revokes the token family'

/** A signed-in session whose refresh token can be rotated and replayed (every preset's session is one). */
export interface RotatingSession {
  /** What carries the refresh token, for the evidence: "refresh cookie rt", "refresh in the body". */
  readonly label: string
  /** The current refresh token (never printed). */
  readonly refreshToken: string
  /** A refresh with the current token, or `token`; a successful reply becomes the current tokens. */
  refresh(options?: { token?: string }): Promise<Reply>
  /** The refresh token a reply hands out, if any. */
  refreshTokenIn(reply: Reply): string | undefined
  /** Whether the SDK's backend reads this refused refresh as "the session is over". @default 400/401/403 */
  ends?(reply: Reply): boolean
  /** The answer for the evidence ("401 token_not_valid"). @default the status */
  describe?(reply: Reply): string
}

export interface RotationOptions {
  now(): number
  sleep(ms: number): Promise<void>
  /** Seconds a grace window is measured for. */
  maxGrace: number
  /** What a missing family revocation is: a contract failure, or a stated limitation. @default 'fail' */
  familyMissing?: 'fail' | 'warn'
  /** Appended to the evidence of a missing family revocation. */
  familyNote?: string
}

/**
 * Rotation and reuse detection (RFC 9700 §4.14): a refresh hands out a new refresh token, the
 * previous one is refused (at once, or after a grace window that this measures up to
 * `maxGrace` seconds), and presenting it revokes the family: the current one dies too.
 */
export async function checkRotation(session: RotatingSession, options: RotationOptions): Promise<CheckResult[]> {
  const { label } = session
  const ends = (reply: Reply) => (session.ends ? session.ends(reply) : isRefused(reply.status))
  const answer = (reply: Reply) => (session.describe ? session.describe(reply) : String(reply.status))
  const original = session.refreshToken
  const first = await session.refresh()
  if (!isOk(first.status)) {
    return [result(GROUP, 'rotation.new', TITLE_NEW, 'fail', `the first refresh answered ${answer(first)}: the SDK cannot refresh at all`)]
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
  const out: CheckResult[] = [result(GROUP, 'rotation.new', TITLE_NEW, 'pass', `the refresh reply set a new ${label}, different from the previous one`)]

  // Present the previous (now rotated) token, again and again while a grace window accepts it.
  const rotatedAt = first.receivedAt
  let probe = await session.refresh({ token: original })
  let accepted: number | null = null
  while (isOk(probe.status) && options.now() - rotatedAt < options.maxGrace * 1000) {
    accepted = options.now() - rotatedAt
    await options.sleep(1000)
    probe = await session.refresh({ token: original })
  }
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`
  if (ends(probe)) {
    out.push(
      accepted === null
        ? result(GROUP, 'rotation.previous', TITLE_PREVIOUS, 'pass', `presented again right after rotation: ${answer(probe)}, no grace window`)
        : result(
            GROUP,
            'rotation.previous',
            TITLE_PREVIOUS,
            'pass',
            `grace window: still accepted ${seconds(accepted)} after rotation, refused (${answer(probe)}) ${seconds(options.now() - rotatedAt)} after`,
          ),
    )
  } else if (isOk(probe.status)) {
    return [
      ...out,
      result(
        GROUP,
        'rotation.previous',
        TITLE_PREVIOUS,
        'fail',
        `still accepted ${seconds(options.now() - rotatedAt)} after rotation (--max-grace ${options.maxGrace} s): rotation is not enforced`,
      ),
      result(GROUP, 'rotation.family', TITLE_FAMILY, 'skip', 'the previous token is never refused'),
    ]
  } else {
    const why = isRefused(probe.status)
      ? ': refused, but not in a way the SDK reads as an ended session (it reports a misconfiguration)'
      : ': neither accepted nor refused (400/401/403)'
    return [
      ...out,
      result(GROUP, 'rotation.previous', TITLE_PREVIOUS, 'warn', `presenting the previous token answered ${answer(probe)}${why}`),
      result(GROUP, 'rotation.family', TITLE_FAMILY, 'skip', 'inconclusive reuse answer'),
    ]
  }

  const current = await session.refresh()
  const missing = options.familyMissing ?? 'fail'
  out.push(
    ends(current)
      ? result(GROUP, 'rotation.family', TITLE_FAMILY, 'pass', `after the reuse, the current refresh token is refused too (${answer(current)})`)
      : isOk(current.status)
        ? result(
            GROUP,
            'rotation.family',
            TITLE_FAMILY,
            missing,
            `after the reuse, the current refresh token still works (${current.status}): a thief who refreshed first keeps the session${options.familyNote ?? ''}`,
          )
        : result(GROUP, 'rotation.family', TITLE_FAMILY, 'warn', `after the reuse, the current refresh token answered ${answer(current)}`),
  )
  return out
}

/** Rotation of a fresh sign-in, for the presets that can sign in by themselves. */
export const rotation: Check<RotatingSession> = {
  group: GROUP,
  run: async (ctx) => checkRotation(await ctx.signIn(), { now: ctx.now, sleep: ctx.sleep, maxGrace: ctx.options.maxGrace }),
}

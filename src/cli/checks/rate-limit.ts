import { randomBytes } from 'node:crypto'
import { type Check, result } from '../result'

const GROUP = 'rate-limit'
const TITLE = 'wrong passwords are rate limited (429 + Retry-After)'
/** At most this many wrong passwords. */
export const MAX_ATTEMPTS = 30

/** Opt-in (`--check-rate-limit`): it may lock the test account for a while, so it runs last. */
export const rateLimit: Check<unknown> = {
  group: GROUP,
  async run({ options, client, contract }) {
    if (!options.checkRateLimit) {
      return [result(GROUP, 'rate-limit', TITLE, 'skip', `opt-in: --check-rate-limit sends up to ${MAX_ATTEMPTS} wrong passwords (it may lock the account)`)]
    }
    // A wrong password that cannot be the right one, different each run.
    const wrong = `${options.password}-wrong-${randomBytes(6).toString('hex')}`
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const reply = await client.send(contract.login, {
        method: 'POST',
        json: { username: options.username, password: wrong },
        headers: { [contract.csrfHeader.name]: contract.csrfHeader.value },
      })
      if (reply.status !== 429) continue
      const retryAfter = reply.headers.get('retry-after')
      const valid = retryAfter !== null && (/^\d+$/.test(retryAfter.trim()) || Number.isFinite(Date.parse(retryAfter)))
      return [
        valid
          ? result(GROUP, 'rate-limit', TITLE, 'pass', `429 after ${attempt} wrong passwords, Retry-After: ${retryAfter}`)
          : result(
              GROUP,
              'rate-limit',
              TITLE,
              'warn',
              `429 after ${attempt} wrong passwords, but ${retryAfter === null ? 'no Retry-After' : `an unreadable Retry-After (${retryAfter})`}: clients cannot tell how long to wait`,
            ),
      ]
    }
    return [result(GROUP, 'rate-limit', TITLE, 'warn', `no 429 after ${MAX_ATTEMPTS} wrong passwords: password guessing is not slowed down`)]
  },
}

/** Backoff policy for transient refresh failures. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number
  /** First backoff step in ms; doubles each attempt. */
  baseDelay: number
  /** Upper bound of one backoff step in ms; a longer `Retry-After` ends the retries. */
  maxDelay: number
}

/** The backoff steps (not options); `retries` comes from the `retry` option. */
export const BACKOFF = { baseDelay: 1000, maxDelay: 30_000 }

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so tabs and
 * clients that failed together do not retry together.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelay, policy.baseDelay * 2 ** attempt)
  return step / 2 + random() * (step / 2)
}

/** The shortest wait between two refresh attempts, whatever `Retry-After` says. */
export const MIN_RETRY_DELAY = 250

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)'
const LONG_DAY = '(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day'
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)'
const TIME = '\\d{2}:\\d{2}:\\d{2}'
/** The three HTTP-date forms of RFC 9110 §5.6.7: IMF-fixdate, obsolete RFC 850 and asctime. */
const HTTP_DATE = new RegExp(
  `^(?:${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT|${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT|${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4})$`,
)

/**
 * Parses `Retry-After` into ms from `now`: delta-seconds or an HTTP-date only; `undefined` if
 * absent or anything else (`Date.parse` reads junk such as "a 3000" as the year 3000).
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined
  const trimmed = header.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000
  if (!HTTP_DATE.test(trimmed)) return undefined
  // asctime carries no zone and means GMT; Date.parse would read it as local time.
  const date = Date.parse(/GMT$/.test(trimmed) ? trimmed : `${trimmed} GMT`)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

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

/** Parses `Retry-After` (seconds or HTTP date) into ms from `now`; `undefined` if absent or invalid. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined
  const trimmed = header.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000
  // HTTP dates always name a weekday/month; anything else ("-5") is not one, whatever Date.parse thinks.
  if (!/[a-z]/i.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

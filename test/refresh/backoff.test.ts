import { describe, expect, it } from 'vitest'
import { backoffDelay, parseRetryAfter } from '../../src/refresh/backoff'

describe('backoffDelay', () => {
  const policy = { retries: 5, baseDelay: 1000, maxDelay: 8000 }
  it('doubles each attempt with half of the step jittered', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(500)
    expect(backoffDelay(0, policy, () => 1)).toBe(1000)
    expect(backoffDelay(2, policy, () => 0)).toBe(2000)
    expect(backoffDelay(2, policy, () => 0.5)).toBe(3000)
  })
  it('is capped by maxDelay', () => {
    expect(backoffDelay(10, policy, () => 1)).toBe(8000)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it('reads seconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
  })
  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0)
  })
  it('ignores absent and invalid values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined()
    expect(parseRetryAfter('', now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
  })
  it('accepts only delta-seconds or an HTTP-date: junk that Date.parse reads is ignored', () => {
    // "a 3000" used to be parsed as a date: a cooldown until the year 3000.
    expect(parseRetryAfter('a 3000', now)).toBeUndefined()
    expect(parseRetryAfter('year 2999', now)).toBeUndefined()
    expect(parseRetryAfter('2026-01-01T00:00:30Z', now)).toBeUndefined()
    expect(parseRetryAfter('1e3', now)).toBeUndefined()
    // The three HTTP-date forms of RFC 9110 §5.6.7.
    expect(parseRetryAfter('Thursday, 01-Jan-26 00:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Thu Jan  1 00:00:30 2026', now)).toBe(30_000)
  })
  it('RFC 850 dates: each of the seven long day names, and nothing else', () => {
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) {
      expect(parseRetryAfter(`${day}, 01-Jan-26 00:00:30 GMT`, now), day).toBe(30_000)
    }
    for (const day of ['Tueday', 'Satday', 'day', 'Thursdayday', 'Thu']) {
      expect(parseRetryAfter(`${day}, 01-Jan-26 00:00:30 GMT`, now), day).toBeUndefined()
    }
  })
})

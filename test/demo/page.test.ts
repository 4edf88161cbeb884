import { describe, expect, it } from 'vitest'
import { DEMO_USERS } from '../../demo/mock/backend'
import { countdown, describeError, describeStatus, policyNote, timeAgo } from '../../demo/page/format'
import { DEMO_USERS as PAGE_USERS } from '../../demo/page/users'
import { LoginError, RefreshError, SessionExpiredError } from '../../src/index'

describe('demo page helpers', () => {
  it('lists the same demo users as the mock backend', () => {
    expect(PAGE_USERS).toEqual(DEMO_USERS)
  })

  it('formats countdowns and "time ago"', () => {
    const now = 1_000_000
    expect(countdown(null, now)).toBe('—')
    expect(countdown(now - 1, now)).toBe('now')
    expect(countdown(now + 12_300, now)).toBe('13 s')
    expect(countdown(now + 65_000, now)).toBe('1:05')
    expect(countdown(now + 2 * 3600_000 + 5 * 60_000, now)).toBe('2 h 05 min')
    expect(timeAgo(now - 10_000, now)).toBe('just now')
    expect(timeAgo(now - 120_000, now)).toBe('2 minutes ago')
    expect(timeAgo(now - 50_000, now)).toBe('1 minute ago')
    expect(timeAgo(now - 3 * 3600_000, now)).toBe('3 hours ago')
    expect(timeAgo(now - 86400_000, now)).toBe('1 day ago')
  })

  it('describes errors by kind', () => {
    expect(describeError(new LoginError('x', { status: 401 }))).toBe('Wrong username or password.')
    expect(describeError(new LoginError('x', { status: 429, retryAfter: 30 }))).toBe('Too many requests. Please try again later. (wait 30 s)')
    expect(describeError(new LoginError('x', { cause: new TypeError('Failed to fetch') }))).toMatch(/^Network error/)
    expect(describeError(new LoginError('x', { cause: Object.assign(new Error('t'), { name: 'TimeoutError' }) }))).toMatch(/timeout/)
    expect(describeError(new SessionExpiredError('idle'))).toMatch(/log in again/)
    expect(describeError(new RefreshError('x', { status: 503 }))).toMatch(/503/)
    expect(describeError(new TypeError('Failed to fetch'))).toMatch(/^Network error/)
    expect(describeError(new DOMException('t', 'TimeoutError'))).toBe('The request timed out.')
  })

  it('describes API statuses', () => {
    expect(describeStatus(new Response(null, { status: 200 }))).toBeNull()
    expect(describeStatus(new Response(null, { status: 403 }))).toBe('You do not have permission.')
    expect(describeStatus(new Response(null, { status: 429, headers: { 'retry-after': '5' } }))).toBe('Too many requests. Please try again later. (wait 5 s)')
  })

  it('the policy note reads sensibly with idle sign-out, its warning or the max age off', () => {
    const on = { idleTimeout: 120_000, idleWarningTime: 30_000, maxSessionAge: 1_800_000 }
    expect(policyNote(on)).toMatch(/^Idle sign-out after 120 s without activity, with a warning 30 s before; sessions end 30 min after sign-in; /)
    const off = policyNote({ ...on, idleTimeout: 0, maxSessionAge: 0 })
    expect(off).toMatch(/^Idle sign-out is off; no maximum session age; /)
    expect(off).not.toMatch(/warning|—/)
    expect(policyNote({ ...on, idleWarningTime: 0 })).toMatch(/without activity, without a warning;/)
    expect(policyNote(on)).toMatch(/; a refresh whose reply was lost is not retried \(no reuse grace window trusted; open with `\?grace=10` to trust one\)\. /)
    expect(policyNote({ ...on, reuseGrace: 10_000 })).toMatch(/; a refresh whose reply was lost is retried within half of a 10 s reuse grace window/)
  })
})

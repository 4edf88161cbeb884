import { describe, expect, it } from 'vitest'
import { InvalidTokenError } from '../../src'
import { computeExpiry, MIN_TOKEN_LIFETIME, refreshDueAt } from '../../src/token/expiry'

const NOW = 1_000_000_000_000

describe('computeExpiry', () => {
  it('prefers expiresIn from the local receipt time (skew-proof)', () => {
    // The JWT says it expired long ago by our clock; the server's expiresIn wins.
    expect(computeExpiry(NOW, 300, { exp: 100, iat: 50 })).toEqual({ expiresAt: NOW + 300_000, lifetime: 300_000 })
  })

  it('falls back to exp − iat measured from receipt', () => {
    // Server clock is an hour ahead: exp/iat are in our future, but the lifetime is 10 min.
    const serverNow = NOW / 1000 + 3600
    expect(computeExpiry(NOW, undefined, { iat: serverNow, exp: serverNow + 600 })).toEqual({ expiresAt: NOW + 600_000, lifetime: 600_000 })
  })

  it('uses exp against the local clock only as a last resort', () => {
    expect(computeExpiry(NOW, undefined, { exp: NOW / 1000 + 60 })).toEqual({ expiresAt: NOW + 60_000, lifetime: 60_000 })
  })

  it.each([
    ['no expiry information', undefined, {}],
    ['an opaque token without expiresIn', undefined, null],
    ['exp in the past without iat', undefined, { exp: NOW / 1000 - 10 }],
    ['exp before iat', undefined, { exp: 10, iat: 20 }],
    ['zero expiresIn', 0, null],
    ['negative expiresIn', -5, null],
    ['an implausible lifetime', 20 * 365 * 24 * 3600, null],
    // A token due again at once would refresh in a hot loop (2 318 calls in 7 s for 0.001 s).
    ['a lifetime of a millisecond', 0.001, null],
    ['a lifetime of one second', 1, null],
    ['a JWT with exp − iat = 1', undefined, { iat: 100, exp: 101 }],
  ])('rejects %s', (_name, expiresIn, claims) => {
    expect(() => computeExpiry(NOW, expiresIn as number | undefined, claims)).toThrow(InvalidTokenError)
  })
})

it('accepts the minimum usable lifetime', () => {
  expect(computeExpiry(NOW, MIN_TOKEN_LIFETIME / 1000, null).lifetime).toBe(MIN_TOKEN_LIFETIME)
})

describe('refreshDueAt', () => {
  it('refreshes leadTime before expiry', () => {
    expect(refreshDueAt({ expiresAt: NOW + 3_600_000, lifetime: 3_600_000 }, 60_000)).toBe(NOW + 3_540_000)
  })

  it('never more than half the lifetime before expiry', () => {
    expect(refreshDueAt({ expiresAt: NOW + 30_000, lifetime: 30_000 }, 60_000)).toBe(NOW + 15_000)
  })

  it('handles a negative lead as zero', () => {
    expect(refreshDueAt({ expiresAt: NOW + 30_000, lifetime: 30_000 }, -1)).toBe(NOW + 30_000)
  })
})

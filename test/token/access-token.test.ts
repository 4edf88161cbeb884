import { describe, expect, it } from 'vitest'
import { InvalidTokenError } from '../../src'
import { acceptToken, adoptSharedToken, isHeaderSafeToken, MAX_TOKEN_LENGTH, sessionStartFrom } from '../../src/token/access-token'
import { makeJwt } from '../helpers/jwt'

const NOW = 1_800_000_000_000

describe('acceptToken', () => {
  it('decodes JWT claims and measures expiry from receipt', () => {
    const token = acceptToken({ accessToken: makeJwt({ sub: 'a', iat: 100, exp: 400 }) }, NOW)
    expect(token).toMatchObject({ expiresAt: NOW + 300_000, lifetime: 300_000, claims: { sub: 'a' } })
  })
  it('accepts opaque tokens with expiresIn', () => {
    expect(acceptToken({ accessToken: 'opaque', expiresIn: 60 }, NOW)).toEqual({
      value: 'opaque',
      expiresAt: NOW + 60_000,
      lifetime: 60_000,
      receivedAt: NOW,
      claims: null,
    })
  })
  it('rejects opaque tokens without expiresIn, and malformed JWTs even with expiresIn', () => {
    expect(() => acceptToken({ accessToken: 'opaque' }, NOW)).toThrow(InvalidTokenError)
    expect(() => acceptToken({ accessToken: 'a.b', expiresIn: 60 }, NOW)).toThrow(InvalidTokenError)
  })
})

describe('token size cap', () => {
  it('refuses a token over 16 kB from any reply (a 5 MB token was attached to every request)', () => {
    expect(MAX_TOKEN_LENGTH).toBe(16 * 1024)
    expect(() => acceptToken({ accessToken: 'x'.repeat(5 * 1024 * 1024), expiresIn: 60 }, NOW)).toThrow(InvalidTokenError)
    expect(() => acceptToken({ accessToken: 'x'.repeat(MAX_TOKEN_LENGTH + 1), expiresIn: 60 }, NOW)).toThrow(InvalidTokenError)
    expect(acceptToken({ accessToken: 'x'.repeat(MAX_TOKEN_LENGTH), expiresIn: 60 }, NOW).value).toHaveLength(MAX_TOKEN_LENGTH)
  })
  it('refuses a refresh token over the same cap, or one that is not a string, whichever backend read the reply', () => {
    const huge = 'r'.repeat(MAX_TOKEN_LENGTH + 1)
    expect(() => acceptToken({ accessToken: 'a', expiresIn: 60, refreshToken: huge }, NOW)).toThrow(/Refresh token/)
    expect(() => acceptToken({ accessToken: 'a', expiresIn: 60, refreshToken: 5 as unknown as string }, NOW)).toThrow(InvalidTokenError)
    expect(acceptToken({ accessToken: 'a', expiresIn: 60, refreshToken: 'r'.repeat(MAX_TOKEN_LENGTH) }, NOW).value).toBe('a')
  })
  it('isHeaderSafeToken is the one check for replies and the channel', () => {
    expect(isHeaderSafeToken('abc.def-_~+/=')).toBe(true)
    for (const bad of ['', 'a b', 'a\nb', 'caf\u00e9', 'x\u0100', 'x'.repeat(MAX_TOKEN_LENGTH + 1), 5, null]) {
      expect(isHeaderSafeToken(bad)).toBe(false)
    }
  })
})

describe('adoptSharedToken / sessionStartFrom', () => {
  it('keeps the shared expiry as is', () => {
    expect(adoptSharedToken({ accessToken: 'x', expiresAt: 5, lifetime: 4, receivedAt: 1 })).toEqual({
      value: 'x',
      expiresAt: 5,
      lifetime: 4,
      receivedAt: 1,
      claims: null,
    })
  })
  it('uses auth_time when present and plausible', () => {
    const token = acceptToken({ accessToken: makeJwt({ auth_time: NOW / 1000 - 600, exp: NOW / 1000 + 60 }) }, NOW)
    expect(sessionStartFrom(token, NOW)).toBe(NOW - 600_000)
    const future = acceptToken({ accessToken: makeJwt({ auth_time: NOW / 1000 + 600, exp: NOW / 1000 + 60 }) }, NOW)
    expect(sessionStartFrom(future, NOW)).toBe(NOW)
  })
})

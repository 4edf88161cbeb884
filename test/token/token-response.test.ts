import { describe, expect, it } from 'vitest'
import { InvalidTokenError } from '../../src'
import { defaultParseTokenResponse } from '../../src/token/token-response'

describe('defaultParseTokenResponse', () => {
  it('accepts camelCase', () => {
    expect(defaultParseTokenResponse({ accessToken: 'a', expiresIn: 60, refreshToken: 'r' })).toEqual({ accessToken: 'a', expiresIn: 60, refreshToken: 'r' })
  })
  it('accepts OAuth 2 snake_case (RFC 6749 §5.1)', () => {
    expect(defaultParseTokenResponse({ access_token: 'a', expires_in: 60, refresh_token: 'r', token_type: 'Bearer' })).toEqual({
      accessToken: 'a',
      expiresIn: 60,
      refreshToken: 'r',
    })
  })
  it('leaves out what is absent', () => {
    expect(defaultParseTokenResponse({ accessToken: 'a' })).toEqual({ accessToken: 'a' })
  })
  it.each([
    ['null', null],
    ['an array', [{ accessToken: 'a' }]],
    ['a string', 'a'],
    ['no token', { expiresIn: 60 }],
    ['an empty token', { accessToken: '' }],
    ['a non-string token', { accessToken: 42 }],
    ['a string expiresIn', { accessToken: 'a', expiresIn: '60' }],
    ['a negative expiresIn', { accessToken: 'a', expiresIn: -1 }],
    ['a NaN expiresIn', { accessToken: 'a', expiresIn: Number.NaN }],
    ['an infinite expiresIn', { accessToken: 'a', expiresIn: Number.POSITIVE_INFINITY }],
    ['a non-string refresh token', { accessToken: 'a', refreshToken: 1 }],
  ])('rejects %s', (_name, body) => {
    expect(() => defaultParseTokenResponse(body)).toThrow(InvalidTokenError)
  })
  it('leaves the refresh token size cap to acceptToken, which every backend and setSession() go through', () => {
    expect(defaultParseTokenResponse({ accessToken: 'a', refreshToken: 'r'.repeat(16 * 1024 + 1) }).refreshToken).toHaveLength(16 * 1024 + 1)
  })
})

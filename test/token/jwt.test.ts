import { describe, expect, it } from 'vitest'
import { decodeJwt, InvalidTokenError } from '../../src'
import { looksLikeJwt } from '../../src/token/jwt'
import { b64url, makeJwt } from '../helpers/jwt'

describe('decodeJwt', () => {
  it('decodes a base64url UTF-8 JSON payload', () => {
    const claims = decodeJwt(makeJwt({ sub: 'zoë', name: '名前 🚀', exp: 2_000_000_000, iat: 1_999_999_000 }))
    expect(claims).toEqual({ sub: 'zoë', name: '名前 🚀', exp: 2_000_000_000, iat: 1_999_999_000 })
  })

  it('handles base64url characters and missing padding', () => {
    // '?>' encodes to base64 with '+' and '/' in standard alphabet
    const token = `x.${b64url(JSON.stringify({ a: '?>?>~~~' }))}.y`
    expect(decodeJwt(token)).toEqual({ a: '?>?>~~~' })
  })

  it.each([
    ['empty', ''],
    ['1 part', 'abc'],
    ['2 parts', 'abc.def'],
    ['4 parts', 'a.b.c.d'],
    ['bad base64url', 'a.@@@.c'],
    ['impossible length', 'a.abcde.c'],
    ['non-UTF-8', `a.${b64url(new Uint8Array([0xff, 0xfe, 0xfd]))}.c`],
    ['non-JSON', `a.${b64url('not json')}.c`],
    ['JSON array', `a.${b64url('[1,2]')}.c`],
    ['JSON null', `a.${b64url('null')}.c`],
    ['exp as string', makeJwt({ exp: '1700000000' })],
    ['exp NaN-ish', makeJwt({ exp: null })],
    ['exp negative', makeJwt({ exp: -5 })],
    ['exp in milliseconds', makeJwt({ exp: 1_700_000_000_000 })],
    ['iat as string', makeJwt({ iat: 'yesterday' })],
  ])('rejects %s with InvalidTokenError', (_name, token) => {
    expect(() => decodeJwt(token)).toThrow(InvalidTokenError)
  })

  it('never puts the token in the error message', () => {
    const secret = `secret.${b64url('not json at all')}.signature`
    try {
      decodeJwt(secret)
      expect.unreachable()
    } catch (error) {
      expect((error as Error).message).not.toContain('secret')
      expect((error as Error).message).not.toContain(b64url('not json at all'))
    }
  })

  it('treats strings with dots as JWTs and others as opaque', () => {
    expect(looksLikeJwt('a.b.c')).toBe(true)
    expect(looksLikeJwt('a.b')).toBe(true)
    expect(looksLikeJwt('opaque_Token-123')).toBe(false)
  })
})

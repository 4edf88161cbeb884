import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeBase64url, encodeBase64url, randomToken } from '../../src/testing/base64url'
import { JwtSigner } from '../../src/testing/jwt'
import { hmacSha256, sha256 } from '../../src/testing/sha256'

const bytes = (length: number, seed: number) => new Uint8Array(length).map((_, i) => (i * 7 + seed) & 255)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('the kit’s browser-safe HS256', () => {
  it('SHA-256 agrees with node:crypto across the padding boundaries', () => {
    for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      expect(hex(sha256(bytes(length, length)))).toBe(createHash('sha256').update(bytes(length, length)).digest('hex'))
    }
  })

  it('HMAC-SHA256 agrees with node:crypto for short, block-sized and long keys', () => {
    for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
      const key = bytes(keyLength, 3)
      const message = bytes(keyLength * 3 + 1, 9)
      expect(hex(hmacSha256(key, message))).toBe(createHmac('sha256', key).update(message).digest('hex'))
    }
  })

  it('JwtSigner signs what node:crypto verifies, and refuses a tampered or foreign token', () => {
    const signer = new JwtSigner('secret')
    const token = signer.sign({ sub: 'alice', n: 'Ünïcode ✓' })
    const [header, payload, signature] = token.split('.')
    expect(signature).toBe(createHmac('sha256', 'secret').update(`${header}.${payload}`).digest('base64url'))
    expect(signer.verify(token)).toEqual({ sub: 'alice', n: 'Ünïcode ✓' })
    expect(signer.verify(`${header}.${payload}.${signature!.slice(0, -2)}AA`)).toBeNull()
    expect(new JwtSigner('other').verify(token)).toBeNull()
    expect(signer.verify('a.b')).toBeNull()
    expect(signer.verify(`${header}.%%%.${signature}`)).toBeNull()
  })

  it('base64url round-trips and matches Buffer; random tokens are 43 characters', () => {
    const data = bytes(100, 1)
    expect(encodeBase64url(data)).toBe(Buffer.from(data).toString('base64url'))
    expect([...decodeBase64url(encodeBase64url(data))]).toEqual([...data])
    expect(() => decodeBase64url('a+b/')).toThrow(TypeError)
    expect(randomToken()).toMatch(/^[\w-]{43}$/)
    expect(randomToken()).not.toBe(randomToken())
  })
})

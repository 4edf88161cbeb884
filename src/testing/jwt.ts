import { decodeBase64url, encodeBase64url } from './base64url'
import { hmacSha256 } from './sha256'

// HS256 JWTs: real tokens, so the SDK decodes what a real server would send. Signing is
// synchronous (see sha256.ts) so the mock answers within one tick of an app's fake clock.

const utf8 = new TextEncoder()
const text = new TextDecoder('utf-8', { fatal: true })

export class JwtSigner {
  private readonly key: Uint8Array

  constructor(secret: string) {
    this.key = utf8.encode(secret)
  }

  sign(claims: Record<string, unknown>): string {
    const header = encodeBase64url(utf8.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })))
    const payload = encodeBase64url(utf8.encode(JSON.stringify(claims)))
    return `${header}.${payload}.${encodeBase64url(hmacSha256(this.key, utf8.encode(`${header}.${payload}`)))}`
  }

  /** The claims if the signature is valid, else `null` (expiry is the caller's check). */
  verify(token: string): Record<string, unknown> | null {
    const parts = token.split('.')
    if (parts.length !== 3) return null
    const [header = '', payload = '', signature = ''] = parts
    try {
      const expected = hmacSha256(this.key, utf8.encode(`${header}.${payload}`))
      const actual = decodeBase64url(signature)
      if (actual.length !== expected.length) return null
      let diff = 0
      for (let i = 0; i < expected.length; i++) diff |= (expected[i] as number) ^ (actual[i] as number)
      if (diff !== 0) return null
      const claims: unknown = JSON.parse(text.decode(decodeBase64url(payload)))
      return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null
    } catch {
      return null
    }
  }
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

// HS256 JWTs: real tokens, so the SDK decodes what a real server would send. Signing is
// synchronous (node:crypto's HMAC) rather than Web Crypto's `subtle.sign`, whose thread-pool
// round trip would race the fake clocks of the tests. The mock backend only runs in Node.

const base64url = (bytes: Buffer): string => bytes.toString('base64url')

export class JwtSigner {
  constructor(private readonly secret: string) {}

  sign(claims: Record<string, unknown>): string {
    const header = base64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })))
    const payload = base64url(Buffer.from(JSON.stringify(claims)))
    const signature = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest()
    return `${header}.${payload}.${base64url(signature)}`
  }

  /** Returns the claims if the signature is valid, else `null` (expiry is the caller's check). */
  verify(token: string): Record<string, unknown> | null {
    const parts = token.split('.')
    if (parts.length !== 3) return null
    try {
      const expected = createHmac('sha256', this.secret).update(`${parts[0]}.${parts[1]}`).digest()
      const actual = Buffer.from(parts[2]!, 'base64url')
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null
      return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>
    } catch {
      return null
    }
  }
}

export function randomToken(bytes = 32): string {
  return base64url(randomBytes(bytes))
}

// Builds unsigned JWT-shaped strings for decoding tests (the SDK never verifies signatures).
export const b64url = (value: string | Uint8Array): string => Buffer.from(typeof value === 'string' ? Buffer.from(value, 'utf8') : value).toString('base64url')

export function makeJwt(payload: unknown, header: unknown = { alg: 'HS256', typ: 'JWT' }): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.sig`
}

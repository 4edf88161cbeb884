/** One `Set-Cookie` line, parsed (RFC 6265 §5.2; attribute names lower-cased). */
export interface SetCookie {
  name: string
  value: string
  attributes: Map<string, string>
}

export function parseSetCookie(line: string): SetCookie | null {
  const [pair = '', ...rest] = line.split(';')
  const eq = pair.indexOf('=')
  if (eq <= 0) return null
  const attributes = new Map<string, string>()
  for (const part of rest) {
    const at = part.indexOf('=')
    const key = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase()
    if (key) attributes.set(key, at === -1 ? '' : part.slice(at + 1).trim())
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes }
}

/** A cookie that this reply deletes (`Max-Age=0`, an `Expires` in the past, or an empty value). */
export function isDeletion(cookie: SetCookie, now = Date.now()): boolean {
  const maxAge = cookie.attributes.get('max-age')
  if (maxAge !== undefined && Number(maxAge) <= 0) return true
  const expires = cookie.attributes.get('expires')
  if (expires !== undefined && Date.parse(expires) <= now) return true
  return cookie.value === '' || cookie.value === '""'
}

/**
 * The attributes of a cookie as evidence: never its value, which may be a token.
 * `tk_refresh: HttpOnly; SameSite=Strict; Path=/auth`.
 */
export function describeCookie(cookie: SetCookie): string {
  const parts = [...cookie.attributes]
    .filter(([key]) => key !== 'expires' && key !== 'max-age')
    .map(([key, value]) => (value ? `${label(key)}=${value}` : label(key)))
  return `${cookie.name}: ${parts.join('; ') || 'no attributes'}`
}

const LABELS: Record<string, string> = {
  httponly: 'HttpOnly',
  secure: 'Secure',
  samesite: 'SameSite',
  path: 'Path',
  domain: 'Domain',
  partitioned: 'Partitioned',
}
const label = (key: string) => LABELS[key] ?? key

/** A cookie jar of one client (one "browser"): name → value; deletions remove. */
export class CookieJar {
  private readonly cookies = new Map<string, string>()

  store(setCookies: readonly SetCookie[]): void {
    for (const cookie of setCookies) {
      if (isDeletion(cookie)) this.cookies.delete(cookie.name)
      else this.cookies.set(cookie.name, cookie.value)
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)
  }

  /** The `Cookie` header, with `overrides` replacing (or adding) some values. */
  header(overrides: Readonly<Record<string, string>> = {}): string {
    const all = new Map([...this.cookies, ...Object.entries(overrides)])
    return [...all].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

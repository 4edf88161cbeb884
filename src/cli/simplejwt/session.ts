import type { RotatingSession } from '../checks/rotation'
import type { HttpClient, Reply } from '../http-client'
import { CheckInputError } from '../input-error'
import { assertSignedIn } from '../session'

/** The `{ access, refresh }` of a simplejwt reply, or `null`. */
export function readPair(json: unknown): { access: string; refresh: string | undefined } | null {
  if (typeof json !== 'object' || json === null) return null
  const { access, refresh } = json as Record<string, unknown>
  if (typeof access !== 'string' || access === '') return null
  return { access, refresh: typeof refresh === 'string' && refresh !== '' ? refresh : undefined }
}

/** simplejwt's error code (`token_not_valid`) or DRF's field error, for the evidence (never a token). */
export function describeSimpleJwt(reply: Reply): string {
  const body = reply.json
  if (typeof body === 'object' && body !== null) {
    const { code } = body as Record<string, unknown>
    if (typeof code === 'string' && /^\w{1,40}$/.test(code)) return `${reply.status} ${code}`
  }
  return String(reply.status)
}

/**
 * One simplejwt sign-in, as the `simplejwt()` preset speaks it: `POST {prefix}/` with the
 * credentials, refresh `POST {prefix}/refresh/ { refresh }`, logout `POST {prefix}/blacklist/ { refresh }`.
 * Body mode: no cookies, no CSRF header. It keeps the current tokens; nothing here prints them.
 */
export class SimpleJwtSession implements RotatingSession {
  readonly label = 'refresh token in the body'
  accessToken: string
  refreshToken: string

  private constructor(
    private readonly client: HttpClient,
    private readonly prefix: string,
    readonly loginReply: Reply,
    pair: { access: string; refresh: string },
  ) {
    this.accessToken = pair.access
    this.refreshToken = pair.refresh
  }

  static async signIn(client: HttpClient, prefix: string, credentials: { username: string; password: string }): Promise<SimpleJwtSession> {
    const path = `${prefix}/`
    const where = `POST ${client.url(path).pathname}`
    const reply = await client.send(path, { method: 'POST', json: credentials })
    assertSignedIn(reply, where, client.url(path))
    const pair = readPair(reply.json)
    if (!pair) throw new CheckInputError('BAD_LOGIN_REPLY', `${where} answered JSON without \`access\`: is it TokenObtainPairView (--prefix)?`)
    if (!pair.refresh) throw new CheckInputError('BAD_LOGIN_REPLY', `${where} returned no \`refresh\`: nothing to refresh with`)
    return new SimpleJwtSession(client, prefix, reply, { access: pair.access, refresh: pair.refresh })
  }

  async refresh(options: { token?: string } = {}): Promise<Reply> {
    const reply = await this.client.send(`${this.prefix}/refresh/`, { method: 'POST', json: { refresh: options.token ?? this.refreshToken } })
    const pair = reply.status >= 200 && reply.status < 300 ? readPair(reply.json) : null
    if (pair) {
      this.accessToken = pair.access
      // Rotation off: a reply without `refresh` keeps the current one (as the preset does).
      this.refreshToken = pair.refresh ?? this.refreshToken
    }
    return reply
  }

  /** Logout as the preset does it: blacklist the refresh token. */
  blacklist(token = this.refreshToken): Promise<Reply> {
    return this.client.send(`${this.prefix}/blacklist/`, { method: 'POST', json: { refresh: token } })
  }

  refreshTokenIn(reply: Reply): string | undefined {
    return readPair(reply.json)?.refresh
  }

  /** The preset ends the session on a 401 (or a 403); a 400 is a misconfiguration. */
  ends(reply: Reply): boolean {
    return reply.status === 401 || reply.status === 403
  }

  describe(reply: Reply): string {
    return describeSimpleJwt(reply)
  }
}

import { CookieJar, isDeletion, type SetCookie } from './cookies'
import type { Contract } from './contract'
import type { HttpClient, Reply } from './http-client'
import { CheckInputError } from './input-error'

/** The token fields of a reply, camelCase or OAuth 2 snake_case. */
export interface TokenFields {
  accessToken: string
  expiresIn: number | undefined
  refreshToken: string | undefined
}

export function readTokenFields(json: unknown): TokenFields | null {
  if (typeof json !== 'object' || json === null) return null
  const body = json as Record<string, unknown>
  const accessToken = body.accessToken ?? body.access_token
  if (typeof accessToken !== 'string' || accessToken === '') return null
  const expiresIn = body.expiresIn ?? body.expires_in
  const refreshToken = body.refreshToken ?? body.refresh_token
  return {
    accessToken,
    expiresIn: typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' && expiresIn.trim() !== '' ? Number(expiresIn) : undefined,
    refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : undefined,
  }
}

const looksHtml = (reply: Reply) => /html/i.test(reply.headers.get('content-type') ?? '') || /^\s*</.test(reply.text)

/** The cookie that carries the refresh token: the one matching the body's token, else the likeliest name. */
function pickRefreshCookie(cookies: readonly SetCookie[], bodyToken: string | undefined): SetCookie | undefined {
  const live = cookies.filter((c) => !isDeletion(c))
  return (
    live.find((c) => bodyToken !== undefined && c.value === bodyToken) ??
    live.find((c) => c.attributes.has('httponly') && /refresh|rt\b|rtok/i.test(c.name)) ??
    live.find((c) => /refresh/i.test(c.name)) ??
    live.find((c) => c.attributes.has('httponly')) ??
    live[0]
  )
}

/**
 * Every reason a sign-in reply cannot start the check, as a one-line `CheckInputError`: a
 * redirect (a login page?), wrong credentials, rate limiting, no endpoint, HTML, no JSON.
 */
export function assertSignedIn(reply: Reply, where: string, loginUrl: URL): void {
  if (reply.status >= 300 && reply.status < 400) {
    const location = reply.headers.get('location')
    const target = location ? new URL(location, loginUrl).pathname : 'elsewhere'
    throw new CheckInputError(
      'REDIRECT',
      `${where} redirects (${reply.status}) to ${target}, a login page? --base-url must be where the auth endpoints answer JSON`,
    )
  }
  if (reply.status === 401 || reply.status === 403)
    throw new CheckInputError('WRONG_CREDENTIALS', `sign-in refused (${reply.status}): check the username and password`)
  if (reply.status === 429) {
    const retryAfter = reply.headers.get('retry-after')
    throw new CheckInputError('RATE_LIMITED', `sign-in rate limited (429${retryAfter ? `, Retry-After ${retryAfter}` : ''}): try again later`)
  }
  if (reply.status === 404 || reply.status === 405) throw new CheckInputError('NO_ENDPOINT', `no login endpoint: ${where} answered ${reply.status}`)
  if (looksHtml(reply)) throw new CheckInputError('NOT_JSON', `${where} answered HTML (${reply.status}), not JSON: is --base-url the API, not the web app?`)
  if (reply.status < 200 || reply.status >= 300) throw new CheckInputError('BAD_LOGIN_REPLY', `sign-in failed: ${where} answered ${reply.status}`)
  if (reply.json === undefined) throw new CheckInputError('NOT_JSON', `${where} answered ${reply.status} without a JSON body`)
}

export interface RefreshOptions {
  /** Present this refresh token instead of the current one (a rotated or revoked token). */
  token?: string
  /** Send the CSRF header. @default true */
  csrf?: boolean
  /** An `Origin` header. */
  origin?: string
}

/**
 * One signed-in client with its own cookie jar, speaking the default contract: refresh with
 * the cookie (or `{ refreshToken }` in body mode) and the CSRF header, logout, sessions.
 * It keeps the current tokens so checks can present an old one; nothing here prints them.
 */
export class BackendSession {
  readonly jar = new CookieJar()
  /** The refresh cookie as the login reply set it (cookie mode). */
  readonly refreshCookie: SetCookie | undefined
  readonly mode: 'cookie' | 'body'
  accessToken: string
  refreshToken: string

  private constructor(
    private readonly client: HttpClient,
    private readonly contract: Contract,
    readonly loginReply: Reply,
    readonly tokens: TokenFields,
  ) {
    this.refreshCookie = pickRefreshCookie(loginReply.setCookies, tokens.refreshToken)
    this.mode = this.refreshCookie ? 'cookie' : 'body'
    this.accessToken = tokens.accessToken
    this.refreshToken = this.refreshCookie?.value ?? tokens.refreshToken ?? ''
    this.jar.store(loginReply.setCookies)
  }

  /** Signs in; every reason it cannot is a one-line `CheckInputError`. */
  static async signIn(client: HttpClient, contract: Contract, credentials: { username: string; password: string }): Promise<BackendSession> {
    const where = `POST ${client.url(contract.login).pathname}`
    const reply = await client.send(contract.login, { method: 'POST', json: credentials, headers: { [contract.csrfHeader.name]: contract.csrfHeader.value } })
    assertSignedIn(reply, where, client.url(contract.login))
    const tokens = readTokenFields(reply.json)
    if (!tokens) throw new CheckInputError('BAD_LOGIN_REPLY', `${where} answered JSON without accessToken (or access_token)`)
    const session = new BackendSession(client, contract, reply, tokens)
    if (!session.refreshToken)
      throw new CheckInputError('BAD_LOGIN_REPLY', `${where} set no refresh cookie and returned no refreshToken: nothing to refresh with`)
    return session
  }

  /** What carries the refresh token, for the evidence. */
  get label(): string {
    return this.refreshCookie ? `refresh cookie ${this.refreshCookie.name}` : 'refreshToken in the body'
  }

  private csrf(csrf = true): Record<string, string> {
    return csrf ? { [this.contract.csrfHeader.name]: this.contract.csrfHeader.value } : {}
  }

  /** A refresh call. A successful token reply becomes this session's current tokens. */
  async refresh(options: RefreshOptions = {}): Promise<Reply> {
    const token = options.token ?? this.refreshToken
    const headers = { ...this.csrf(options.csrf), ...(options.origin && { origin: options.origin }) }
    const cookie = this.refreshCookie
    const reply = cookie
      ? await this.client.send(this.contract.refresh, { method: 'POST', headers, cookie: this.jar.header({ [cookie.name]: token }) })
      : await this.client.send(this.contract.refresh, { method: 'POST', headers, json: { refreshToken: token } })
    this.adopt(reply)
    return reply
  }

  async logout(everywhere: boolean): Promise<Reply> {
    const json: Record<string, unknown> = { everywhere }
    if (this.mode === 'body') json.refreshToken = this.refreshToken
    const reply = await this.client.send(this.contract.logout, {
      method: 'POST',
      json,
      headers: { ...this.csrf(), authorization: `Bearer ${this.accessToken}` },
      cookie: this.jar.header(),
    })
    this.jar.store(reply.setCookies)
    return reply
  }

  /** The refresh cookie this reply sets, if any (a deletion included). */
  refreshCookieIn(reply: Reply): SetCookie | undefined {
    const name = this.refreshCookie?.name
    return name === undefined ? undefined : reply.setCookies.find((c) => c.name === name)
  }

  /** The refresh token a reply hands out: the new cookie value, or the body's `refreshToken`. */
  refreshTokenIn(reply: Reply): string | undefined {
    if (this.mode === 'cookie') {
      const cookie = this.refreshCookieIn(reply)
      return cookie && !isDeletion(cookie) ? cookie.value : undefined
    }
    return readTokenFields(reply.json)?.refreshToken
  }

  private adopt(reply: Reply): void {
    if (reply.status < 200 || reply.status >= 300) return
    const tokens = readTokenFields(reply.json)
    if (!tokens) return
    this.jar.store(reply.setCookies)
    this.accessToken = tokens.accessToken
    this.refreshToken = this.refreshTokenIn(reply) ?? this.refreshToken
  }
}

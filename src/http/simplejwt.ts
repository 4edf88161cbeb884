import { InvalidTokenError } from '../errors'
import { MIN_TOKEN_LIFETIME } from '../token/expiry'
import { decodeJwt, looksLikeJwt } from '../token/jwt'
import type { TokenResponse } from '../token/token-response'
import { classifyRefreshFailure, type Backend, type BackendContext, type BackendReply } from './backend'

/** Options of {@link simplejwt}. */
export interface SimpleJwtOptions {
  /**
   * Where `TokenObtainPairView` is routed; refresh is `{prefix}/refresh/`, logout `{prefix}/blacklist/`.
   * @default '/api/token'
   */
  prefix?: string
  /**
   * The access token's lifetime in seconds (`SIMPLE_JWT['ACCESS_TOKEN_LIFETIME']`). Without it the
   * lifetime is the token's `exp` against the reply's `Date` header (the server's own clock), or
   * against the local clock when `Date` cannot be read (a cross-origin reply without
   * `Access-Control-Expose-Headers: Date`).
   */
  accessTokenLifetime?: number
}

/**
 * Django REST framework simplejwt: login `POST {prefix}/` with the credentials, refresh
 * `POST {prefix}/refresh/ { refresh }` reading `{ access, refresh? }` (rotation on or off),
 * logout `POST {prefix}/blacklist/ { refresh }` (needs the `token_blacklist` app). The refresh
 * token is held in memory only (body mode). `401 token_not_valid` on refresh ends the session; a
 * 400 is a misconfiguration. `logout({ everywhere: true })` has no stock counterpart: logged,
 * and this session ends.
 *
 * The lifetime never trusts `exp − iat`: simplejwt 5.2 copies the refresh token's `iat` into
 * refreshed access tokens, which made a 5 s token look like 8 s.
 * @example new TokenManager({ baseUrl: 'https://api.example.com', backend: simplejwt({ prefix: '/api/token' }) })
 */
export function simplejwt(options: SimpleJwtOptions = {}): (context: BackendContext) => Backend {
  if (options.prefix !== undefined && typeof options.prefix !== 'string')
    throw new TypeError('tokenkeeper: simplejwt `prefix` must be a string such as "/api/token"')
  const prefix = (options.prefix ?? '/api/token').replace(/\/+$/, '')
  const lifetime = options.accessTokenLifetime
  if (lifetime !== undefined && !(typeof lifetime === 'number' && Number.isFinite(lifetime) && lifetime > 0)) {
    throw new TypeError('tokenkeeper: simplejwt `accessTokenLifetime` must be a positive number of seconds')
  }
  return ({ resolve }) => {
    const url = (path: string) => resolve(`${prefix}/${path}`)
    return {
      refreshTokenTransport: 'body',
      logoutEverywhere: false,
      login: (credentials) => ({ url: url(''), body: credentials }),
      refresh: (refreshToken) => ({ url: url('refresh/'), body: { refresh: refreshToken } }),
      logout: ({ refreshToken }) => (refreshToken ? [{ url: url('blacklist/'), body: { refresh: refreshToken } }] : []),
      readTokens: (reply) => readSimpleJwtReply(reply, lifetime),
      classifyRefreshFailure: (reply) => (reply.status === 400 ? 'misconfigured' : classifyRefreshFailure(reply)),
    }
  }
}

function readSimpleJwtReply(reply: BackendReply, lifetime: number | undefined): TokenResponse {
  const body = reply.body
  if (typeof body !== 'object' || body === null) throw new InvalidTokenError('simplejwt reply is not a JSON object')
  const { access, refresh } = body as Record<string, unknown>
  if (typeof access !== 'string' || access === '') throw new InvalidTokenError('simplejwt reply has no `access` token')
  if (refresh !== undefined && typeof refresh !== 'string') throw new InvalidTokenError('simplejwt reply has a `refresh` that is not a string')
  return { accessToken: access, ...(typeof refresh === 'string' && { refreshToken: refresh }), ...expiresIn(access, reply, lifetime) }
}

/**
 * `exp` against the server's `Date`. Both are whole seconds, so `exp − Date` may be up to a second
 * long: the lifetime is taken a second short, but never below the SDK's minimum when `exp − Date`
 * itself reaches it (a 3 s token must not be refused; the proactive refresh at half its lifetime
 * still comes before the real expiry).
 */
function expiresIn(access: string, reply: BackendReply, lifetime: number | undefined): { expiresIn?: number } {
  if (lifetime !== undefined) return { expiresIn: lifetime }
  const exp = looksLikeJwt(access) ? decodeJwt(access).exp : undefined
  if (typeof exp !== 'number') return {}
  const date = Date.parse(reply.headers.get('date') ?? '')
  // No readable Date: the local clock, never `exp − iat`.
  const upTo = exp - (Number.isNaN(date) ? reply.receivedAt : date) / 1000
  const seconds = Number.isNaN(date) ? upTo : Math.max(upTo - 1, Math.min(upTo, MIN_TOKEN_LIFETIME / 1000))
  if (!(seconds > 0)) throw new InvalidTokenError('simplejwt access token is already expired by the server clock')
  return { expiresIn: seconds }
}

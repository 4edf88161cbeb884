import { InvalidTokenError, LoginError } from '../errors'
import { defaultParseTokenResponse } from '../token/token-response'
import { browserNavigation } from '../util/environment'
import { isTransientStatus, readServerError, redactTokens, type Backend, type BackendContext, type BackendRequest } from './backend'
import { codeChallenge, randomToken } from './pkce'

/** Options of {@link oauth2}: a public client (no secret: a browser cannot keep one). */
export interface OAuth2Options {
  /** The client id registered with the authorization server. */
  clientId: string
  /**
   * The issuer: its metadata (OpenID discovery, then RFC 8414) supplies the endpoints not given
   * here. Must be `https:` (or `http:` on localhost).
   */
  issuer?: string
  /** The token endpoint (RFC 6749 §3.2). Required without `issuer`; a relative one needs `baseUrl`. */
  tokenEndpoint?: string
  /** RFC 7009 revocation endpoint: `logout()` revokes the refresh and access tokens there. Without it, logout only clears memory. */
  revocationEndpoint?: string
  /** Where `login()` sends the user (authorization code + PKCE). */
  authorizationEndpoint?: string
  /**
   * Where the server sends the user back: the page that calls `start()`, registered with the server.
   * @default the page's origin and path when the manager is built
   */
  redirectUri?: string
  /** Requested scopes. Most servers issue a refresh token only for `offline_access`. */
  scope?: string
  /** Extra authorization request parameters (Auth0's `audience`, `resource`, `prompt`...). */
  authorizationParams?: Record<string, string>
}

interface Endpoints {
  token: string
  revocation: string | undefined
  authorization: string | undefined
}

/** The errors that mean the client settings are wrong (RFC 6749 §5.2): never a logout. */
const DEAD_GRANT = 'invalid_grant'
const STORAGE_PREFIX = 'tokenkeeper.oauth2.'
const CALLBACK_PARAMS = ['code', 'state', 'error', 'error_description', 'error_uri', 'iss', 'session_state']

function isLocalhost(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]'
}

/** Parses an endpoint URL; `https:` only, `http:` on localhost. */
function endpointUrl(name: string, value: string, context: BackendContext | null): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    if (!context?.baseUrl) throw new TypeError(`tokenkeeper: oauth2 \`${name}\` is relative (${value}) and there is no \`baseUrl\` to resolve it against`)
    url = new URL(context.resolve(value))
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalhost(url))) {
    throw new TypeError(`tokenkeeper: oauth2 \`${name}\` must be https (http only on localhost): ${url.href}`)
  }
  return url.href
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields)

/**
 * OAuth 2.0 / OpenID Connect for a public client: the refresh grant (RFC 6749 §6), RFC 7009
 * revocation on logout, the authorization code flow with PKCE S256 (RFC 7636) for `login()`,
 * and the endpoints from the issuer's metadata. The refresh token is held in memory only (body
 * mode); it never crosses the tab channel. `logout({ everywhere: true })` has no standard
 * counterpart: it is logged and ends this session.
 * @example
 * ```ts
 * const tm = new TokenManager({
 *   authorizedOrigins: ['https://api.example.com'],
 *   backend: oauth2({ issuer: 'https://login.example.com', clientId: 'spa', scope: 'openid offline_access' }),
 * })
 * await tm.start() // on the redirect URI: exchanges the code
 * if (tm.getSnapshot().status !== 'active') await tm.login() // leaves the page
 * ```
 */
export function oauth2(options: OAuth2Options): (context: BackendContext) => Backend {
  // What needs no manager is checked here, so `oauth2({})` fails where it is written.
  const { clientId } = options ?? {}
  if (typeof clientId !== 'string' || clientId === '') throw new TypeError('tokenkeeper: oauth2 needs a `clientId`')
  if (!options.issuer && !options.tokenEndpoint) throw new TypeError('tokenkeeper: oauth2 needs an `issuer` (discovery) or a `tokenEndpoint`')
  const issuer = options.issuer === undefined ? undefined : endpointUrl('issuer', options.issuer, null)
  return (context) => createOAuth2Backend(options, clientId, issuer, context)
}

function createOAuth2Backend(options: OAuth2Options, clientId: string, issuer: string | undefined, context: BackendContext): Backend {
  const explicit = {
    token: options.tokenEndpoint && endpointUrl('tokenEndpoint', options.tokenEndpoint, context),
    revocation: options.revocationEndpoint && endpointUrl('revocationEndpoint', options.revocationEndpoint, context),
    authorization: options.authorizationEndpoint && endpointUrl('authorizationEndpoint', options.authorizationEndpoint, context),
  }
  const navigation = context.environment.navigation ?? browserNavigation
  const here = navigation.currentUrl()
  const redirectUri = options.redirectUri ?? (here ? new URL(here).origin + new URL(here).pathname : undefined)
  const storageKey = STORAGE_PREFIX + clientId
  let endpoints: Endpoints | null = issuer ? null : { token: explicit.token!, revocation: explicit.revocation, authorization: explicit.authorization }

  const known = (): Endpoints => {
    if (!endpoints) throw new TypeError('tokenkeeper: oauth2 metadata not loaded yet')
    return endpoints
  }
  const post = (url: string, fields: Record<string, string>): BackendRequest => ({ url, body: form({ ...fields, client_id: clientId }) })

  return {
    refreshTokenTransport: 'body',
    logoutEverywhere: false,
    async prepare() {
      if (endpoints || !issuer) return
      const metadata = await discover(issuer, context)
      endpoints = {
        token: explicit.token ?? endpointUrl('token_endpoint', String(metadata.token_endpoint), null),
        revocation: explicit.revocation ?? optionalEndpoint('revocation_endpoint', metadata.revocation_endpoint),
        authorization: explicit.authorization ?? optionalEndpoint('authorization_endpoint', metadata.authorization_endpoint),
      }
    },
    login() {
      // No password grant (RFC 9700 forbids it): sign-in is the redirect below.
      throw new TypeError('tokenkeeper: with oauth2, login() redirects to the authorization endpoint; credentials are not sent')
    },
    refresh: (refreshToken) => post(known().token, { grant_type: 'refresh_token', refresh_token: refreshToken ?? '' }),
    logout({ refreshToken, accessToken }) {
      const { revocation } = known()
      if (!revocation) return []
      const revoke = (token: string | null, hint: string) => (token ? [post(revocation, { token, token_type_hint: hint })] : [])
      // The refresh token first: revoking it usually revokes the access tokens issued from it too.
      return [...revoke(refreshToken, 'refresh_token'), ...revoke(accessToken, 'access_token')]
    },
    readTokens(reply) {
      const body = reply.body as Record<string, unknown> | undefined
      const type = body && typeof body === 'object' ? body.token_type : undefined
      // A DPoP or MAC token sent as Bearer would be refused by every API: not usable here.
      if (typeof type === 'string' && type.toLowerCase() !== 'bearer')
        throw new InvalidTokenError(`Token reply has token_type ${type.slice(0, 20)}, not Bearer`)
      return defaultParseTokenResponse(reply.body)
    },
    classifyRefreshFailure(reply) {
      if (isTransientStatus(reply.status)) return 'transient'
      // invalid_client, unauthorized_client, invalid_scope, invalid_request...: the settings are wrong.
      return readServerError(reply.body).error === DEAD_GRANT ? 'ended' : 'misconfigured'
    },
    async authorize(params) {
      const { authorization } = known()
      if (!authorization) throw new TypeError('tokenkeeper: oauth2 login() needs an `authorizationEndpoint` (or an issuer whose metadata has one)')
      if (!redirectUri) throw new TypeError('tokenkeeper: oauth2 login() needs a `redirectUri` outside a browser page')
      const storage = navigation.storage()
      if (!storage) throw new TypeError('tokenkeeper: oauth2 login() needs sessionStorage for the PKCE verifier and state')
      const state = randomToken(16)
      const verifier = randomToken(32)
      const url = new URL(authorization)
      const query: Record<string, string> = {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        state,
        code_challenge: await codeChallenge(verifier),
        code_challenge_method: 'S256',
        ...(options.scope && { scope: options.scope }),
        ...options.authorizationParams,
      }
      for (const [name, value] of Object.entries(params)) if (typeof value === 'string') query[name] = value
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value)
      // Only the round trip's secrets, never a token; removed as soon as the callback is read.
      storage.setItem(storageKey, JSON.stringify({ state, verifier, redirectUri }))
      navigation.assign(url.href)
    },
    async callback() {
      const current = navigation.currentUrl()
      if (!current || !redirectUri) return null
      const url = new URL(current)
      const expected = new URL(redirectUri)
      if (url.origin !== expected.origin || url.pathname !== expected.pathname) return null
      const params = url.searchParams
      const code = params.get('code')
      const error = params.get('error')
      if (code === null && error === null) return null
      const state = params.get('state')
      const iss = params.get('iss')
      const description = params.get('error_description')
      // Out of the address bar (and history) first: a reload or a shared link must not replay it.
      for (const name of CALLBACK_PARAMS) params.delete(name)
      navigation.replace(url.href)
      const storage = navigation.storage()
      const saved = storage?.getItem(storageKey) ?? null
      storage?.removeItem(storageKey)
      const pending = parsePending(saved)
      if (!pending || state === null || pending.state !== state) {
        throw new LoginError('Sign-in callback has an unknown or replayed state', { error: 'invalid_state' })
      }
      if (error !== null) {
        throw new LoginError(`Sign-in refused (${error.slice(0, 60)})`, {
          error: error.slice(0, 200),
          ...(description && { errorDescription: redactTokens(description.slice(0, 200)) }),
        })
      }
      // RFC 9207: a callback from another issuer (mix-up attack) must not be exchanged.
      if (issuer && iss !== null && new URL(iss).href !== issuer) throw new LoginError('Sign-in callback came from another issuer', { error: 'invalid_issuer' })
      return post(known().token, { grant_type: 'authorization_code', code: code!, redirect_uri: pending.redirectUri, code_verifier: pending.verifier })
    },
  }
}

function parsePending(saved: string | null): { state: string; verifier: string; redirectUri: string } | null {
  if (!saved) return null
  try {
    const value = JSON.parse(saved) as Record<string, unknown>
    const { state, verifier, redirectUri } = value
    return typeof state === 'string' && typeof verifier === 'string' && typeof redirectUri === 'string' ? { state, verifier, redirectUri } : null
  } catch {
    return null
  }
}

function optionalEndpoint(name: string, value: unknown): string | undefined {
  return typeof value === 'string' ? endpointUrl(name, value, null) : undefined
}

/** OpenID discovery, then RFC 8414; the metadata's `issuer` must be the one configured (RFC 8414 §3.3). */
async function discover(issuer: string, context: BackendContext): Promise<Record<string, unknown>> {
  const base = new URL(issuer)
  const path = base.pathname.replace(/\/$/, '')
  const candidates = [`${base.origin}${path}/.well-known/openid-configuration`, `${base.origin}/.well-known/oauth-authorization-server${path}`]
  for (const candidate of candidates) {
    const response = await context.fetch(candidate, { headers: { accept: 'application/json' } })
    if (!response.ok) {
      void response.body?.cancel().catch(() => undefined)
      continue
    }
    let metadata: unknown
    try {
      metadata = await response.json()
    } catch {
      throw new TypeError(`tokenkeeper: oauth2 metadata at ${candidate} is not JSON`)
    }
    if (typeof metadata !== 'object' || metadata === null) throw new TypeError(`tokenkeeper: oauth2 metadata at ${candidate} is not an object`)
    const record = metadata as Record<string, unknown>
    const same = (a: unknown) => typeof a === 'string' && a.replace(/\/$/, '') === issuer.replace(/\/$/, '')
    if (!same(record.issuer)) throw new TypeError(`tokenkeeper: oauth2 metadata at ${candidate} names another issuer`)
    if (typeof record.token_endpoint !== 'string') throw new TypeError(`tokenkeeper: oauth2 metadata at ${candidate} has no token_endpoint`)
    return record
  }
  throw new TypeError(`tokenkeeper: no oauth2 metadata for ${issuer} (tried OpenID discovery and RFC 8414)`)
}

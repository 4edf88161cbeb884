// A real OAuth 2.0 / OpenID Connect server for the tests: panva's oidc-provider, in-process, with
// its in-memory adapter, on a free port of 127.0.0.1 (issuer http://localhost:<port>).
//
// One public client (no secret, PKCE S256 required, authorization_code + refresh_token, refresh
// tokens rotated, every code exchange issues one), one confidential client for RFC 7662
// introspection (the tests' "resource server"), revocation and introspection on, the provider's
// own login and consent pages (devInteractions: any login and password are accepted), CORS for
// the test app's origins only. Nothing here runs at import time.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import Provider from 'oidc-provider'

const RS_ID = 'resource-server'
const RS_SECRET = 'resource-server-secret-for-tests-only'

/**
 * @param {object} [options]
 * @param {string} [options.clientId] the public client's id (default 'app')
 * @param {string[]} [options.redirectUris] the public client's redirect URIs
 * @param {string[]} [options.origins] origins allowed by CORS (default: the redirect URIs' origins)
 * @param {number} [options.accessTokenTtl] access token lifetime in seconds (default 3)
 * @param {number} [options.refreshTokenTtl] refresh token lifetime in seconds (default 3600)
 * @param {number} [options.clockTolerance] seconds (default 0: the 401 path is tested)
 */
export async function startOidcProvider(options = {}) {
  const {
    clientId = 'app',
    redirectUris = ['http://localhost/callback'],
    origins = [...new Set(redirectUris.map((uri) => new URL(uri).origin))],
    accessTokenTtl = 3,
    refreshTokenTtl = 3600,
    clockTolerance = 0,
  } = options

  const server = createServer()
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  const issuer = `http://localhost:${port}`

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }
  const allowed = new Set(origins)

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: redirectUris,
      },
      {
        client_id: RS_ID,
        client_secret: RS_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { methods: ['S256'], required: () => true },
    scopes: ['openid', 'offline_access'],
    claims: { openid: ['sub'] },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      introspection: {
        enabled: true,
        // The resource server may introspect any token; the public client only its own.
        allowedPolicy: async (ctx, client, token) => client.clientId === RS_ID || token.clientId === client.clientId,
      },
    },
    rotateRefreshToken: true,
    // A refresh token for every code exchange of a client allowed the grant, with or without
    // offline_access (oidc-provider drops offline_access unless prompt=consent was requested).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: refreshTokenTtl,
    },
    clockTolerance,
    clientBasedCORS: (_ctx, origin) => allowed.has(origin),
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    renderError: async (ctx, out) => {
      ctx.type = 'html'
      ctx.body = `<!doctype html><title>oidc error</title><pre id="error">${escapeHtml(out.error)}: ${escapeHtml(out.error_description ?? '')}</pre>`
    },
  })
  // Without a proxy in front: the issuer's http://localhost is the real scheme and host.
  provider.proxy = false

  /**
   * What the server saw, for the tests' assertions. Requests and grants carry no token text;
   * `issued` keeps the tokens of every 200 token reply, in order, for tests to replay or
   * introspect (in memory only, never printed).
   */
  const log = {
    /** @type {{ access_token: string, refresh_token?: string }[]} */
    issued: [],
    /** @type {{ method: string, path: string, status: number, contentType: string, authorization: string, origin: string }[]} */
    requests: [],
    /** @type {{ grantType: string, ok: boolean, error?: string, at: number }[]} */
    grants: [],
    revokedGrants: 0,
  }
  provider.on('grant.success', (ctx) => log.grants.push({ grantType: String(ctx.oidc.params?.grant_type), ok: true, at: Date.now() }))
  provider.on('grant.error', (ctx, error) => log.grants.push({ grantType: String(ctx.oidc.params?.grant_type), ok: false, error: error.error, at: Date.now() }))
  provider.on('grant.revoked', () => {
    log.revokedGrants += 1
  })

  const callback = provider.callback()
  server.on('request', (req, res) => {
    const entry = {
      method: req.method ?? '',
      path: new URL(req.url ?? '/', issuer).pathname,
      status: 0,
      contentType: String(req.headers['content-type'] ?? ''),
      // The scheme only ("Bearer", "Basic"), never the credentials.
      authorization: String(req.headers.authorization ?? '').split(' ')[0] ?? '',
      origin: String(req.headers.origin ?? ''),
    }
    res.on('finish', () => {
      entry.status = res.statusCode
      log.requests.push(entry)
    })
    if (entry.method === 'POST' && entry.path === '/token') keepIssuedTokens(res, log.issued)
    callback(req, res)
  })

  /** @param {string} path */
  const endpoint = (path) => `${issuer}${path}`
  const metadata = {
    authorization_endpoint: endpoint('/auth'),
    token_endpoint: endpoint('/token'),
    revocation_endpoint: endpoint('/token/revocation'),
    introspection_endpoint: endpoint('/token/introspection'),
    userinfo_endpoint: endpoint('/me'),
  }

  return {
    issuer,
    clientId,
    provider,
    log,
    ...metadata,
    /** Grant attempts of one grant_type, e.g. grants('refresh_token'). */
    grants: (grantType) => log.grants.filter((grant) => grant.grantType === grantType),
    /** RFC 7662 introspection as the resource server: the parsed reply ({ active, ... }). */
    async introspect(token) {
      const response = await fetch(metadata.introspection_endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${RS_ID}:${RS_SECRET}`).toString('base64')}` },
        body: new URLSearchParams({ token }),
      })
      if (!response.ok) throw new Error(`introspection answered ${response.status}`)
      return response.json()
    },
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(() => resolve(undefined)))
    },
  }
}

/** Tees a token endpoint reply's body (Koa ends with one `res.end(body)`) into `issued` when it is a 200. */
function keepIssuedTokens(res, issued) {
  const end = res.end.bind(res)
  res.end = (chunk, ...rest) => {
    if (res.statusCode === 200 && chunk) {
      try {
        const { access_token, refresh_token } = JSON.parse(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk))
        if (typeof access_token === 'string') issued.push({ access_token, ...(typeof refresh_token === 'string' && { refresh_token }) })
      } catch {
        // not JSON: nothing issued
      }
    }
    return end(chunk, ...rest)
  }
}

/** @param {string} text */
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

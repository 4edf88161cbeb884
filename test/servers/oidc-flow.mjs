// The authorization-code + PKCE flow against the oidc-provider harness without a browser: follows
// the redirects with a cookie jar, submits the provider's own login and consent forms, and
// exchanges the code. For Node-side tests (the browser path is test/e2e/oidc.e2e.mjs).
import { createHash, randomBytes } from 'node:crypto'

/**
 * @param {{ issuer: string, clientId: string, authorization_endpoint: string }} server the harness
 * @param {{ redirectUri: string, scope?: string, login?: string, state?: string, codeChallenge?: string }} options
 * @returns {Promise<{ code: string, state: string, codeVerifier: string }>} the code from the redirect to redirectUri
 */
export async function authorize(server, options) {
  const { redirectUri, scope = 'openid offline_access', login = 'alice' } = options
  const codeVerifier = randomBytes(32).toString('base64url')
  const codeChallenge = options.codeChallenge ?? createHash('sha256').update(codeVerifier).digest('base64url')
  const state = options.state ?? randomBytes(16).toString('base64url')
  const url = new URL(server.authorization_endpoint)
  url.search = new URLSearchParams({
    client_id: server.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    prompt: 'consent',
  }).toString()

  /** @type {Map<string, string>} */
  const jar = new Map()
  let next = url.href
  /** @type {URLSearchParams | undefined} */
  let form
  for (let hops = 0; hops < 20; hops += 1) {
    const response = await fetch(next, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      ...(form && { body: form }),
    })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';')
      const eq = pair.indexOf('=')
      jar.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    form = undefined
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location) {
      const target = new URL(location, next)
      if (target.href.startsWith(redirectUri)) {
        const error = target.searchParams.get('error')
        if (error) throw new Error(`authorization failed: ${error}`)
        const code = target.searchParams.get('code')
        if (!code) throw new Error('redirect without a code')
        return { code, state: target.searchParams.get('state') ?? '', codeVerifier }
      }
      next = target.href
      continue
    }
    const html = await response.text()
    if (response.status !== 200) throw new Error(`authorization step ${next} answered ${response.status}`)
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]
    if (!action) throw new Error(`no form on ${next}`)
    form = new URLSearchParams()
    for (const [, name, value] of html.matchAll(/<input[^>]*type="hidden" name="([^"]+)" value="([^"]*)"/g)) form.set(name ?? '', value ?? '')
    if (/name="login"/.test(html)) {
      form.set('login', login)
      form.set('password', 'any')
    }
    next = new URL(action, next).href
  }
  throw new Error('too many redirects in the authorization flow')
}

/**
 * Code exchange (RFC 6749 §4.1.3 with the PKCE verifier), as a public client: the raw Response.
 * @param {{ clientId: string, token_endpoint: string }} server
 * @param {{ code: string, codeVerifier: string, redirectUri: string }} grant
 */
export function exchangeCode(server, { code, codeVerifier, redirectUri }) {
  return fetch(server.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: redirectUri, client_id: server.clientId }),
  })
}

/**
 * Refresh grant (RFC 6749 §6), as a public client: the raw Response.
 * @param {{ clientId: string, token_endpoint: string }} server
 * @param {string} refreshToken
 */
export function refreshGrant(server, refreshToken) {
  return fetch(server.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: server.clientId }),
  })
}

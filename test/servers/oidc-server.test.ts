// oidc-provider itself, over raw HTTP from Node: what the oauth2() preset relies on, measured
// against panva's oidc-provider (test/servers/oidc.mjs), the code flow done by test/servers/oidc-flow.mjs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OidcServer, startOidcProvider } from './oidc.mjs'
import { authorize, exchangeCode, refreshGrant } from './oidc-flow.mjs'
import { eventually } from './poll'

const APP = 'http://localhost:5999'
const redirectUri = `${APP}/callback`
let server: OidcServer

type Tokens = { access_token: string; refresh_token: string; expires_in: number; id_token: string; token_type: string; scope: string }
const signIn = async (): Promise<Tokens> => {
  const grant = await authorize(server, { redirectUri })
  const response = await exchangeCode(server, { ...grant, redirectUri })
  expect(response.status).toBe(200)
  return (await response.json()) as Tokens
}
const userinfo = (token: string) => fetch(server.userinfo_endpoint, { headers: { authorization: `Bearer ${token}` } })

beforeAll(async () => {
  server = await startOidcProvider({ redirectUris: [redirectUri], accessTokenTtl: 2 })
})
afterAll(() => server?.close())

describe('oidc-provider (raw HTTP)', () => {
  it('publishes discovery with the endpoints the preset reads', async () => {
    const response = await fetch(`${server.issuer}/.well-known/openid-configuration`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      issuer: server.issuer,
      authorization_endpoint: server.authorization_endpoint,
      token_endpoint: server.token_endpoint,
      revocation_endpoint: server.revocation_endpoint,
      introspection_endpoint: server.introspection_endpoint,
      code_challenge_methods_supported: ['S256'],
    })
  })

  it('code + PKCE: the exchange issues an access token, a refresh token and expires_in', async () => {
    const tokens = await signIn()
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 2, refresh_token: expect.any(String), access_token: expect.any(String) })
    expect((await userinfo(tokens.access_token)).status).toBe(200)
  })

  it('refuses an authorization request without PKCE, and a code exchange with the wrong verifier', async () => {
    const url = new URL(server.authorization_endpoint)
    url.search = new URLSearchParams({ client_id: server.clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'openid', state: 's' }).toString()
    const response = await fetch(url, { redirect: 'manual' })
    expect(new URL(response.headers.get('location') ?? '', url).searchParams.get('error')).toBe('invalid_request')
    const grant = await authorize(server, { redirectUri })
    const exchange = await exchangeCode(server, { ...grant, codeVerifier: 'x'.repeat(43), redirectUri })
    expect(exchange.status).toBe(400)
    expect(await exchange.json()).toMatchObject({ error: 'invalid_grant' })
  })

  it('rotates the refresh token; a replayed one is invalid_grant and revokes the whole grant', async () => {
    const first = await signIn()
    const rotated = await refreshGrant(server, first.refresh_token)
    expect(rotated.status).toBe(200)
    const second = (await rotated.json()) as Tokens
    expect(second.refresh_token).not.toBe(first.refresh_token)
    const replay = await refreshGrant(server, first.refresh_token)
    expect(replay.status).toBe(400)
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' })
    // Reuse detection: the current refresh token and access token die with the grant.
    const after = await refreshGrant(server, second.refresh_token)
    expect(after.status).toBe(400)
    expect(await after.json()).toMatchObject({ error: 'invalid_grant' })
    expect(await server.introspect(second.access_token)).toEqual({ active: false })
  })

  it('access tokens expire on time (clockTolerance 0): userinfo answers 401', async () => {
    const { access_token } = await signIn()
    expect((await server.introspect(access_token)).active).toBe(true)
    const expired = await eventually(async () => (await userinfo(access_token)).status === 401, { timeout: 5000, message: 'the access token to expire' })
    expect(expired).toBe(true)
  })

  it('refuses a JSON refresh body (400 invalid_request): the wire format must be form-encoded', async () => {
    const { refresh_token } = await signIn()
    const response = await fetch(server.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token, client_id: server.clientId }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('RFC 7009 revocation, form-encoded with client_id: introspection says inactive, the refresh fails invalid_grant', async () => {
    const tokens = await signIn()
    expect((await server.introspect(tokens.refresh_token)).active).toBe(true)
    const revoke = await fetch(server.revocation_endpoint, {
      method: 'POST',
      body: new URLSearchParams({ token: tokens.refresh_token, token_type_hint: 'refresh_token', client_id: server.clientId }),
    })
    expect(revoke.status).toBe(200)
    expect(await server.introspect(tokens.refresh_token)).toEqual({ active: false })
    const refresh = await refreshGrant(server, tokens.refresh_token)
    expect(await refresh.json()).toMatchObject({ error: 'invalid_grant' })
  })

  it('a revocation sent as JSON with a Bearer header fails and leaves the token valid', async () => {
    const tokens = await signIn()
    const revoke = await fetch(server.revocation_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.access_token}` },
      body: JSON.stringify({ token: tokens.refresh_token }),
    })
    expect(revoke.status).toBe(400)
    expect((await server.introspect(tokens.refresh_token)).active).toBe(true)
  })

  it('CORS: the app origin is allowed on the token endpoint, another origin is not', async () => {
    const preflight = (origin: string) =>
      fetch(server.token_endpoint, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      })
    const allowed = await preflight(APP)
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP)
    const tokens = await signIn()
    const foreign = await fetch(server.token_endpoint, {
      method: 'POST',
      headers: { origin: 'http://evil.test' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: server.clientId }),
    })
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
    const own = await fetch(server.token_endpoint, {
      method: 'POST',
      headers: { origin: APP },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: server.clientId }),
    })
    expect(own.headers.get('access-control-allow-origin')).toBe(APP)
  })
})

import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { isLoginError, isRefreshError, isSessionExpiredError, oauth2, TokenManager, type OAuth2Options } from '../../src'
import { createNavigation } from '../helpers/navigation'

const ISSUER = 'https://login.example.com'
const APP = 'https://app.example.com/callback'

/** A small in-memory authorization server: discovery, PKCE-checked code exchange, rotation, revocation. */
function createServer() {
  const codes = new Map<string, { challenge: string; redirectUri: string }>()
  const live = new Set<string>()
  let serial = 0
  const requests: { url: string; headers: Headers; body: URLSearchParams; credentials: RequestCredentials }[] = []
  const revoked: string[] = []
  const faults: Response[] = []
  const issue = () => {
    const refresh = `rt-${++serial}`
    live.add(refresh)
    return Response.json({ access_token: `at-${serial}`, token_type: 'Bearer', expires_in: 300, refresh_token: refresh, scope: 'openid offline_access' })
  }
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    if (url.pathname === '/.well-known/openid-configuration') {
      return Response.json({
        issuer: ISSUER,
        token_endpoint: `${ISSUER}/token`,
        revocation_endpoint: `${ISSUER}/revoke`,
        authorization_endpoint: `${ISSUER}/authorize`,
      })
    }
    const body = new URLSearchParams(await request.text())
    requests.push({ url: url.pathname, headers: request.headers, body, credentials: request.credentials })
    const fault = faults.shift()
    if (fault) return fault
    if (url.pathname === '/revoke') {
      revoked.push(body.get('token')!)
      live.delete(body.get('token')!)
      return new Response(null, { status: 200 })
    }
    if (url.pathname !== '/token') return new Response('not found', { status: 404 })
    if (body.get('client_id') !== 'spa') return Response.json({ error: 'invalid_client' }, { status: 401 })
    if (body.get('grant_type') === 'authorization_code') {
      const pending = codes.get(body.get('code')!)
      codes.delete(body.get('code')!)
      const verifier = body.get('code_verifier') ?? ''
      const challenge = createHash('sha256').update(verifier).digest('base64url')
      if (!pending || pending.challenge !== challenge || pending.redirectUri !== body.get('redirect_uri')) {
        return Response.json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, { status: 400 })
      }
      return issue()
    }
    if (body.get('grant_type') === 'refresh_token') {
      const presented = body.get('refresh_token')!
      if (!live.delete(presented)) return Response.json({ error: 'invalid_grant' }, { status: 400 })
      return issue()
    }
    return Response.json({ error: 'unsupported_grant_type' }, { status: 400 })
  })
  /** What the user's browser does at the authorization endpoint: approve, come back with a code. */
  const approve = (authorizeUrl: string) => {
    const url = new URL(authorizeUrl)
    const code = `code-${++serial}`
    codes.set(code, { challenge: url.searchParams.get('code_challenge')!, redirectUri: url.searchParams.get('redirect_uri')! })
    return `${url.searchParams.get('redirect_uri')}?code=${code}&state=${url.searchParams.get('state')}&iss=${encodeURIComponent(ISSUER)}`
  }
  return { fetch, requests, revoked, faults, live, approve }
}

const managers: TokenManager[] = []
afterEach(() => {
  for (const tm of managers.splice(0)) tm.destroy()
})

function manager(server: ReturnType<typeof createServer>, nav: ReturnType<typeof createNavigation>, options: Partial<OAuth2Options> = {}) {
  const tm = new TokenManager({
    baseUrl: 'https://app.example.com',
    crossTab: false,
    fetch: server.fetch as typeof fetch,
    environment: { onWake: () => () => {}, onActivity: () => () => {}, navigation: nav.navigation },
    backend: oauth2({ issuer: ISSUER, clientId: 'spa', redirectUri: APP, scope: 'openid offline_access', ...options }),
  })
  managers.push(tm)
  return tm
}

/** login() in one page load, the callback in the next: what a real redirect round trip does. */
async function signIn(server: ReturnType<typeof createServer>, nav = createNavigation()) {
  const first = manager(server, nav)
  await first.start()
  void first.login()
  await vi.waitFor(() => expect(nav.assigned).toHaveLength(1))
  first.destroy()
  nav.url = server.approve(nav.assigned[0]!)
  const tm = manager(server, nav)
  await tm.start()
  return { tm, nav }
}

describe('oauth2(): authorization code + PKCE', () => {
  it('login() redirects with state and an S256 challenge; start() on the callback exchanges the code and cleans the address bar', async () => {
    const server = createServer()
    const { tm, nav } = await signIn(server)
    const authorize = new URL(nav.assigned[0]!)
    expect(authorize.origin + authorize.pathname).toBe(`${ISSUER}/authorize`)
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'spa',
      redirect_uri: APP,
      scope: 'openid offline_access',
      code_challenge_method: 'S256',
    })
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{20,}$/)
    expect(tm.getSnapshot().status).toBe('active')
    expect(await tm.getAccessToken()).toBe('at-2')
    expect(nav.url).toBe(APP) // code, state and iss gone
    expect(nav.storage.size).toBe(0) // the verifier and state live only for the round trip
    const exchange = server.requests.find((r) => r.body.get('grant_type') === 'authorization_code')!
    expect(exchange.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/)
    expect(exchange.headers.has('x-tokenkeeper')).toBe(false)
  })

  it('login() passes extra authorization parameters', async () => {
    const server = createServer()
    const nav = createNavigation()
    const tm = manager(server, nav, { authorizationParams: { audience: 'api' } })
    void tm.login({ prompt: 'login' })
    await vi.waitFor(() => expect(nav.assigned).toHaveLength(1))
    const query = new URL(nav.assigned[0]!).searchParams
    expect(query.get('audience')).toBe('api')
    expect(query.get('prompt')).toBe('login')
  })

  it('a replayed callback (state already used) is a LoginError invalid_state, not a session', async () => {
    const server = createServer()
    const { nav } = await signIn(server)
    nav.url = `${APP}?code=code-x&state=old`
    const again = manager(server, nav)
    const error = await again.start().catch((e: unknown) => e)
    expect(isLoginError(error) && error.error).toBe('invalid_state')
    expect(again.getSnapshot().status).toBe('signedOut')
    expect(nav.url).toBe(APP)
  })

  it('an error= callback is a LoginError with the server error; a failed exchange too', async () => {
    const server = createServer()
    const nav = createNavigation()
    const first = manager(server, nav)
    void first.login()
    await vi.waitFor(() => expect(nav.assigned).toHaveLength(1))
    const state = new URL(nav.assigned[0]!).searchParams.get('state')
    nav.url = `${APP}?error=access_denied&error_description=User+said+no&state=${state}`
    const error = await manager(server, nav)
      .start()
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'LOGIN_FAILED', error: 'access_denied', errorDescription: 'User said no' })
    // Also under the OAuth field's own name, as the server sent it.
    expect((error as { error_description?: string }).error_description).toBe('User said no')

    void first.login()
    await vi.waitFor(() => expect(nav.assigned).toHaveLength(2))
    const second = new URL(nav.assigned[1]!).searchParams.get('state')
    nav.url = `${APP}?code=forged&state=${second}`
    const failed = await manager(server, nav)
      .start()
      .catch((e: unknown) => e)
    expect(failed).toMatchObject({ code: 'LOGIN_FAILED', status: 400, error: 'invalid_grant' })
  })
})

describe('oauth2(): refresh grant and revocation', () => {
  it('refresh is RFC 6749 §6, form-encoded with client_id; no CSRF header, no cookies, no Bearer', async () => {
    const server = createServer()
    const { tm } = await signIn(server)
    expect(await tm.refresh()).toBe('at-3')
    const refresh = server.requests.at(-1)!
    expect(Object.fromEntries(refresh.body)).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-2', client_id: 'spa' })
    expect(refresh.headers.has('x-tokenkeeper')).toBe(false)
    expect(refresh.headers.has('authorization')).toBe(false)
    expect(refresh.credentials).toBe('same-origin')
  })

  it('invalid_grant ends the session; invalid_client is a misconfiguration that keeps it', async () => {
    const server = createServer()
    const { tm } = await signIn(server)
    server.faults.push(Response.json({ error: 'invalid_client', error_description: 'client auth failed' }, { status: 401 }))
    const misconfigured = await tm.refresh().catch((e: unknown) => e)
    expect(isRefreshError(misconfigured) && misconfigured).toMatchObject({
      transient: false,
      status: 401,
      error: 'invalid_client',
      errorDescription: 'client auth failed',
      error_description: 'client auth failed',
    })
    expect(tm.getSnapshot().status).toBe('active')
    expect(await tm.getAccessToken()).toBe('at-2')

    server.live.clear() // the refresh token was revoked server-side
    const ended = new TokenManager({
      baseUrl: 'https://app.example.com',
      crossTab: false,
      refreshCooldown: 0,
      fetch: server.fetch as typeof fetch,
      environment: { onWake: () => () => {}, onActivity: () => () => {}, navigation: createNavigation().navigation },
      backend: oauth2({ tokenEndpoint: `${ISSUER}/token`, clientId: 'spa' }),
    })
    managers.push(ended)
    ended.setSession({ access_token: 'at-x', expires_in: 300, refresh_token: 'rt-dead', token_type: 'Bearer' })
    const error = await ended.refresh().catch((e: unknown) => e)
    expect(isSessionExpiredError(error) && error.reason).toBe('refresh_rejected')
    expect(ended.getSnapshot().status).toBe('expired')
  })

  it('logout revokes the refresh and the access token (RFC 7009, no Bearer) and clears memory even when revocation fails', async () => {
    const server = createServer()
    const { tm } = await signIn(server)
    await tm.logout()
    expect(server.revoked).toEqual(['rt-2', 'at-2'])
    const revocations = server.requests.filter((r) => r.url === '/revoke')
    expect(revocations.map((r) => r.body.get('token_type_hint'))).toEqual(['refresh_token', 'access_token'])
    expect(revocations.every((r) => r.body.get('client_id') === 'spa' && !r.headers.has('authorization'))).toBe(true)
    expect(tm.getSnapshot().status).toBe('signedOut')

    const { tm: other } = await signIn(server)
    server.faults.push(new Response('<html>down</html>', { status: 503 }))
    await expect(other.logout()).resolves.toBeUndefined()
    expect(other.getSnapshot().status).toBe('signedOut')
    expect(await other.getAccessToken()).toBeNull()
  })

  it('logout({ everywhere: true }) has no RFC 7009 counterpart: it says so and still ends this session', async () => {
    const server = createServer()
    const { tm } = await signIn(server)
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    await tm.logout({ everywhere: true })
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('everywhere'))
    expect(warn.mock.calls.flat().join(' ')).not.toMatch(/rt-|at-/)
    warn.mockRestore()
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(server.revoked).toContain('rt-2')
  })

  it('setSession() takes an OAuth snake_case reply from an exchange done elsewhere', async () => {
    const server = createServer()
    const tm = manager(server, createNavigation())
    tm.setSession({ access_token: 'at-9', token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-9' })
    expect(await tm.getAccessToken()).toBe('at-9')
  })
})

describe('oauth2(): bad configuration', () => {
  const build = (options: Partial<OAuth2Options>, extra: { baseUrl?: string } = { baseUrl: 'https://app.example.com' }) =>
    new TokenManager({ ...extra, crossTab: false, backend: oauth2({ clientId: 'spa', ...options } as OAuth2Options) })

  it('throws a TypeError at construction for what cannot work', () => {
    expect(() => build({ clientId: '', issuer: ISSUER })).toThrow(/clientId/)
    expect(() => build({})).toThrow(/issuer.*tokenEndpoint/)
    expect(() => build({ issuer: 'http://login.example.com' })).toThrow(/https/)
    expect(() => build({ tokenEndpoint: 'http://login.example.com/token' })).toThrow(/https/)
    expect(() => build({ issuer: 'http://localhost:3000' })).not.toThrow()
  })

  it('the preset itself throws for what needs no manager to check (no clientId, no endpoint, an http: issuer)', () => {
    expect(() => oauth2({} as OAuth2Options)).toThrow(/clientId/)
    expect(() => oauth2({ clientId: 'spa' } as OAuth2Options)).toThrow(/issuer.*tokenEndpoint/)
    expect(() => oauth2({ clientId: 'spa', issuer: 'http://login.example.com' })).toThrow(/https/)
    expect(() => oauth2({ clientId: 'spa', tokenEndpoint: '/oauth/token' })).not.toThrow() // resolved against the manager's baseUrl
  })

  it('a relative tokenEndpoint needs baseUrl', () => {
    expect(() => new TokenManager({ crossTab: false, backend: oauth2({ clientId: 'spa', tokenEndpoint: '/oauth/token' }) })).toThrow(TypeError)
    expect(() => build({ tokenEndpoint: '/oauth/token' })).not.toThrow()
  })

  it('shorthands of the default backend beside a backend are a TypeError', () => {
    expect(
      () =>
        new TokenManager({
          baseUrl: 'https://a.test',
          crossTab: false,
          refreshTokenTransport: 'body',
          backend: oauth2({ clientId: 'spa', tokenEndpoint: 'https://a.test/t' }),
        }),
    ).toThrow(/refreshTokenTransport/)
  })

  it('discovery metadata without a token endpoint, or of another issuer, rejects start() with a clear TypeError', async () => {
    for (const metadata of [{ issuer: ISSUER }, { issuer: 'https://evil.example', token_endpoint: 'https://evil.example/token' }]) {
      const tm = new TokenManager({
        baseUrl: 'https://app.example.com',
        crossTab: false,
        fetch: (async () => Response.json(metadata)) as typeof fetch,
        backend: oauth2({ clientId: 'spa', issuer: ISSUER }),
      })
      managers.push(tm)
      await expect(tm.start()).rejects.toThrow(/tokenkeeper: oauth2 metadata .* (no token_endpoint|another issuer)/)
      expect(tm.getSnapshot().status).toBe('signedOut')
    }
  })
})

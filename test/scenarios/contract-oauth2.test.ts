// Black-box scenarios written from issue 14 and README "OAuth 2.0 and OpenID Connect" only: the oauth2()
// preset (refresh grant, §5.2 errors, RFC 7009 revocation, discovery, code + PKCE, bad input) through the
// public API, with msw as the authorization server.
import { createHash } from 'node:crypto'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { isLoginError, isRefreshError, isSessionExpiredError, oauth2, type OAuth2Options, TokenManager, type TokenManagerOptions } from '../../src/index'
import { createNavigation } from '../helpers/navigation'

const ISSUER = 'https://login.example.com'
const APP = 'https://app.example.com'
const REDIRECT = `${APP}/callback`
const T0 = Date.parse('2026-06-01T12:00:00Z')

interface Seen {
  method: string
  path: string
  headers: Headers
  credentials: RequestCredentials
  contentType: string | null
  form: Record<string, string>
  addressBar?: string
}

const server = setupServer()
const seen: Seen[] = []
const managers: TokenManager[] = []

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  vi.setSystemTime(T0)
  seen.length = 0
})
afterEach(() => {
  for (const tm of managers.splice(0)) tm.destroy()
  server.resetHandlers()
  vi.useRealTimers()
})
afterAll(() => server.close())

const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }) as { value: T; error?: undefined },
    (error: unknown) => ({ error }) as { value?: undefined; error: unknown },
  )

type Nav = ReturnType<typeof createNavigation>
/** Preset options to merge over the defaults; `undefined` removes a default. */
type Overrides = { [K in keyof OAuth2Options]?: OAuth2Options[K] | undefined }

/**
 * An authorization server: discovery, code + PKCE exchange, refresh grant with rotation, revocation.
 * Every token/revocation request is recorded, with the tab's address bar at that moment.
 */
function authServer(options: { rotate?: boolean; nav?: Nav; metadata?: Record<string, unknown> | null; rfc8414Only?: boolean } = {}) {
  const rotate = options.rotate ?? true
  let serial = 0
  const live = new Set<string>()
  const codes = new Map<string, { challenge: string; method: string; redirectUri: string }>()
  const revoked: { token: string; hint: string | undefined }[] = []
  const issue = (refresh?: string) => {
    serial += 1
    const body: Record<string, unknown> = { access_token: `at-${serial}-secret`, token_type: 'Bearer', expires_in: 300, scope: 'openid offline_access' }
    if (refresh) body.refresh_token = refresh
    return HttpResponse.json(body, { headers: { 'cache-control': 'no-store' } })
  }
  const newRefresh = () => {
    const token = `rt-${serial + 1}-secret`
    live.add(token)
    return token
  }
  const metadata =
    options.metadata === undefined
      ? {
          issuer: ISSUER,
          token_endpoint: `${ISSUER}/oauth2/v1/token`,
          revocation_endpoint: `${ISSUER}/oauth2/v1/revoke`,
          authorization_endpoint: `${ISSUER}/oauth2/v1/authorize`,
        }
      : options.metadata
  const record = async (request: Request) => {
    const text = await request.clone().text()
    const entry: Seen = {
      method: request.method,
      path: new URL(request.url).pathname,
      headers: request.headers,
      credentials: request.credentials,
      contentType: request.headers.get('content-type'),
      form: Object.fromEntries(new URLSearchParams(text)),
      ...(options.nav && { addressBar: options.nav.url }),
    }
    seen.push(entry)
    return entry
  }
  const token = async ({ request }: { request: Request }) => {
    const { form } = await record(request)
    if (form.client_id !== 'spa') return HttpResponse.json({ error: 'invalid_client' }, { status: 401 })
    if (form.grant_type === 'authorization_code') {
      const pending = codes.get(form.code ?? '')
      codes.delete(form.code ?? '')
      const challenge = createHash('sha256')
        .update(form.code_verifier ?? '')
        .digest('base64url')
      if (!pending || pending.method !== 'S256' || pending.challenge !== challenge || pending.redirectUri !== form.redirect_uri) {
        return HttpResponse.json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, { status: 400 })
      }
      return issue(newRefresh())
    }
    if (form.grant_type === 'refresh_token') {
      if (!live.has(form.refresh_token ?? ''))
        return HttpResponse.json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, { status: 400 })
      if (!rotate) return issue()
      live.delete(form.refresh_token!)
      return issue(newRefresh())
    }
    return HttpResponse.json({ error: 'unsupported_grant_type' }, { status: 400 })
  }
  const revoke = async ({ request }: { request: Request }) => {
    const { form } = await record(request)
    revoked.push({ token: form.token ?? '', hint: form.token_type_hint })
    live.delete(form.token ?? '')
    return new HttpResponse(null, { status: 200 })
  }
  server.use(
    http.get(`${ISSUER}/.well-known/openid-configuration`, () =>
      options.rfc8414Only || metadata === null ? new HttpResponse('not found', { status: 404 }) : HttpResponse.json(metadata),
    ),
    http.get(`${ISSUER}/.well-known/oauth-authorization-server`, () =>
      options.rfc8414Only && metadata ? HttpResponse.json(metadata) : new HttpResponse('not found', { status: 404 }),
    ),
    http.post(`${ISSUER}/oauth2/v1/token`, token),
    http.post(`${ISSUER}/oauth2/v1/revoke`, revoke),
    http.post(`${ISSUER}/token`, token),
    http.post(`${ISSUER}/revoke`, revoke),
  )
  /** The user approves at the authorization endpoint: back to the redirect URI with a code. */
  const approve = (authorizeUrl: string) => {
    const url = new URL(authorizeUrl)
    const code = `code-${codes.size + 1}-${serial}`
    codes.set(code, {
      challenge: url.searchParams.get('code_challenge') ?? '',
      method: url.searchParams.get('code_challenge_method') ?? '',
      redirectUri: url.searchParams.get('redirect_uri') ?? '',
    })
    return `${url.searchParams.get('redirect_uri')}?code=${code}&state=${url.searchParams.get('state')}&iss=${encodeURIComponent(ISSUER)}`
  }
  return { live, revoked, approve }
}

const tokenCalls = () => seen.filter((s) => s.path.endsWith('/token'))
const revokeCalls = () => seen.filter((s) => s.path.endsWith('/revoke'))

function manager(backend: Overrides = {}, options: Partial<TokenManagerOptions> & { nav?: Nav } = {}) {
  const { nav = createNavigation(), ...rest } = options
  const tm = new TokenManager({
    baseUrl: APP,
    crossTab: false,
    refreshCooldown: 0,
    retry: 0,
    environment: { onWake: () => () => {}, onActivity: () => () => {}, navigation: nav.navigation },
    backend: oauth2({ clientId: 'spa', tokenEndpoint: `${ISSUER}/token`, revocationEndpoint: `${ISSUER}/revoke`, ...backend } as OAuth2Options),
    ...rest,
  })
  managers.push(tm)
  return tm
}

/** A manager holding the session that a code exchange done elsewhere returned. */
function signedIn(live: Set<string>, backend: Overrides = {}, options: Partial<TokenManagerOptions> & { nav?: Nav } = {}) {
  const tm = manager(backend, options)
  live.add('rt-0-secret')
  tm.setSession({ access_token: 'at-0-secret', token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-0-secret', scope: 'openid' } as never)
  return tm
}

function collect(tm: TokenManager) {
  const events: { type: string; payload: unknown }[] = []
  for (const type of ['signedIn', 'tokenRefreshed', 'signedOut', 'sessionExpired', 'error'] as const) {
    tm.on(type, (payload) => events.push({ type, payload }))
  }
  return events
}

describe('oauth2(): setSession and the refresh grant (RFC 6749 §6)', () => {
  it('setSession() adopts a snake_case token endpoint reply as the server sent it', async () => {
    authServer()
    const tm = manager()
    const events = collect(tm)
    tm.setSession({ access_token: 'at-9-secret', token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-9-secret', scope: 'openid' } as never)
    expect(await tm.getAccessToken()).toBe('at-9-secret')
    expect(tm.getSnapshot()).toMatchObject({ status: 'active', expiresAt: T0 + 300_000 })
    expect(events.map((e) => e.type)).toContain('signedIn')
  })

  it('refresh POSTs grant_type=refresh_token, refresh_token and client_id form-encoded; no Authorization, no custom header, no cookies', async () => {
    const { live } = authServer()
    const tm = signedIn(live)
    expect(await tm.refresh()).toBe('at-1-secret')
    const [call] = tokenCalls()
    expect(call!.method).toBe('POST')
    expect(call!.contentType).toMatch(/^application\/x-www-form-urlencoded/)
    expect(call!.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-0-secret', client_id: 'spa' })
    expect(call!.form.client_secret).toBeUndefined()
    expect(call!.headers.has('authorization')).toBe(false)
    expect(call!.headers.has('x-tokenkeeper')).toBe(false)
    expect([...call!.headers.keys()].filter((name) => name.startsWith('x-'))).toEqual([])
    expect(call!.credentials).not.toBe('include')
  })

  it('a rotated refresh_token is presented next; a reply without one keeps the current one (rotation off)', async () => {
    const { live } = authServer({ rotate: true })
    const tm = signedIn(live)
    await tm.refresh()
    await tm.refresh()
    expect(tokenCalls().map((c) => c.form.refresh_token)).toEqual(['rt-0-secret', 'rt-1-secret'])

    seen.length = 0
    server.resetHandlers()
    const fixed = authServer({ rotate: false })
    const other = signedIn(fixed.live)
    const first = await other.refresh()
    const second = await other.refresh()
    expect(second).not.toBe(first)
    expect(tokenCalls().map((c) => c.form.refresh_token)).toEqual(['rt-0-secret', 'rt-0-secret'])
    expect(other.getSnapshot().status).toBe('active')
  })

  it('a relative tokenEndpoint is resolved against baseUrl', async () => {
    const paths: string[] = []
    server.use(
      http.post(`${APP}/oauth/token`, async ({ request }) => {
        paths.push(new URL(request.url).href)
        return HttpResponse.json({ access_token: 'at-rel-secret', expires_in: 300, token_type: 'Bearer' })
      }),
    )
    const tm = manager({ tokenEndpoint: '/oauth/token', revocationEndpoint: undefined })
    tm.setSession({ access_token: 'at-0-secret', expires_in: 300, refresh_token: 'rt-0-secret', token_type: 'Bearer' } as never)
    expect(await tm.refresh()).toBe('at-rel-secret')
    expect(paths).toEqual([`${APP}/oauth/token`])
  })

  it('invalid_grant ends the session: SessionExpiredError refresh_rejected, memory cleared, sessionExpired once', async () => {
    const { live } = authServer()
    const tm = signedIn(live)
    const events = collect(tm)
    live.clear() // revoked, or reused elsewhere
    const result = await settle(tm.refresh())
    expect(isSessionExpiredError(result.error) && result.error.reason).toBe('refresh_rejected')
    expect(tm.getSnapshot().status).toBe('expired')
    expect(await tm.getAccessToken()).toBeNull()
    expect(events.filter((e) => e.type === 'sessionExpired')).toHaveLength(1)
    expect((result.error as Error).message).not.toMatch(/rt-0|at-0/)
  })

  it.each([
    ['invalid_client', 401],
    ['unauthorized_client', 400],
    ['invalid_scope', 400],
    ['invalid_request', 400],
  ])('%s (%i) is a misconfiguration: RefreshError with error and error_description, never a logout', async (code, status) => {
    const { live } = authServer()
    const tm = signedIn(live)
    const events = collect(tm)
    server.use(http.post(`${ISSUER}/token`, () => HttpResponse.json({ error: code, error_description: `about ${code}` }, { status })))
    const result = await settle(tm.refresh())
    expect(isRefreshError(result.error)).toBe(true)
    expect(result.error).toMatchObject({ code: 'REFRESH_FAILED', transient: false, status, error: code, errorDescription: `about ${code}` })
    expect(tm.getSnapshot().status).toBe('active')
    expect(await tm.getAccessToken()).toBe('at-0-secret')
    expect(events.some((e) => e.type === 'sessionExpired' || e.type === 'signedOut')).toBe(false)
    expect((result.error as Error).message).not.toMatch(/rt-0|at-0/)
  })

  it('an HTML 503 is a transient RefreshError with the status; an empty 400 a misconfiguration; neither ends the session', async () => {
    const { live } = authServer()
    const tm = signedIn(live)
    server.use(
      http.post(`${ISSUER}/token`, () => new HttpResponse('<html>down</html>', { status: 503, headers: { 'content-type': 'text/html' } }), { once: true }),
    )
    const down = await settle(tm.refresh())
    expect(down.error).toMatchObject({ code: 'REFRESH_FAILED', transient: true, status: 503 })
    server.use(http.post(`${ISSUER}/token`, () => new HttpResponse(null, { status: 400 }), { once: true }))
    const empty = await settle(tm.refresh())
    expect(empty.error).toMatchObject({ code: 'REFRESH_FAILED', transient: false, status: 400 })
    expect(tm.getSnapshot().status).toBe('active')
  })

  it('an error reply that quotes the refresh token does not put it in the error message', async () => {
    const { live } = authServer()
    const tm = signedIn(live)
    server.use(
      http.post(`${ISSUER}/token`, async ({ request }) => {
        const form = new URLSearchParams(await request.text())
        return HttpResponse.json({ error: 'invalid_request', error_description: `malformed refresh_token ${form.get('refresh_token')}` }, { status: 400 })
      }),
    )
    const result = await settle(tm.refresh())
    expect(isRefreshError(result.error)).toBe(true)
    expect((result.error as Error).message).not.toContain('rt-0-secret')
  })
})

describe('oauth2(): logout is RFC 7009 revocation', () => {
  it('revokes the refresh token, then the access token: form-encoded with client_id and token_type_hint, no Bearer', async () => {
    const { live, revoked } = authServer()
    const tm = signedIn(live)
    await tm.refresh()
    await tm.logout()
    expect(revoked).toEqual([
      { token: 'rt-1-secret', hint: 'refresh_token' },
      { token: 'at-1-secret', hint: 'access_token' },
    ])
    for (const call of revokeCalls()) {
      expect(call.method).toBe('POST')
      expect(call.contentType).toMatch(/^application\/x-www-form-urlencoded/)
      expect(call.form.client_id).toBe('spa')
      expect(call.headers.has('authorization')).toBe(false)
      expect(call.headers.has('x-tokenkeeper')).toBe(false)
      expect(call.credentials).not.toBe('include')
    }
    expect(live.has('rt-1-secret')).toBe(false)
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(await tm.getAccessToken()).toBeNull()
  })

  it('clears memory first: signed out while the revocation is still on the wire', async () => {
    const { live } = authServer()
    const tm = signedIn(live)
    let answer!: () => void
    const held = new Promise<void>((resolve) => (answer = resolve))
    server.use(
      http.post(`${ISSUER}/revoke`, async () => {
        await held
        return new HttpResponse(null, { status: 200 })
      }),
    )
    const logout = tm.logout()
    await vi.advanceTimersByTimeAsync(0)
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(await tm.getAccessToken()).toBeNull()
    answer()
    await logout
  })

  it.each([
    ['a network error', () => HttpResponse.error()],
    ['a 503 HTML page', () => new HttpResponse('<html>down</html>', { status: 503 })],
    ['400 unsupported_token_type', () => HttpResponse.json({ error: 'unsupported_token_type' }, { status: 400 })],
  ])('revocation failing with %s: logout still resolves and memory is cleared', async (_name, reply) => {
    const { live } = authServer()
    const tm = signedIn(live)
    server.use(http.post(`${ISSUER}/revoke`, reply))
    await expect(tm.logout()).resolves.toBeUndefined()
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(await tm.getAccessToken()).toBeNull()
    const after = await settle(tm.refresh())
    expect(isSessionExpiredError(after.error)).toBe(true)
    expect(tokenCalls()).toHaveLength(0)
  })

  it('without a revocation endpoint, logout only clears memory', async () => {
    const { live } = authServer({ metadata: null })
    const tm = signedIn(live, { revocationEndpoint: undefined })
    await tm.logout()
    expect(revokeCalls()).toEqual([])
    expect(tm.getSnapshot().status).toBe('signedOut')
  })

  it('logout({ everywhere: true }) warns without token text, still revokes and ends this session', async () => {
    const { live, revoked } = authServer()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const tm = signedIn(live)
    await tm.logout({ everywhere: true })
    const said = warn.mock.calls.flat().map(String).join(' ')
    expect(said).toMatch(/everywhere/)
    expect(said).not.toMatch(/rt-0|at-0/)
    expect(revoked.map((r) => r.token)).toContain('rt-0-secret')
    expect(tm.getSnapshot().status).toBe('signedOut')
  })
})

describe('oauth2(): issuer discovery', () => {
  it('OpenID discovery supplies the token and revocation endpoints', async () => {
    const { live, revoked } = authServer()
    const tm = manager({ issuer: ISSUER, tokenEndpoint: undefined, revocationEndpoint: undefined })
    await tm.start()
    live.add('rt-0-secret')
    tm.setSession({ access_token: 'at-0-secret', expires_in: 300, refresh_token: 'rt-0-secret', token_type: 'Bearer' } as never)
    await tm.refresh()
    await tm.logout()
    expect(seen.map((s) => s.path)).toEqual(['/oauth2/v1/token', '/oauth2/v1/revoke', '/oauth2/v1/revoke'])
    expect(revoked.map((r) => r.token)).toEqual(['rt-1-secret', 'at-1-secret'])
  })

  it('falls back to RFC 8414 metadata when there is no OpenID configuration', async () => {
    const { live } = authServer({ rfc8414Only: true })
    const tm = manager({ issuer: ISSUER, tokenEndpoint: undefined, revocationEndpoint: undefined })
    await tm.start()
    live.add('rt-0-secret')
    tm.setSession({ access_token: 'at-0-secret', expires_in: 300, refresh_token: 'rt-0-secret', token_type: 'Bearer' } as never)
    expect(await tm.refresh()).toBe('at-1-secret')
    expect(tokenCalls().map((s) => s.path)).toEqual(['/oauth2/v1/token'])
  })

  it.each([
    ['a trailing slash (Auth0)', `${ISSUER}/`, `${ISSUER}/.well-known/openid-configuration`],
    ['a path (Keycloak realm)', `${ISSUER}/realms/demo`, `${ISSUER}/realms/demo/.well-known/openid-configuration`],
  ])('an issuer with %s is discovered at its OpenID configuration', async (_name, issuer, wellKnown) => {
    server.use(
      http.get(wellKnown, () => HttpResponse.json({ issuer, token_endpoint: `${ISSUER}/token`, revocation_endpoint: `${ISSUER}/revoke` })),
      http.post(`${ISSUER}/token`, () => HttpResponse.json({ access_token: 'at-d-secret', expires_in: 300, token_type: 'Bearer' })),
    )
    const tm = manager({ issuer, tokenEndpoint: undefined, revocationEndpoint: undefined })
    await tm.start()
    tm.setSession({ access_token: 'at-0-secret', expires_in: 300, refresh_token: 'rt-0-secret', token_type: 'Bearer' } as never)
    expect(await tm.refresh()).toBe('at-d-secret')
  })

  it('a rejected start() (bad metadata) can be called again once the metadata is right', async () => {
    authServer()
    server.use(http.get(`${ISSUER}/.well-known/openid-configuration`, () => HttpResponse.json({ issuer: ISSUER }), { once: true }))
    const tm = manager({ issuer: ISSUER, tokenEndpoint: undefined, revocationEndpoint: undefined })
    await expect(tm.start()).rejects.toThrow()
    await expect(tm.start()).resolves.toMatchObject({ status: 'signedOut' })
  })

  it('metadata without a token_endpoint rejects start() with a clear message; the status is signedOut', async () => {
    authServer({ metadata: { issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize` } })
    const tm = manager({ issuer: ISSUER, tokenEndpoint: undefined, revocationEndpoint: undefined })
    const result = await settle(tm.start())
    expect(result.error).toBeInstanceOf(Error)
    expect((result.error as Error).message).toMatch(/token_endpoint/)
    expect(tm.getSnapshot().status).toBe('signedOut')
  })

  it('metadata of another issuer rejects start()', async () => {
    authServer({ metadata: { issuer: 'https://evil.example', token_endpoint: 'https://evil.example/token' } })
    const tm = manager({ issuer: ISSUER, tokenEndpoint: undefined, revocationEndpoint: undefined })
    const result = await settle(tm.start())
    expect(result.error).toBeInstanceOf(Error)
    expect(tm.getSnapshot().status).toBe('signedOut')
  })
})

describe('oauth2(): bad configuration is a TypeError at construction', () => {
  const build =
    (backend: Record<string, unknown>, options: { baseUrl?: string } = { baseUrl: APP }) =>
    () =>
      new TokenManager({ ...options, crossTab: false, backend: oauth2(backend as unknown as OAuth2Options) })

  it.each([
    ['no clientId', { tokenEndpoint: `${ISSUER}/token` }],
    ['an empty clientId', { clientId: '', tokenEndpoint: `${ISSUER}/token` }],
    ['neither issuer nor tokenEndpoint', { clientId: 'spa' }],
    ['an http: issuer other than localhost', { clientId: 'spa', issuer: 'http://login.example.com' }],
    ['an http: tokenEndpoint other than localhost', { clientId: 'spa', tokenEndpoint: 'http://login.example.com/token' }],
    [
      'an http: revocationEndpoint other than localhost',
      { clientId: 'spa', tokenEndpoint: `${ISSUER}/token`, revocationEndpoint: 'http://login.example.com/revoke' },
    ],
  ])('%s', (_name, backend) => {
    expect(build(backend)).toThrow(TypeError)
  })

  it('a relative tokenEndpoint without baseUrl (outside a browser) is a TypeError; with baseUrl it is fine', () => {
    expect(build({ clientId: 'spa', tokenEndpoint: '/oauth/token' }, {})).toThrow(TypeError)
    expect(build({ clientId: 'spa', tokenEndpoint: '/oauth/token' })).not.toThrow()
  })

  it('http: on localhost is allowed', () => {
    expect(build({ clientId: 'spa', issuer: 'http://localhost:8080' })).not.toThrow()
    expect(build({ clientId: 'spa', tokenEndpoint: 'http://localhost:8080/token' })).not.toThrow()
  })
})

describe('oauth2(): authorization code + PKCE (S256)', () => {
  const backend = { issuer: ISSUER, tokenEndpoint: undefined, revocationEndpoint: undefined, redirectUri: REDIRECT, scope: 'openid offline_access' }

  /** login() in one page load; returns the authorization URL the page left for. */
  async function leaveForLogin(nav: Nav, extra: Overrides = {}) {
    const tm = manager({ ...backend, ...extra }, { nav })
    await tm.start()
    void tm.login().catch(() => {})
    await vi.waitFor(() => expect(nav.assigned).toHaveLength(1))
    tm.destroy()
    return new URL(nav.assigned[0]!)
  }

  it('login() leaves for the authorization endpoint with response_type=code, client_id, redirect_uri, scope, state and an S256 challenge', async () => {
    authServer()
    const nav = createNavigation()
    const url = await leaveForLogin(nav)
    expect(url.origin + url.pathname).toBe(`${ISSUER}/oauth2/v1/authorize`)
    const params = Object.fromEntries(url.searchParams)
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: 'spa',
      redirect_uri: REDIRECT,
      scope: 'openid offline_access',
      code_challenge_method: 'S256',
    })
    expect(params.state).toBeTruthy()
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/) // base64url of a SHA-256, no padding
  })

  it('start() on the callback cleans the address bar before the exchange, sends the verifier, signs in, and leaves nothing in sessionStorage', async () => {
    const nav = createNavigation()
    const { approve } = authServer({ nav })
    const authorize = await leaveForLogin(nav)
    nav.url = approve(authorize.href)
    const tm = manager(backend, { nav })
    const events = collect(tm)
    const snapshot = await tm.start()
    expect(snapshot.status).toBe('active')
    expect(await tm.getAccessToken()).toBe('at-1-secret')
    expect(events.map((e) => e.type)).toContain('signedIn')

    const [exchange] = tokenCalls()
    expect(exchange!.contentType).toMatch(/^application\/x-www-form-urlencoded/)
    expect(exchange!.form).toMatchObject({ grant_type: 'authorization_code', client_id: 'spa', redirect_uri: REDIRECT })
    expect(createHash('sha256').update(exchange!.form.code_verifier!).digest('base64url')).toBe(authorize.searchParams.get('code_challenge'))
    expect(exchange!.headers.has('authorization')).toBe(false)
    expect(exchange!.headers.has('x-tokenkeeper')).toBe(false)
    // The address bar no longer held the code when the exchange went out.
    expect(exchange!.addressBar).not.toMatch(/[?&](code|state)=/)
    expect(nav.url).toBe(REDIRECT)
    // sessionStorage held the round trip only: gone now, and never a token.
    expect([...nav.storage.values()].join(' ')).not.toMatch(/at-1|rt-2/)
    expect(nav.storage.size).toBe(0)
  })

  it('the refresh token from the exchange is the one the next refresh presents', async () => {
    const nav = createNavigation()
    const { approve } = authServer()
    nav.url = approve((await leaveForLogin(nav)).href)
    const tm = manager(backend, { nav })
    await tm.start()
    await tm.refresh()
    expect(tokenCalls().map((c) => c.form.grant_type)).toEqual(['authorization_code', 'refresh_token'])
    expect(tokenCalls()[1]!.form.refresh_token).toBe('rt-1-secret')
  })

  it('a replayed callback (state already used) is a LoginError invalid_state and no exchange', async () => {
    const nav = createNavigation()
    const { approve } = authServer()
    const callback = approve((await leaveForLogin(nav)).href)
    nav.url = callback
    await manager(backend, { nav }).start()
    const exchanges = tokenCalls().length
    const replay = createNavigation(callback)
    for (const [key, value] of nav.storage) replay.storage.set(key, value)
    const tm = manager(backend, { nav: replay })
    const result = await settle(tm.start())
    expect(isLoginError(result.error) && result.error.error).toBe('invalid_state')
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(tokenCalls()).toHaveLength(exchanges)
  })

  it('a forged state is a LoginError invalid_state, not a session', async () => {
    const nav = createNavigation()
    const { approve } = authServer()
    const callback = new URL(approve((await leaveForLogin(nav)).href))
    callback.searchParams.set('state', 'forged-state')
    nav.url = callback.href
    const tm = manager(backend, { nav })
    const result = await settle(tm.start())
    expect(isLoginError(result.error) && result.error.error).toBe('invalid_state')
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(tokenCalls()).toHaveLength(0)
  })

  it('an error= callback is a LoginError carrying the error code', async () => {
    const nav = createNavigation()
    authServer()
    const authorize = await leaveForLogin(nav)
    nav.url = `${REDIRECT}?error=access_denied&error_description=${encodeURIComponent('The user said no')}&state=${authorize.searchParams.get('state')}`
    const tm = manager(backend, { nav })
    const result = await settle(tm.start())
    expect(isLoginError(result.error)).toBe(true)
    expect(result.error).toMatchObject({ error: 'access_denied' })
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(nav.url).not.toMatch(/error=/)
  })

  it('a failed exchange is a LoginError with the status, invalid_grant and its description; no session', async () => {
    const nav = createNavigation()
    const { approve } = authServer()
    nav.url = approve((await leaveForLogin(nav)).href)
    server.use(http.post(`${ISSUER}/oauth2/v1/token`, () => HttpResponse.json({ error: 'invalid_grant', error_description: 'code expired' }, { status: 400 })))
    const tm = manager(backend, { nav })
    const result = await settle(tm.start())
    expect(isLoginError(result.error)).toBe(true)
    expect(result.error).toMatchObject({ status: 400, error: 'invalid_grant', errorDescription: 'code expired' })
    expect(tm.getSnapshot().status).toBe('signedOut')
  })

  it('an iss of another issuer (RFC 9207) is a LoginError, no exchange', async () => {
    const nav = createNavigation()
    const { approve } = authServer()
    const callback = new URL(approve((await leaveForLogin(nav)).href))
    callback.searchParams.set('iss', 'https://evil.example')
    nav.url = callback.href
    const tm = manager(backend, { nav })
    const result = await settle(tm.start())
    expect(isLoginError(result.error)).toBe(true)
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(tokenCalls()).toHaveLength(0)
  })

  it('without redirectUri, the redirect URI is the page origin and path when the manager is built', async () => {
    authServer()
    const nav = createNavigation(`${APP}/welcome?tab=2#top`)
    const url = await leaveForLogin(nav, { redirectUri: undefined })
    expect(url.searchParams.get('redirect_uri')).toBe(`${APP}/welcome`)
  })

  it('login(params) adds extra authorization parameters', async () => {
    authServer()
    const nav = createNavigation()
    const tm = manager(backend, { nav })
    await tm.start()
    void tm.login({ prompt: 'login' } as never).catch(() => {})
    await vi.waitFor(() => expect(nav.assigned).toHaveLength(1))
    expect(new URL(nav.assigned[0]!).searchParams.get('prompt')).toBe('login')
  })
})

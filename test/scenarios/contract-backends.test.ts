// Black-box scenarios written from issue 14 and README "Backends" only: the default backend, the
// simplejwt() preset and custom backends, seen through the public API with msw as the server.
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  type Backend,
  type BackendContext,
  isLoginError,
  isRefreshError,
  isSessionExpiredError,
  simplejwt,
  TokenManager,
  type TokenManagerOptions,
} from '../../src/index'
import { makeJwt } from '../helpers/jwt'

const API = 'https://api.example.com'
const T0 = Date.parse('2026-06-01T12:00:00Z')
const ALICE = { username: 'alice', password: 'wonderland' }

interface Seen {
  method: string
  path: string
  headers: Headers
  credentials: RequestCredentials
  text: string
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

async function record(request: Request) {
  const url = new URL(request.url)
  seen.push({ method: request.method, path: url.pathname, headers: request.headers, credentials: request.credentials, text: await request.clone().text() })
}
const calls = (path: string) => seen.filter((s) => s.path === path)

function manager(options: TokenManagerOptions) {
  const tm = new TokenManager({ baseUrl: API, crossTab: false, refreshCooldown: 0, retry: 0, ...options })
  managers.push(tm)
  return tm
}

function collect(tm: TokenManager) {
  const events: { type: string; payload: unknown }[] = []
  for (const type of ['signedIn', 'tokenRefreshed', 'signedOut', 'sessionExpired', 'error'] as const) {
    tm.on(type, (payload) => events.push({ type, payload }))
  }
  return events
}

const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }) as { value: T; error?: undefined },
    (error: unknown) => ({ error }) as { value?: undefined; error: unknown },
  )

/** A simplejwt access token as Django mints it, on the server's clock (seconds). */
const simplejwtAccess = (serverNowS: number, lifetimeS: number, extra: Record<string, unknown> = {}) =>
  makeJwt({ token_type: 'access', exp: serverNowS + lifetimeS, iat: serverNowS, jti: `j${serverNowS}${lifetimeS}`, user_id: 1, ...extra })

const httpDate = (ms: number) => new Date(ms).toUTCString()

describe('simplejwt(): the wire format of DRF simplejwt', () => {
  /** A simplejwt server: login, refresh with rotation on or off, blacklist. */
  function simplejwtServer(options: { rotate?: boolean; prefix?: string; lifetime?: number } = {}) {
    const prefix = options.prefix ?? '/api/token'
    const rotate = options.rotate ?? true
    let serial = 0
    let minted = 0
    const live = new Set<string>()
    const blacklisted: string[] = []
    const mint = () => {
      const nowS = Math.floor(Date.now() / 1000)
      return simplejwtAccess(nowS, options.lifetime ?? 300, { n: ++minted })
    }
    server.use(
      http.post(`${API}${prefix}/`, async ({ request }) => {
        await record(request)
        const body = (await request.json()) as { username?: string; password?: string }
        if (body.username !== ALICE.username || body.password !== ALICE.password) {
          return HttpResponse.json({ detail: 'No active account found with the given credentials' }, { status: 401 })
        }
        const refresh = `refresh-${++serial}-token`
        live.add(refresh)
        return HttpResponse.json({ access: mint(), refresh }, { headers: { date: httpDate(Date.now()) } })
      }),
      http.post(`${API}${prefix}/refresh/`, async ({ request }) => {
        await record(request)
        const body = (await request.json()) as { refresh?: string }
        if (typeof body.refresh !== 'string') return HttpResponse.json({ refresh: ['This field is required.'] }, { status: 400 })
        if (!live.has(body.refresh)) {
          return HttpResponse.json({ detail: 'Token is invalid or expired', code: 'token_not_valid' }, { status: 401 })
        }
        if (!rotate) return HttpResponse.json({ access: mint() }, { headers: { date: httpDate(Date.now()) } })
        live.delete(body.refresh)
        const refresh = `refresh-${++serial}-token`
        live.add(refresh)
        return HttpResponse.json({ access: mint(), refresh }, { headers: { date: httpDate(Date.now()) } })
      }),
      http.post(`${API}${prefix}/blacklist/`, async ({ request }) => {
        await record(request)
        const body = (await request.json()) as { refresh?: string }
        blacklisted.push(body.refresh ?? '<none>')
        if (body.refresh) live.delete(body.refresh)
        return HttpResponse.json({}, { status: 200 })
      }),
    )
    return { live, blacklisted }
  }

  it('login POSTs the credentials as JSON to {prefix}/ and signs in from { access, refresh }', async () => {
    simplejwtServer()
    const tm = manager({ backend: simplejwt() })
    const snapshot = await tm.login(ALICE)
    expect(snapshot.status).toBe('active')
    const [login] = calls('/api/token/')
    expect(login!.method).toBe('POST')
    expect(login!.headers.get('content-type')).toMatch(/^application\/json/)
    expect(JSON.parse(login!.text)).toEqual(ALICE)
    expect(await tm.getAccessToken()).toMatch(/^ey/)
  })

  it('refresh POSTs exactly { refresh } as JSON to {prefix}/refresh/, without cookies or the cookie-only CSRF header', async () => {
    simplejwtServer()
    const tm = manager({ backend: simplejwt() })
    await tm.login(ALICE)
    const before = await tm.getAccessToken()
    const after = await tm.refresh()
    expect(after).not.toBe(before)
    const [refresh] = calls('/api/token/refresh/')
    expect(refresh!.method).toBe('POST')
    expect(refresh!.headers.get('content-type')).toMatch(/^application\/json/)
    expect(JSON.parse(refresh!.text)).toEqual({ refresh: 'refresh-1-token' })
    expect(refresh!.headers.has('x-tokenkeeper')).toBe(false)
    expect(refresh!.credentials).not.toBe('include')
  })

  it('a custom prefix moves login, refresh and blacklist together', async () => {
    simplejwtServer({ prefix: '/auth/jwt' })
    const tm = manager({ backend: simplejwt({ prefix: '/auth/jwt' }) })
    await tm.login(ALICE)
    await tm.refresh()
    await tm.logout()
    expect(seen.map((s) => s.path)).toEqual(['/auth/jwt/', '/auth/jwt/refresh/', '/auth/jwt/blacklist/'])
  })

  it('rotation on: each refresh presents the refresh token the previous reply rotated to', async () => {
    simplejwtServer({ rotate: true })
    const tm = manager({ backend: simplejwt() })
    await tm.login(ALICE)
    await tm.refresh()
    await tm.refresh()
    await tm.refresh()
    expect(calls('/api/token/refresh/').map((s) => JSON.parse(s.text).refresh)).toEqual(['refresh-1-token', 'refresh-2-token', 'refresh-3-token'])
    expect(tm.getSnapshot().status).toBe('active')
  })

  it('rotation off: a reply with { access } only keeps the current refresh token for the next refresh', async () => {
    simplejwtServer({ rotate: false })
    const tm = manager({ backend: simplejwt() })
    const events = collect(tm)
    await tm.login(ALICE)
    const first = await tm.refresh()
    const second = await tm.refresh()
    expect(second).not.toBe(first)
    expect(calls('/api/token/refresh/').map((s) => JSON.parse(s.text))).toEqual([{ refresh: 'refresh-1-token' }, { refresh: 'refresh-1-token' }])
    expect(events.filter((e) => e.type === 'error')).toEqual([])
    await tm.logout()
    expect(JSON.parse(calls('/api/token/blacklist/')[0]!.text)).toEqual({ refresh: 'refresh-1-token' })
  })

  it('401 {code: token_not_valid} on refresh ends the session: SessionExpiredError refresh_rejected, memory cleared', async () => {
    const { live } = simplejwtServer()
    const tm = manager({ backend: simplejwt() })
    const events = collect(tm)
    await tm.login(ALICE)
    live.clear() // blacklisted or expired on the server
    const result = await settle(tm.refresh())
    expect(isSessionExpiredError(result.error) && result.error.reason).toBe('refresh_rejected')
    expect(tm.getSnapshot().status).toBe('expired')
    expect(await tm.getAccessToken()).toBeNull()
    expect(events.filter((e) => e.type === 'sessionExpired')).toEqual([
      { type: 'sessionExpired', payload: expect.objectContaining({ reason: 'refresh_rejected' }) },
    ])
    expect(String((result.error as Error).message)).not.toContain('refresh-')
  })

  it('a 400 field error on refresh is a misconfiguration: RefreshError (not transient, status 400), the session and its token kept', async () => {
    simplejwtServer()
    const tm = manager({ backend: simplejwt() })
    const events = collect(tm)
    await tm.login(ALICE)
    const token = await tm.getAccessToken()
    server.use(
      http.post(`${API}/api/token/refresh/`, async ({ request }) => {
        await record(request)
        return HttpResponse.json({ refresh: ['This field is required.'] }, { status: 400 })
      }),
    )
    const result = await settle(tm.refresh())
    expect(isRefreshError(result.error) && result.error).toMatchObject({ transient: false, status: 400 })
    expect(tm.getSnapshot().status).toBe('active')
    expect(await tm.getAccessToken()).toBe(token)
    expect(events.some((e) => e.type === 'sessionExpired' || e.type === 'signedOut')).toBe(false)
    expect(events.filter((e) => e.type === 'error').map((e) => isRefreshError((e.payload as { error: unknown }).error))).toEqual([true])
  })

  it("the lifetime is exp against the reply's Date header, one second short, never exp − iat (simplejwt 5.2 keeps the refresh token's iat)", async () => {
    // The server's clock is an hour behind ours; its refreshed token lives 300 s and carries an iat 1000 s old.
    const serverNowS = Math.floor(T0 / 1000) - 3600
    server.use(
      http.post(`${API}/api/token/refresh/`, async ({ request }) => {
        await record(request)
        return HttpResponse.json(
          { access: makeJwt({ token_type: 'access', exp: serverNowS + 300, iat: serverNowS - 1000 }) },
          { headers: { date: httpDate(serverNowS * 1000) } },
        )
      }),
    )
    const tm = manager({ backend: simplejwt() })
    tm.setSession({ access: simplejwtAccess(Math.floor(T0 / 1000), 600), refresh: 'refresh-0-token' } as never)
    await tm.refresh()
    // exp − iat would say 1300 s; exp against the local clock would say expired an hour ago.
    expect(tm.getSnapshot().expiresAt).toBe(T0 + 299_000)
    expect(tm.getSnapshot().status).toBe('active')
  })

  it('without a Date header (cross-origin, not exposed): exp against the local clock, still not exp − iat', async () => {
    const nowS = Math.floor(T0 / 1000)
    server.use(
      http.post(`${API}/api/token/refresh/`, async ({ request }) => {
        await record(request)
        return HttpResponse.json({ access: makeJwt({ token_type: 'access', exp: nowS + 120, iat: nowS - 500 }) })
      }),
    )
    const tm = manager({ backend: simplejwt() })
    tm.setSession({ access: simplejwtAccess(nowS, 600), refresh: 'refresh-0-token' } as never)
    await tm.refresh()
    const expiresAt = tm.getSnapshot().expiresAt!
    expect(expiresAt).toBeGreaterThanOrEqual(T0 + 119_000)
    expect(expiresAt).toBeLessThanOrEqual(T0 + 120_000)
  })

  it('accessTokenLifetime (seconds) is the lifetime, whatever exp and Date say', async () => {
    const nowS = Math.floor(T0 / 1000)
    server.use(
      http.post(`${API}/api/token/refresh/`, async ({ request }) => {
        await record(request)
        return HttpResponse.json(
          { access: makeJwt({ token_type: 'access', exp: nowS + 9999, iat: nowS - 50 }) },
          { headers: { date: httpDate(T0 - 7_200_000) } },
        )
      }),
    )
    const tm = manager({ backend: simplejwt({ accessTokenLifetime: 120 }) })
    tm.setSession({ access: simplejwtAccess(nowS, 600), refresh: 'refresh-0-token' } as never)
    await tm.refresh()
    expect(tm.getSnapshot().expiresAt).toBe(T0 + 120_000)
  })

  it('the proactive refresh is scheduled from the Date-based lifetime: due before the server-side exp, not after', async () => {
    simplejwtServer({ lifetime: 300 })
    const tm = manager({ backend: simplejwt() })
    await tm.login(ALICE)
    const { refreshAt } = tm.getDeadlines()
    expect(refreshAt).not.toBeNull()
    expect(refreshAt!).toBeLessThan(T0 + 300_000)
    expect(refreshAt!).toBeGreaterThan(T0)
    await vi.advanceTimersByTimeAsync(refreshAt! - T0 + 10)
    expect(calls('/api/token/refresh/')).toHaveLength(1)
    expect(tm.getSnapshot().status).toBe('active')
  })

  it('setSession() takes a simplejwt reply ({ access, refresh }); the next refresh presents that refresh token', async () => {
    simplejwtServer()
    const tm = manager({ backend: simplejwt() })
    const access = simplejwtAccess(Math.floor(T0 / 1000), 300)
    // The reply of a login done elsewhere, as the server sent it.
    tm.setSession({ access, refresh: 'refresh-elsewhere' } as never)
    expect(await tm.getAccessToken()).toBe(access)
    expect(tm.getSnapshot().status).toBe('active')
    server.use(
      http.post(`${API}/api/token/refresh/`, async ({ request }) => {
        await record(request)
        return HttpResponse.json({ access: simplejwtAccess(Math.floor(Date.now() / 1000), 300, { n: 99 }) }, { headers: { date: httpDate(Date.now()) } })
      }),
    )
    await tm.refresh()
    expect(JSON.parse(calls('/api/token/refresh/')[0]!.text)).toEqual({ refresh: 'refresh-elsewhere' })
  })

  it('logout POSTs { refresh } to {prefix}/blacklist/ and signs out', async () => {
    const { blacklisted } = simplejwtServer()
    const tm = manager({ backend: simplejwt() })
    await tm.login(ALICE)
    await tm.refresh()
    await tm.logout()
    const [call] = calls('/api/token/blacklist/')
    expect(call!.method).toBe('POST')
    expect(call!.headers.get('content-type')).toMatch(/^application\/json/)
    expect(JSON.parse(call!.text)).toEqual({ refresh: 'refresh-2-token' })
    expect(blacklisted).toEqual(['refresh-2-token'])
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(await tm.getAccessToken()).toBeNull()
  })

  it('logout({ everywhere: true }) has no simplejwt counterpart: it warns, without token text, and still ends this session', async () => {
    simplejwtServer()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const tm = manager({ backend: simplejwt() })
    await tm.login(ALICE)
    const access = (await tm.getAccessToken())!
    await tm.logout({ everywhere: true })
    expect(warn).toHaveBeenCalled()
    const said = warn.mock.calls.flat().map(String).join(' ')
    expect(said).toMatch(/everywhere/)
    expect(said).not.toContain('refresh-1-token')
    expect(said).not.toContain(access.slice(0, 20))
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(await tm.getAccessToken()).toBeNull()
    expect(calls('/api/token/blacklist/').map((c) => JSON.parse(c.text))).toEqual([{ refresh: 'refresh-1-token' }])
  })

  it('logout clears memory even when the blacklist call fails', async () => {
    simplejwtServer()
    const tm = manager({ backend: simplejwt() })
    await tm.login(ALICE)
    server.use(http.post(`${API}/api/token/blacklist/`, () => HttpResponse.error()))
    await expect(tm.logout()).resolves.toBeUndefined()
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(await tm.getAccessToken()).toBeNull()
  })

  it('wrong credentials: LoginError with status 401, no session', async () => {
    simplejwtServer()
    const tm = manager({ backend: simplejwt() })
    const result = await settle(tm.login({ username: 'alice', password: 'nope' }))
    expect(isLoginError(result.error) && result.error.status).toBe(401)
    expect(tm.getSnapshot().status).not.toBe('active')
  })

  it('a bad prefix or accessTokenLifetime is a TypeError at once', () => {
    expect(() => simplejwt({ prefix: 42 as unknown as string })).toThrow(TypeError)
    expect(() => simplejwt({ accessTokenLifetime: -5 })).toThrow(TypeError)
    expect(() => simplejwt({ accessTokenLifetime: Number.NaN })).toThrow(TypeError)
  })
})

describe('default backend: unchanged contract, 400s that are not a dead session are misconfigurations', () => {
  const access = (seconds = 600) => makeJwt({ sub: 'alice', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + seconds })

  function defaultServer() {
    server.use(
      http.post(`${API}/auth/login`, async ({ request }) => {
        await record(request)
        return HttpResponse.json({ accessToken: access(), expiresIn: 600, refreshToken: 'rt-login-secret' })
      }),
      http.post(`${API}/auth/refresh`, async ({ request }) => {
        await record(request)
        return HttpResponse.json({ accessToken: access(), expiresIn: 600, refreshToken: `rt-${seen.length}-secret` })
      }),
      http.post(`${API}/auth/logout`, async ({ request }) => {
        await record(request)
        return new HttpResponse(null, { status: 204 })
      }),
    )
  }

  it('cookie mode (default): refresh POSTs no body, with credentials and the CSRF header', async () => {
    defaultServer()
    const tm = manager({})
    await tm.login(ALICE)
    await tm.refresh()
    const [refresh] = calls('/auth/refresh')
    expect(refresh!.method).toBe('POST')
    expect(refresh!.text).toBe('')
    expect(refresh!.credentials).toBe('include')
    expect(refresh!.headers.get('x-tokenkeeper')).toBe('1')
  })

  it('body mode: refresh POSTs { refreshToken }; logout POSTs { everywhere, refreshToken }', async () => {
    defaultServer()
    const tm = manager({ refreshTokenTransport: 'body' })
    await tm.login(ALICE)
    await tm.refresh()
    expect(JSON.parse(calls('/auth/refresh')[0]!.text)).toEqual({ refreshToken: 'rt-login-secret' })
    await tm.logout({ everywhere: true })
    expect(JSON.parse(calls('/auth/logout')[0]!.text)).toMatchObject({ everywhere: true, refreshToken: expect.stringMatching(/^rt-/) })
  })

  it.each([
    ['an OAuth invalid_request', { error: 'invalid_request', error_description: 'refreshToken is required' }, 'invalid_request', 'refreshToken is required'],
    ['a field-validation error', { refreshToken: ['This field is required.'] }, undefined, undefined],
  ])('a 400 with %s is a RefreshError (not transient, status, server error), never a logout', async (_name, body, error, description) => {
    defaultServer()
    const tm = manager({ refreshTokenTransport: 'body' })
    const events = collect(tm)
    await tm.login(ALICE)
    const token = await tm.getAccessToken()
    server.use(http.post(`${API}/auth/refresh`, () => HttpResponse.json(body, { status: 400 })))
    const result = await settle(tm.refresh())
    expect(isRefreshError(result.error)).toBe(true)
    expect(result.error).toMatchObject({ transient: false, status: 400 })
    if (error) expect(result.error).toMatchObject({ error, errorDescription: description })
    expect(tm.getSnapshot().status).toBe('active')
    expect(await tm.getAccessToken()).toBe(token)
    expect(events.some((e) => e.type === 'sessionExpired')).toBe(false)
    expect((result.error as Error).message).not.toContain('rt-login-secret')
  })

  it('a cookie-mode 400 without a dead-session code keeps the session too', async () => {
    defaultServer()
    const tm = manager({})
    await tm.login(ALICE)
    server.use(http.post(`${API}/auth/refresh`, () => HttpResponse.json({ error: 'invalid_request' }, { status: 400 })))
    const result = await settle(tm.refresh())
    expect(result.error).toMatchObject({ code: 'REFRESH_FAILED', transient: false, status: 400, error: 'invalid_request' })
    expect(tm.getSnapshot().status).toBe('active')
  })

  it.each([
    ['400 invalid_grant', 400, { error: 'invalid_grant' }],
    ['401', 401, {}],
    ['403 without a CSRF/origin code', 403, { error: 'forbidden' }],
  ])('%s on refresh ends the session', async (_name, status, body) => {
    defaultServer()
    const tm = manager({ refreshTokenTransport: 'body' })
    await tm.login(ALICE)
    server.use(http.post(`${API}/auth/refresh`, () => HttpResponse.json(body, { status })))
    const result = await settle(tm.refresh())
    expect(isSessionExpiredError(result.error) && result.error.reason).toBe('refresh_rejected')
    expect(tm.getSnapshot().status).toBe('expired')
  })

  it('403 {error: csrf} is a misconfiguration, not a sign-out', async () => {
    defaultServer()
    const tm = manager({})
    await tm.login(ALICE)
    server.use(http.post(`${API}/auth/refresh`, () => HttpResponse.json({ error: 'csrf' }, { status: 403 })))
    const result = await settle(tm.refresh())
    expect(result.error).toMatchObject({ code: 'REFRESH_FAILED', transient: false, status: 403, error: 'csrf' })
    expect(tm.getSnapshot().status).toBe('active')
  })

  it('an HTML 404 on refresh is a RefreshError with the status, not a logout and not token text', async () => {
    defaultServer()
    const tm = manager({ refreshTokenTransport: 'body' })
    await tm.login(ALICE)
    server.use(
      http.post(
        `${API}/auth/refresh`,
        () => new HttpResponse('<html><body>Not Found</body></html>', { status: 404, headers: { 'content-type': 'text/html' } }),
      ),
    )
    const result = await settle(tm.refresh())
    expect(result.error).toMatchObject({ code: 'REFRESH_FAILED', transient: false, status: 404 })
    expect(tm.getSnapshot().status).toBe('active')
  })

  it('LoginError carries the server error code (an OAuth-style 400 invalid_grant from a password check)', async () => {
    server.use(
      http.post(`${API}/auth/login`, () => HttpResponse.json({ error: 'invalid_grant', error_description: 'Wrong email or password.' }, { status: 400 })),
    )
    const tm = manager({})
    const result = await settle(tm.login(ALICE))
    expect(isLoginError(result.error)).toBe(true)
    expect(result.error).toMatchObject({ status: 400, error: 'invalid_grant', errorDescription: 'Wrong email or password.' })
    expect((result.error as Error).message).not.toContain('wonderland')
  })

  it('setSession() with parseTokenResponse reads the wrapped reply it reads from the server (README recipe)', async () => {
    const tm = manager({
      refreshTokenTransport: 'body',
      parseTokenResponse: (body) => {
        const { data } = body as { data: { accessToken: string; refreshToken?: string; expiresIn: number } }
        return { accessToken: data.accessToken, expiresIn: data.expiresIn / 1000, ...(data.refreshToken && { refreshToken: data.refreshToken }) }
      },
    })
    const token = access()
    tm.setSession({ success: true, data: { accessToken: token, refreshToken: 'rt-wrapped', expiresIn: 300_000 } } as never)
    expect(await tm.getAccessToken()).toBe(token)
    expect(tm.getSnapshot().expiresAt).toBe(T0 + 300_000)
    server.use(
      http.post(`${API}/auth/refresh`, async ({ request }) => {
        await record(request)
        return HttpResponse.json({ success: true, data: { accessToken: access(), expiresIn: 120_000 } })
      }),
    )
    await tm.refresh()
    expect(JSON.parse(calls('/auth/refresh')[0]!.text)).toEqual({ refreshToken: 'rt-wrapped' })
    expect(tm.getSnapshot().expiresAt).toBe(T0 + 120_000)
  })
})

describe('a custom backend (README "Writing a backend")', () => {
  // The README's example: login at /session, refresh at /session/renew { token }, the access token in a header.
  function myBackend({ resolve }: BackendContext): Backend {
    return {
      refreshTokenTransport: 'body',
      logoutEverywhere: false,
      login: (credentials) => ({ url: resolve('/session'), body: credentials }),
      refresh: (refreshToken) => ({ url: resolve('/session/renew'), body: { token: refreshToken } }),
      logout: ({ refreshToken }) => (refreshToken ? [{ url: resolve('/session'), method: 'DELETE', body: { token: refreshToken } }] : []),
      readTokens: ({ headers, body }) => {
        const { renewToken, ttl } = body as { renewToken?: string; ttl: number }
        return { accessToken: headers.get('x-access-token') ?? '', expiresIn: ttl, ...(renewToken && { refreshToken: renewToken }) }
      },
      classifyRefreshFailure: ({ status }) => (status === 401 ? 'ended' : status >= 500 || status === 429 ? 'transient' : 'misconfigured'),
    }
  }

  it('login, refresh and logout go where the backend says, the header-borne token is used, failures are classified by it', async () => {
    let n = 0
    server.use(
      http.post(`${API}/session`, async ({ request }) => {
        await record(request)
        return HttpResponse.json({ renewToken: 'renew-1', ttl: 300 }, { headers: { 'x-access-token': 'opaque-access-1' } })
      }),
      http.post(`${API}/session/renew`, async ({ request }) => {
        await record(request)
        n += 1
        if (n === 2) return HttpResponse.json({ message: 'bad' }, { status: 422 })
        if (n === 3) return HttpResponse.json({}, { status: 401 })
        return HttpResponse.json({ renewToken: 'renew-2', ttl: 300 }, { headers: { 'x-access-token': 'opaque-access-2' } })
      }),
      http.delete(`${API}/session`, async ({ request }) => {
        await record(request)
        return new HttpResponse(null, { status: 204 })
      }),
    )
    const tm = manager({ backend: myBackend })
    await tm.login(ALICE)
    expect(await tm.getAccessToken()).toBe('opaque-access-1')
    expect(await tm.refresh()).toBe('opaque-access-2')
    expect(JSON.parse(calls('/session/renew')[0]!.text)).toEqual({ token: 'renew-1' })

    const misconfigured = await settle(tm.refresh())
    expect(misconfigured.error).toMatchObject({ code: 'REFRESH_FAILED', transient: false, status: 422 })
    expect(tm.getSnapshot().status).toBe('active')

    const ended = await settle(tm.refresh())
    expect(isSessionExpiredError(ended.error)).toBe(true)
    expect(tm.getSnapshot().status).toBe('expired')
    expect(calls('/session/renew').map((c) => JSON.parse(c.text).token)).toEqual(['renew-1', 'renew-2', 'renew-2'])
  })

  it('logout sends what the backend builds (DELETE with a JSON body)', async () => {
    server.use(
      http.post(`${API}/session`, () => HttpResponse.json({ renewToken: 'renew-1', ttl: 300 }, { headers: { 'x-access-token': 'opaque-access-1' } })),
      http.delete(`${API}/session`, async ({ request }) => {
        await record(request)
        return new HttpResponse(null, { status: 204 })
      }),
    )
    const tm = manager({ backend: myBackend })
    await tm.login(ALICE)
    await tm.logout()
    expect(calls('/session').map((c) => [c.method, JSON.parse(c.text)])).toEqual([['DELETE', { token: 'renew-1' }]])
    expect(tm.getSnapshot().status).toBe('signedOut')
  })
})

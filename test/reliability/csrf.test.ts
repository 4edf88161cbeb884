import { getResponse } from 'msw'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TokenManager, type TokenManagerEvents, type TokenManagerOptions } from '../../src'
import { createBrowser, ORIGIN, type TestBrowser } from '../helpers/browser'
import { createFakeEnvironment } from '../helpers/environment'

/**
 * CSRF defence, both sides: every auth call the SDK makes carries the custom header
 * (`X-TokenKeeper: 1`, configurable with `csrfHeader`), and the mock backend refuses refresh,
 * logout and session mutations without it or with a foreign `Origin` (403).
 */

const ALICE = { username: 'alice', password: 'wonderland' }

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

/** Drives every kind of auth call: login, start() resume, proactive/forced/401 refresh, sessions API, logout, idle logout. */
async function everyAuthCall(browser: TestBrowser, options: Partial<TokenManagerOptions> = {}) {
  const env = createFakeEnvironment()
  const base = { baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false as const, environment: env.environment, ...options }
  const tm = new TokenManager({ ...base, idleTimeout: 120_000 })
  await tm.login(ALICE)
  await vi.advanceTimersByTimeAsync(1000)
  tm.touch() // activity after the token: the sliding session refreshes proactively
  await vi.advanceTimersByTimeAsync(15_000) // proactive refresh
  await tm.refresh()
  browser.controls.expireAccessTokens()
  vi.setSystemTime(Date.now() + 2000)
  await tm.fetch(`${ORIGIN}/api/me`) // 401 → refresh → replay
  const sessions = await tm.sessions.list()
  await tm.sessions.revokeOthers()
  await tm.sessions.revoke(sessions.find((s) => !s.current)?.id ?? 'unknown').catch(() => undefined)
  await tm.logout()
  // A reload resumes from the cookie; then the idle deadline logs out server-side.
  await tm.login(ALICE)
  tm.destroy()
  const reload = new TokenManager({ ...base, idleTimeout: 120_000 })
  await reload.start()
  await vi.advanceTimersByTimeAsync(121_000)
  reload.destroy()
}

const authCalls = (browser: TestBrowser) =>
  browser.requests.filter((r) => {
    const path = new URL(r.url).pathname
    return ['/auth/login', '/auth/refresh', '/auth/logout'].includes(path) || path.startsWith('/auth/sessions')
  })

describe('CSRF: the SDK side', () => {
  it('every auth call carries X-TokenKeeper: 1 by default (login, refresh of every kind, sessions API, logout, idle logout)', async () => {
    const browser = createBrowser()
    await everyAuthCall(browser)
    const calls = authCalls(browser)
    const kinds = new Set(calls.map((r) => `${r.method} ${new URL(r.url).pathname.replace(/\/auth\/sessions\/(?!revoke-others).+/, '/auth/sessions/:id')}`))
    expect([...kinds].sort()).toEqual([
      'DELETE /auth/sessions/:id',
      'GET /auth/sessions',
      'POST /auth/login',
      'POST /auth/logout',
      'POST /auth/refresh',
      'POST /auth/sessions/revoke-others',
    ])
    expect(calls.filter((r) => new URL(r.url).pathname === '/auth/refresh').length).toBeGreaterThanOrEqual(4)
    expect(calls.filter((r) => new URL(r.url).pathname === '/auth/logout').length).toBe(2)
    for (const call of calls) expect([call.method, call.url, call.headers.get('x-tokenkeeper')]).toEqual([call.method, call.url, '1'])
    // The server saw no CSRF failure.
    expect(browser.controls.counters.statuses['403'] ?? 0).toBe(0)
  })

  it('csrfHeader configures the name and value; it replaces the default', async () => {
    const browser = createBrowser({ requireCsrfHeader: false })
    await everyAuthCall(browser, { csrfHeader: { name: 'X-Requested-With', value: 'tokenkeeper-app' } })
    for (const call of authCalls(browser)) {
      expect(call.headers.get('x-requested-with')).toBe('tokenkeeper-app')
      expect(call.headers.has('x-tokenkeeper')).toBe(false)
    }
  })

  it('csrfHeader: false sends none', async () => {
    const browser = createBrowser({ requireCsrfHeader: false })
    await everyAuthCall(browser, { csrfHeader: false })
    expect(authCalls(browser).length).toBeGreaterThan(5)
    for (const call of authCalls(browser)) expect(call.headers.has('x-tokenkeeper')).toBe(false)
  })

  it('the CSRF header is not sprayed onto API calls or other origins', async () => {
    const browser = createBrowser()
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false })
    await tm.login(ALICE)
    await tm.fetch(`${ORIGIN}/api/me`)
    await tm.fetch('https://evil.example/collect')
    expect(browser.requests.find((r) => r.url.endsWith('/api/me'))!.headers.has('x-tokenkeeper')).toBe(false)
    expect(browser.foreign[0]!.headers.has('x-tokenkeeper')).toBe(false)
    tm.destroy()
  })

  it('a server that refuses the header (403 csrf on refresh) is a misconfiguration: a RefreshError naming it, the session kept, no loop', async () => {
    const browser = createBrowser() // requires X-TokenKeeper
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, csrfHeader: { name: 'X-Other', value: '1' } })
    const expired: TokenManagerEvents['sessionExpired'][] = []
    tm.on('sessionExpired', (e) => expired.push(e))
    await tm.login(ALICE) // login is not CSRF-checked by the mock
    await expect(tm.refresh()).rejects.toMatchObject({ code: 'REFRESH_FAILED', status: 403, transient: false, error: 'csrf' })
    expect(tm.getSnapshot().status).toBe('active')
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(expired).toEqual([])
    // The forced call, then the proactive refresh the token had scheduled; a misconfiguration is
    // not retried on a timer after that (the same request would fail the same way).
    expect(browser.controls.counters.refreshCalls).toBe(2)
    tm.destroy()
  })
})

describe('CSRF: the mock backend with a custom csrfHeader', () => {
  const CUSTOM = { name: 'X-Requested-With', value: 'tokenkeeper-app' }

  it('createMockBackend({ csrfHeader }) accepts an app whose TokenManager sends the same csrfHeader on every auth call', async () => {
    const browser = createBrowser({ csrfHeader: CUSTOM })
    await everyAuthCall(browser, { csrfHeader: CUSTOM })
    expect(authCalls(browser).filter((r) => new URL(r.url).pathname === '/auth/refresh').length).toBeGreaterThanOrEqual(4)
    for (const call of authCalls(browser)) expect(call.headers.get('x-requested-with')).toBe('tokenkeeper-app')
    expect(browser.controls.counters.statuses['403'] ?? 0).toBe(0)
    expect(browser.controls.sessions('alice')).toHaveLength(0) // the idle logout reached the server
  })

  it('with a custom csrfHeader the default X-TokenKeeper: 1, a wrong value or no header is refused (403 csrf naming the header)', async () => {
    for (const [csrfHeader, status] of [
      [{ name: 'X-TokenKeeper', value: '1' }, 403],
      [{ ...CUSTOM, value: 'other' }, 403],
      [false, 403],
      [CUSTOM, 200],
    ] as const) {
      const browser = createBrowser({ csrfHeader: CUSTOM })
      const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, csrfHeader })
      await tm.login(ALICE) // login is not CSRF-checked by the mock
      const refresh = await browser.fetch(`${ORIGIN}/auth/refresh`, {
        credentials: 'include',
        method: 'POST',
        headers: csrfHeader ? { [csrfHeader.name]: csrfHeader.value } : {},
      })
      expect(refresh.status).toBe(status)
      if (status === 403)
        expect(await refresh.json()).toEqual({ error: 'csrf', message: 'Missing the X-Requested-With: tokenkeeper-app header (CSRF defence)' })
      // The SDK's own refresh agrees: a mismatch is the misconfiguration error, the session kept.
      if (status === 403) await expect(tm.refresh()).rejects.toMatchObject({ code: 'REFRESH_FAILED', status: 403, error: 'csrf', transient: false })
      else await tm.refresh()
      expect(tm.getSnapshot().status).toBe('active')
      tm.destroy()
    }
  })

  it('the CORS preflight allows the configured header name', async () => {
    const browser = createBrowser({ csrfHeader: CUSTOM })
    const request = new Request(`${ORIGIN}/auth/refresh`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-requested-with' },
    })
    const reply = (await getResponse(browser.backend.handlers, request))!
    expect(reply.headers.get('access-control-allow-headers')).toBe('authorization, content-type, x-requested-with')
  })

  it('csrfHeader: false requires no header (as requireCsrfHeader: false does); the Origin check still applies', async () => {
    for (const options of [{ csrfHeader: false as const }, { requireCsrfHeader: false }]) {
      const browser = createBrowser(options)
      await everyAuthCall(browser, { csrfHeader: false })
      expect(browser.controls.counters.statuses['403'] ?? 0).toBe(0)
      const foreign = new Request(`${ORIGIN}/auth/refresh`, { method: 'POST', headers: { origin: 'https://evil.example' } })
      expect((await getResponse(browser.backend.handlers, foreign))!.status).toBe(403)
    }
  })

  it('a malformed csrfHeader is a TypeError at creation', () => {
    for (const csrfHeader of [{ name: '', value: '1' }, { name: 'X-A' }, 'X-A: 1', true]) {
      expect(() => createBrowser({ csrfHeader: csrfHeader as never })).toThrow(TypeError)
    }
  })
})

describe('CSRF: the mock backend side', () => {
  /** A raw client of the backend (no SDK): sends exactly the headers given. */
  function rawClient(browser: TestBrowser) {
    let cookie = ''
    let accessToken = ''
    const call = async (path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(cookie && { cookie }), ...init.headers }
      const request = new Request(`${ORIGIN}${path}`, {
        method: init.method ?? 'POST',
        headers,
        ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
      })
      const response = (await getResponse(browser.backend.handlers, request))!
      const set = response.headers.get('x-mock-set-cookie')
      if (set) cookie = set.split(';')[0]!
      if (response.ok && response.headers.get('content-type')?.includes('json')) {
        const body = (await response.clone().json()) as { accessToken?: string }
        if (body.accessToken) accessToken = body.accessToken
      }
      return response
    }
    return {
      call,
      get cookie() {
        return cookie
      },
      get bearer() {
        return { authorization: `Bearer ${accessToken}` }
      },
    }
  }

  const GOOD = { 'x-tokenkeeper': '1' }
  const VARIANT_LIST: [name: string, headers: Record<string, string>, status: number][] = [
    ['no header', {}, 403],
    ['a wrong value', { 'x-tokenkeeper': '0' }, 403],
    ['the header and a foreign Origin', { ...GOOD, origin: 'https://evil.example' }, 403],
    ['the header and a look-alike Origin', { ...GOOD, origin: 'http://app.test.evil.example' }, 403],
    ['the header and Origin: null (sandboxed frame)', { ...GOOD, origin: 'null' }, 403],
    ['the header', GOOD, 200],
    ['the header and our own Origin', { ...GOOD, origin: ORIGIN }, 200],
  ]
  const VARIANTS = VARIANT_LIST.map(([name, headers, status]) => [name, status, headers] as const)

  it.each(VARIANTS)('refresh with %s → %i; a refused refresh rotates nothing', async (_name, status, headers) => {
    const browser = createBrowser()
    const client = rawClient(browser)
    await client.call('/auth/login', { headers: GOOD, body: ALICE })
    const before = client.cookie
    const response = await client.call('/auth/refresh', { headers })
    expect(response.status).toBe(status)
    if (status === 403) {
      expect(client.cookie).toBe(before)
      // The same cookie still works: no rotation happened, so no reuse detection later.
      expect((await client.call('/auth/refresh', { headers: GOOD })).status).toBe(200)
      expect(browser.controls.counters.reuseDetections).toBe(0)
    }
  })

  it('a rotated-away refresh token presented without the header is still reuse: 401 and the family revoked', async () => {
    const browser = createBrowser()
    const client = rawClient(browser)
    await client.call('/auth/login', { headers: GOOD, body: ALICE })
    const stolen = client.cookie
    expect((await client.call('/auth/refresh', { headers: GOOD })).status).toBe(200) // rotated
    const rotated = client.cookie
    // A thief replays the old token with no CSRF header (it is not a browser of ours).
    const replay = (await getResponse(browser.backend.handlers, new Request(`${ORIGIN}/auth/refresh`, { method: 'POST', headers: { cookie: stolen } })))!
    expect(replay.status).toBe(401)
    expect(((await replay.json()) as { error: string }).error).toBe('refresh_token_reused')
    expect(browser.controls.counters.reuseDetections).toBe(1)
    expect(rotated).not.toBe(stolen)
    expect((await client.call('/auth/refresh', { headers: GOOD })).status).toBe(401) // the family is gone
  })

  it.each(VARIANTS)('logout with %s → %i; a refused logout revokes nothing', async (_name, status, headers) => {
    const browser = createBrowser()
    const client = rawClient(browser)
    await client.call('/auth/login', { headers: GOOD, body: ALICE })
    const response = await client.call('/auth/logout', { headers, body: { everywhere: true } })
    expect(response.status).toBe(status === 200 ? 204 : 403)
    expect(browser.controls.sessions('alice')).toHaveLength(status === 200 ? 0 : 1)
  })

  it.each(VARIANTS)('session mutations with %s → %i', async (_name, status, headers) => {
    const browser = createBrowser()
    const victim = rawClient(browser)
    await victim.call('/auth/login', { headers: GOOD, body: ALICE })
    const client = rawClient(browser)
    await client.call('/auth/login', { headers: GOOD, body: ALICE })
    const revokeOthers = await client.call('/auth/sessions/revoke-others', { headers: { ...client.bearer, ...headers } })
    expect(revokeOthers.status).toBe(status)
    expect(browser.controls.sessions('alice')).toHaveLength(status === 200 ? 1 : 2)
    const other = browser.controls.sessions('alice').find((s) => s.id !== undefined)!
    const revoke = await client.call(`/auth/sessions/${other.id}`, { method: 'DELETE', headers: { ...client.bearer, ...headers } })
    expect(revoke.status).toBe(status === 200 ? 204 : 403)
  })
})

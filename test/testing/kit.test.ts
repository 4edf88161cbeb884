import { setupServer } from 'msw/node'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type SessionEndReason, TokenManager } from '../../src/index'
import { createMockBackend, createMockFetch, REFRESH_COOKIE } from '../../src/testing/index'

// The kit as an app's test suite uses it: createMockFetch (one browser's cookie jar, in-process,
// fake timers welcome) in cookie mode, and msw's setupServer for an app that intercepts fetch.
const ORIGIN = 'http://app.test'
const managers: TokenManager[] = []
afterEach(() => {
  for (const tm of managers.splice(0)) tm.destroy()
  vi.useRealTimers()
})

async function setup(options: Parameters<typeof createMockBackend>[0] = {}) {
  const backend = createMockBackend({ origin: ORIGIN, ...options })
  const fetch = createMockFetch(backend)
  const tab = () => {
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch, crossTab: false })
    managers.push(tm)
    return tm
  }
  const tm = tab()
  await tm.login({ username: 'alice', password: 'wonderland' })
  return { backend, controls: backend.controls, fetch, tm, tab }
}

describe('tokenkeeper/testing: createMockBackend + createMockFetch', () => {
  it('signs in with a real HttpOnly refresh cookie and a real JWT', async () => {
    const { tm, fetch, controls } = await setup()
    expect(fetch.cookies.has(REFRESH_COOKIE)).toBe(true)
    const me = await tm.fetch(`${ORIGIN}/api/me`)
    expect(await me.json()).toMatchObject({ username: 'alice', roles: ['admin'] })
    expect(tm.getSnapshot().claims).toMatchObject({ sub: 'alice', name: 'Alice Liddell' })
    expect(controls.counters).toMatchObject({ loginCalls: 1, apiCalls: 1, refreshCalls: 0 })
  })

  it('expireAccessTokens: concurrent calls get 401, one refresh, every call replayed', async () => {
    const { tm, controls } = await setup()
    controls.expireAccessTokens()
    const replies = await Promise.all([1, 2, 3].map(() => tm.fetch(`${ORIGIN}/api/me`)))
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200])
    expect(controls.counters.refreshSuccesses).toBe(1)
  })

  it('failNextRefreshes(1, 401): sessionExpired with refresh_rejected', async () => {
    const { tm, controls } = await setup()
    const ended: SessionEndReason[] = []
    tm.on('sessionExpired', ({ reason }) => ended.push(reason))
    controls.failNextRefreshes(1, 401)
    await expect(tm.refresh()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(ended).toEqual(['refresh_rejected'])
  })

  it('failNextRefreshes(2, 503, Retry-After 1): retried after the wait (fake timers), then refreshed', async () => {
    const { tm, controls } = await setup()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    controls.failNextRefreshes(2, 503, 1)
    const refreshed = tm.refresh()
    await vi.advanceTimersByTimeAsync(999)
    expect(controls.counters.refreshCalls).toBe(1)
    await vi.advanceTimersByTimeAsync(5_000)
    await expect(refreshed).resolves.toEqual(expect.any(String))
    expect(controls.counters.statuses).toMatchObject({ 503: 2 })
    expect(controls.counters.refreshSuccesses).toBe(1)
  })

  it('setLatency delays every reply by the given time (fake timers)', async () => {
    const { tm, controls } = await setup()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    controls.setLatency(2_000)
    let done = false
    const call = tm.fetch(`${ORIGIN}/api/me`).then((r) => {
      done = true
      return r.status
    })
    await vi.advanceTimersByTimeAsync(1_999)
    expect(done).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(await call).toBe(200)
  })

  it('simulateStolenRefreshToken: reuse detection revokes the family; the tab learns it at its next refresh', async () => {
    const { tm, controls } = await setup()
    await tm.refresh()
    expect(await controls.simulateStolenRefreshToken({ username: 'alice' })).toMatchObject({ username: 'alice' })
    expect(controls.counters.reuseDetections).toBe(1)
    await expect(tm.refresh()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
  })

  it('setReuseGrace: a just-rotated refresh token still gets the current one, instead of revoking the family', async () => {
    for (const grace of [0, 5_000]) {
      const { tm, fetch, controls } = await setup()
      controls.setReuseGrace(grace)
      const stolen = fetch.cookies.get(REFRESH_COOKIE)!
      await tm.refresh()
      const replay = await fetch(`${ORIGIN}/auth/refresh`, {
        method: 'POST',
        credentials: 'omit',
        headers: { 'x-tokenkeeper': '1', cookie: `${REFRESH_COOKIE}=${stolen}` },
      })
      expect(replay.status).toBe(grace > 0 ? 200 : 401)
      expect(controls.counters.reuseDetections).toBe(grace > 0 ? 0 : 1)
    }
  })

  it('setClockOffset moves the JWT times, not the SDK expiry; setAccessTokenLifetime sets expiresIn', async () => {
    const backend = createMockBackend({ origin: ORIGIN })
    backend.controls.setClockOffset(-3_600_000)
    backend.controls.setAccessTokenLifetime(120)
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: createMockFetch(backend), crossTab: false })
    managers.push(tm)
    await tm.login({ username: 'alice', password: 'wonderland' })
    const { claims, expiresAt } = tm.getSnapshot()
    expect((claims?.iat as number) * 1000).toBeLessThan(Date.now() - 3_500_000)
    expect(expiresAt! - Date.now()).toBeGreaterThan(100_000)
  })

  it('revokeSession(id) ends that session at its next refresh; revokeAll(username) ends that user only; logout clears the cookie', async () => {
    const { tm, fetch, controls, backend } = await setup()
    // Another device: its own browser, its own cookie jar.
    const other = new TokenManager({ baseUrl: ORIGIN, fetch: createMockFetch(backend), crossTab: false })
    managers.push(other)
    await other.login({ username: 'alice', password: 'wonderland' })
    const [newest] = controls.sessions('alice').slice(-1)
    expect(controls.revokeSession(newest!.id)).toBe(true)
    expect(controls.revokeSession(newest!.id)).toBe(false)
    await expect(other.refresh()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(controls.sessions('alice')).toHaveLength(1)
    controls.revokeAll('bob')
    expect(controls.sessions('alice')).toHaveLength(1)
    await tm.logout()
    expect(fetch.cookies.has(REFRESH_COOKIE)).toBe(false)
    expect(controls.sessions('alice')).toHaveLength(0)
  })

  it('users replaces the demo users', async () => {
    const backend = createMockBackend({ origin: ORIGIN, users: [{ username: 'qa', password: 'secret', name: 'QA', roles: ['tester'] }] })
    const fetch = createMockFetch(backend)
    const login = (username: string, password: string) =>
      fetch(`${ORIGIN}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })
    expect((await login('qa', 'secret')).status).toBe(200)
    expect((await login('alice', 'wonderland')).status).toBe(401)
  })
})

describe('tokenkeeper/testing with msw setupServer', () => {
  it('the handlers answer an intercepted global fetch (body mode: Node keeps no cookies)', async () => {
    const backend = createMockBackend({ origin: ORIGIN, bodyTransport: true })
    const server = setupServer(...backend.handlers)
    server.listen({ onUnhandledRequest: 'error' })
    try {
      const tm = new TokenManager({ baseUrl: ORIGIN, refreshTokenTransport: 'body', crossTab: false })
      managers.push(tm)
      await tm.login({ username: 'bob', password: 'builder' })
      backend.controls.expireAccessTokens()
      expect((await tm.fetch(`${ORIGIN}/api/me`)).status).toBe(200)
      expect(backend.controls.counters).toMatchObject({ loginCalls: 1, refreshSuccesses: 1, apiCalls: 2 })
    } finally {
      server.close()
    }
  })
})

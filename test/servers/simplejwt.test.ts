// TokenManager with the simplejwt() preset against a real Django REST framework simplejwt server
// (Debian's packages, test/servers/django.mjs): ROTATE_REFRESH_TOKENS and BLACKLIST_AFTER_ROTATION
// on, 3 s access tokens. Real time: the conditions are polled with a deadline, never slept on.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { isLoginError, isSessionExpiredError, simplejwt, TokenManager } from '../../src'
import { type DjangoServer, startDjango } from './django.mjs'
import { eventually } from './poll'

const ACCESS_SECONDS = 4
let server: DjangoServer

/** The Node fetch, wrapped to count calls per path and keep the refresh tokens the server issued. */
function recordingFetch() {
  const calls: { method: string; path: string; status: number; body: string }[] = []
  const issuedRefreshTokens: string[] = []
  const wrapped: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    const body = request.body ? await request.clone().text() : ''
    const response = await fetch(request)
    const path = new URL(request.url).pathname
    calls.push({ method: request.method, path, status: response.status, body })
    if (path.startsWith('/api/token/') && response.ok) {
      const reply = (await response.clone().json()) as { refresh?: string }
      if (reply.refresh) issuedRefreshTokens.push(reply.refresh)
    }
    return response
  }
  const count = (path: string) => calls.filter((call) => call.path === path).length
  return { fetch: wrapped, calls, count, issuedRefreshTokens }
}

const managers: TokenManager[] = []
function manager(recorder: ReturnType<typeof recordingFetch>) {
  const tm = new TokenManager({
    baseUrl: server.url,
    authorizedOrigins: [server.url],
    backend: simplejwt(),
    fetch: recorder.fetch,
    crossTab: false,
    // No activity in Node, so the proactive refresh stays off: the token lapses and the next
    // tm.fetch refreshes on demand (the path the storm tests).
    idleTimeout: 10 * 60_000,
  })
  managers.push(tm)
  return tm
}

/** Until the manager's access token has expired by its own reckoning. */
const tokenLapsed = (tm: TokenManager) =>
  eventually(
    () => {
      const { expiresAt } = tm.getSnapshot()
      return expiresAt !== null && expiresAt <= Date.now()
    },
    { timeout: (ACCESS_SECONDS + 3) * 1000, interval: 50, message: 'the access token to lapse' },
  )

const postRefresh = (refresh: string) =>
  fetch(`${server.url}/api/token/refresh/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh }) })

beforeAll(async () => {
  server = await startDjango({ accessSeconds: ACCESS_SECONDS })
}, 30_000)
afterEach(() => {
  for (const tm of managers.splice(0)) tm.destroy()
})
afterAll(() => server?.close())

describe('simplejwt() against Django REST framework simplejwt', () => {
  it('logs in and rotates through tm.fetch: each refresh sends { refresh }, each rotated token is blacklisted', async () => {
    const recorder = recordingFetch()
    const tm = manager(recorder)
    const snapshot = await tm.login({ username: 'alice', password: 'wonderland' })
    expect(snapshot.status).toBe('active')
    expect(recorder.calls[0]).toMatchObject({ method: 'POST', path: '/api/token/', status: 200 })
    // The expiry is the server's (exp against its Date header), not exp - iat.
    const lifetime = (snapshot.expiresAt ?? 0) - Date.now()
    expect(lifetime).toBeGreaterThan(1000)
    expect(lifetime).toBeLessThanOrEqual(ACCESS_SECONDS * 1000 + 1000)

    const me = await tm.fetch(`${server.url}/api/me`)
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ username: 'alice' })

    for (let rotation = 1; rotation <= 3; rotation += 1) {
      await tokenLapsed(tm)
      const response = await tm.fetch(`${server.url}/api/me`)
      expect(response.status).toBe(200)
      expect(recorder.count('/api/token/refresh/')).toBe(rotation)
    }
    const refreshes = recorder.calls.filter((call) => call.path === '/api/token/refresh/')
    expect(refreshes.every((call) => call.status === 200)).toBe(true)
    expect(refreshes.map((call) => Object.keys(JSON.parse(call.body)))).toEqual([['refresh'], ['refresh'], ['refresh']])
    // Every refresh token but the current one was rotated away, and the server refuses it.
    const [, ...rotatedAway] = recorder.issuedRefreshTokens.slice().reverse()
    expect(rotatedAway).toHaveLength(3)
    for (const old of rotatedAway) expect((await postRefresh(old)).status).toBe(401)
    // No /api/me was answered 401 and replayed: the SDK knew when its token expired.
    expect(recorder.calls.filter((call) => call.path === '/api/me' && call.status === 401)).toEqual([])
  }, 30_000)

  it('a storm of 50 concurrent tm.fetch after expiry makes exactly one refresh', async () => {
    const recorder = recordingFetch()
    const tm = manager(recorder)
    await tm.login({ username: 'alice', password: 'wonderland' })
    await tokenLapsed(tm)
    const before = (await server.stats())['POST /api/token/refresh/'] ?? 0

    const responses = await Promise.all(Array.from({ length: 50 }, () => tm.fetch(`${server.url}/api/me`)))

    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200))
    expect(recorder.count('/api/token/refresh/')).toBe(1)
    expect((await server.stats())['POST /api/token/refresh/']).toBe(before + 1)
    expect(recorder.count('/api/me')).toBe(50)
  }, 20_000)

  it('logout blacklists the refresh token: the server refuses it afterwards with 401', async () => {
    const recorder = recordingFetch()
    const tm = manager(recorder)
    await tm.login({ username: 'alice', password: 'wonderland' })
    const refresh = recorder.issuedRefreshTokens.at(-1) ?? ''
    expect(refresh).not.toBe('')

    await tm.logout()

    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(recorder.calls.at(-1)).toMatchObject({ method: 'POST', path: '/api/token/blacklist/', status: 200 })
    expect(JSON.parse(recorder.calls.at(-1)?.body ?? '{}')).toEqual({ refresh })
    const after = await postRefresh(refresh)
    expect(after.status).toBe(401)
    expect(await after.json()).toMatchObject({ code: 'token_not_valid' })
  })

  it('a wrong password is a LoginError with status 401, not a session', async () => {
    const tm = manager(recordingFetch())
    const error = await tm.login({ username: 'alice', password: 'not-it' }).catch((e: unknown) => e)
    expect(isLoginError(error) && error.status).toBe(401)
    expect(tm.getSnapshot().status).not.toBe('active')
  })

  it('a refresh token blacklisted elsewhere ends the session with reason refresh_rejected', async () => {
    const recorder = recordingFetch()
    const tm = manager(recorder)
    await tm.login({ username: 'alice', password: 'wonderland' })
    const refresh = recorder.issuedRefreshTokens.at(-1) ?? ''
    const blacklist = await fetch(`${server.url}/api/token/blacklist/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh }),
    })
    expect(blacklist.status).toBe(200)
    await tokenLapsed(tm)

    const error = await tm.fetch(`${server.url}/api/me`).catch((e: unknown) => e)

    expect(isSessionExpiredError(error) && error.reason).toBe('refresh_rejected')
    expect(tm.getSnapshot().status).toBe('expired')
    expect(recorder.count('/api/token/refresh/')).toBe(1)
  }, 20_000)
})

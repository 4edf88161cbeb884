import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  InvalidTokenError,
  isRefreshError,
  isSessionExpiredError,
  RefreshError,
  SessionExpiredError,
  TokenManager,
  type TokenManagerEvents,
  type TokenManagerOptions,
} from '../../src'
import { createBrowser, ORIGIN, type TestBrowser } from '../helpers/browser'
import { makeJwt } from '../helpers/jwt'

const ALICE = { username: 'alice', password: 'wonderland' }

function setup(options: Partial<TokenManagerOptions> = {}, browser: TestBrowser = createBrowser()) {
  const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, ...options })
  const events: { type: keyof TokenManagerEvents; payload: unknown }[] = []
  for (const type of ['signedIn', 'tokenRefreshed', 'signedOut', 'sessionExpired', 'error', 'idleWarning'] as const) {
    tm.on(type, (payload) => events.push({ type, payload }))
  }
  const ofType = (type: keyof TokenManagerEvents) => events.filter((e) => e.type === type)
  return { tm, browser, events, ofType }
}

/** A fetch that answers the refresh endpoint with whatever the test says, and /api with 200. */
function scriptedFetch(refreshReplies: (() => Response | Promise<Response>)[]) {
  const calls: Request[] = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init)
    calls.push(request)
    const path = new URL(request.url).pathname
    if (path === '/auth/refresh') {
      const next = refreshReplies.shift()
      if (!next) throw new Error('unexpected refresh')
      return next()
    }
    return new Response('ok', { status: request.headers.has('authorization') ? 200 : 401 })
  }
  return { fetch, calls, refreshCount: () => calls.filter((c) => c.url.endsWith('/auth/refresh')).length }
}

const tokenReply =
  (expiresIn = 300, accessToken = makeJwt({ sub: 'u', iat: 1, exp: 1 + expiresIn })) =>
  () =>
    Response.json({ accessToken, expiresIn })

describe('core scenarios', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('keeps the access token in memory only', async () => {
    const { tm, browser } = setup()
    await tm.login(ALICE)
    const token = (await tm.getAccessToken())!
    expect(token.split('.')).toHaveLength(3)
    // The only cookie is the server's HttpOnly refresh cookie, never the access token.
    expect([...browser.jar.values()].some((v) => v.includes(token))).toBe(false)
    expect(typeof localStorage === 'undefined' || !JSON.stringify({ ...localStorage }).includes(token)).toBe(true)
    tm.destroy()
  })

  it('100 concurrent requests on an expired token make exactly one refresh and all succeed', async () => {
    const { tm, browser } = setup()
    await tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(0)
    browser.requests.length = 0
    vi.setSystemTime(Date.now() + 31_000) // past expiry without firing the proactive timer
    const responses = await Promise.all(Array.from({ length: 100 }, () => tm.fetch(`${ORIGIN}/api/me`)))
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200))
    expect(browser.count('/auth/refresh')).toBe(1)
    expect(browser.controls.counters.reuseDetections).toBe(0)
    tm.destroy()
  })

  it('concurrent 401s cause one refresh and each request is replayed once', async () => {
    const { tm, browser } = setup()
    await tm.login(ALICE)
    browser.controls.expireAccessTokens()
    // Token iat has second precision: move past the cut-off so the new token is accepted.
    vi.setSystemTime(Date.now() + 2100)
    const responses = await Promise.all(Array.from({ length: 10 }, () => tm.fetch(`${ORIGIN}/api/me`)))
    expect(responses.every((r) => r.status === 200)).toBe(true)
    expect(browser.count('/auth/refresh')).toBe(1)
    expect(browser.count('/api/me')).toBe(20)
    tm.destroy()
  })

  it('a second 401 is returned as is: no loop', async () => {
    const replies = scriptedFetch([tokenReply()])
    let apiCalls = 0
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init)
      if (request.url.endsWith('/api/always401')) {
        apiCalls++
        return new Response('no', { status: 401 })
      }
      return replies.fetch(request)
    }
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch, crossTab: false })
    tm.setSession({ accessToken: makeJwt({ iat: 1, exp: 301 }), expiresIn: 300 })
    const response = await tm.fetch(`${ORIGIN}/api/always401`)
    expect(response.status).toBe(401)
    expect(apiCalls).toBe(2)
    expect(replies.refreshCount()).toBe(1)
    tm.destroy()
  })

  it('never sends the bearer token to a third-party origin', async () => {
    const { tm, browser } = setup()
    await tm.login(ALICE)
    await tm.fetch('https://evil.example/collect', { headers: { 'x-test': '1' } })
    expect(browser.foreign).toHaveLength(1)
    expect(browser.foreign[0]!.headers.has('authorization')).toBe(false)
    expect(browser.foreign[0]!.headers.get('x-test')).toBe('1')
    tm.destroy()
  })

  it('sends the bearer only to allow-listed origins', async () => {
    const seen: Request[] = []
    const fetch: typeof globalThis.fetch = async (input, init) => {
      seen.push(new Request(input, init))
      return new Response('ok')
    }
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch, crossTab: false, authorizedOrigins: [ORIGIN, 'https://api.example.com'] })
    tm.setSession({ accessToken: 'opaque-token', expiresIn: 300 })
    await tm.fetch('https://api.example.com/x')
    await tm.fetch('https://api.example.com.evil.test/x')
    await tm.fetch(`${ORIGIN}/y`)
    expect(seen.map((r) => r.headers.get('authorization'))).toEqual(['Bearer opaque-token', null, 'Bearer opaque-token'])
    tm.destroy()
  })

  it('refresh rejected: one sessionExpired, queued requests reject with SessionExpiredError', async () => {
    const { tm, browser, ofType } = setup()
    await tm.login(ALICE)
    browser.controls.failNextRefreshes(1, 401)
    vi.setSystemTime(Date.now() + 31_000)
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => tm.fetch(`${ORIGIN}/api/me`)))
    expect(results.every((r) => r.status === 'rejected' && isSessionExpiredError(r.reason))).toBe(true)
    expect(ofType('sessionExpired')).toEqual([{ type: 'sessionExpired', payload: { reason: 'refresh_rejected' } }])
    expect(tm.getSnapshot().status).toBe('expired')
    expect(await tm.getAccessToken()).toBeNull()
    // Later requests go out unauthenticated; no refresh loop.
    const after = await tm.fetch(`${ORIGIN}/api/me`)
    expect(after.status).toBe(401)
    expect(browser.count('/auth/refresh')).toBe(1)
    expect(ofType('sessionExpired')).toHaveLength(1)
    tm.destroy()
  })

  it('two 503s then 200: the request succeeds and the session is kept', async () => {
    const { tm, browser, ofType } = setup()
    await tm.login(ALICE)
    browser.controls.failNextRefreshes(2, 503)
    vi.setSystemTime(Date.now() + 31_000)
    const pending = tm.fetch(`${ORIGIN}/api/me`)
    await vi.advanceTimersByTimeAsync(10_000)
    expect((await pending).status).toBe(200)
    expect(browser.count('/auth/refresh')).toBe(3)
    expect(ofType('sessionExpired')).toHaveLength(0)
    expect(ofType('error')).toHaveLength(0)
    tm.destroy()
  })

  it('429 with Retry-After: 2 waits 2 s before retrying', async () => {
    const { tm, browser } = setup()
    await tm.login(ALICE)
    browser.controls.failNextRefreshes(1, 429, 2)
    const pending = tm.refresh()
    await vi.advanceTimersByTimeAsync(1999)
    expect(browser.count('/auth/refresh')).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    await expect(pending).resolves.toEqual(expect.any(String))
    expect(browser.count('/auth/refresh')).toBe(2)
    tm.destroy()
  })

  it('a request while a refresh waits out a 429 goes out at once with the still-valid token (not after the retries)', async () => {
    const { tm, browser } = setup()
    await tm.login(ALICE)
    const before = await tm.getAccessToken()
    browser.controls.failNextRefreshes(1, 429, 10)
    await vi.advanceTimersByTimeAsync(15_500) // the proactive refresh at 15 s got a 429: its retry waits 10 s
    expect(browser.count('/auth/refresh')).toBe(1)
    let status: number | undefined
    void tm.fetch(`${ORIGIN}/api/me`).then((response) => (status = response.status))
    await vi.advanceTimersByTimeAsync(50)
    expect(status).toBe(200)
    const sent = browser.requests.filter((r) => r.url.endsWith('/api/me')).at(-1)!
    expect(sent.headers.get('authorization')).toBe(`Bearer ${before}`)
    // The retry still happens on its schedule and rotates as usual.
    await vi.advanceTimersByTimeAsync(10_000)
    expect(browser.count('/auth/refresh')).toBe(2)
    expect(await tm.getAccessToken()).not.toBe(before)
    tm.destroy()
  })

  it('a refresh endpoint that keeps answering HTML is tried with a cooldown that doubles, not every 5 s for the token lifetime', async () => {
    const { tm, browser, ofType } = setup()
    browser.controls.setAccessTokenLifetime(300)
    await tm.login(ALICE)
    browser.controls.failNextRefreshes(100, 'html')
    await vi.advanceTimersByTimeAsync(299_000) // the proactive refresh from 240 s on, until just before expiry
    // 240 s, then after 5, 10 and 20 s of cooldown (a fixed 5 s made 12 calls here).
    expect(browser.count('/auth/refresh')).toBe(4)
    expect(ofType('error')).toHaveLength(4)
    expect(ofType('sessionExpired')).toHaveLength(0)
    expect(tm.getSnapshot().status).toBe('active')
    tm.destroy()
  })

  it('network failure while the token is valid: no logout, an error event, requests still work', async () => {
    const { tm, browser, ofType } = setup({ retry: 1 })
    await tm.login(ALICE)
    browser.controls.failNextRefreshes(2, 'network')
    const before = await tm.getAccessToken()
    // The proactive refresh at 15 s fails, and so does its one retry (within the reuse grace window, R34).
    await vi.advanceTimersByTimeAsync(16_000)
    expect(ofType('error')).toHaveLength(1)
    expect(isRefreshError((ofType('error')[0]!.payload as { error: unknown }).error)).toBe(true)
    expect(ofType('sessionExpired')).toHaveLength(0)
    expect(tm.getSnapshot().status).toBe('active')
    expect(await tm.getAccessToken()).toBe(before)
    expect((await tm.fetch(`${ORIGIN}/api/me`)).status).toBe(200)
    tm.destroy()
  })

  it('after a failure, a cooldown stops callers hammering the endpoint', async () => {
    const { tm, browser } = setup({ retry: 0, refreshCooldown: 5000 })
    await tm.login(ALICE)
    browser.controls.failNextRefreshes(1, 500)
    vi.setSystemTime(Date.now() + 31_000)
    await expect(tm.fetch(`${ORIGIN}/api/me`)).rejects.toBeInstanceOf(RefreshError)
    await expect(tm.fetch(`${ORIGIN}/api/me`)).rejects.toBeInstanceOf(RefreshError)
    expect(browser.count('/auth/refresh')).toBe(1)
    await vi.advanceTimersByTimeAsync(5000)
    expect((await tm.fetch(`${ORIGIN}/api/me`)).status).toBe(200)
    expect(browser.count('/auth/refresh')).toBe(2)
    tm.destroy()
  })

  it.each([
    ['HTML', () => new Response('<!doctype html><p>login</p>', { status: 200, headers: { 'content-type': 'text/html' } })],
    ['empty', () => new Response('', { status: 200 })],
    ['JSON without a token', () => Response.json({ ok: true })],
    ['token not a string', () => Response.json({ accessToken: 42, expiresIn: 60 })],
    ['2-part JWT', () => Response.json({ accessToken: 'a.b' })],
    ['bad base64 JWT', () => Response.json({ accessToken: 'a.@@@.c' })],
    ['non-JSON payload', () => Response.json({ accessToken: `x.${Buffer.from('nope').toString('base64url')}.y` })],
    ['exp as string', () => Response.json({ accessToken: makeJwt({ exp: '123' }) })],
    ['no exp and no expiresIn', () => Response.json({ accessToken: makeJwt({ sub: 'x' }) })],
    ['204', () => new Response(null, { status: 204 })],
  ])('a refresh reply that is %s is an InvalidTokenError, not a logout', async (_name, reply) => {
    const script = scriptedFetch([reply])
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: script.fetch, crossTab: false })
    const errors: unknown[] = []
    const expired: unknown[] = []
    tm.on('error', ({ error }) => errors.push(error))
    tm.on('sessionExpired', (e) => expired.push(e))
    tm.setSession({ accessToken: 'opaque', expiresIn: 300 })
    await expect(tm.refresh()).rejects.toBeInstanceOf(InvalidTokenError)
    expect(errors).toHaveLength(1)
    expect(expired).toHaveLength(0)
    expect(tm.getSnapshot().status).toBe('active')
    expect(await tm.getAccessToken()).toBe('opaque')
    tm.destroy()
  })

  it('a 40-day token does not refresh until its lead time', async () => {
    const days40 = 40 * 24 * 3600
    const script = scriptedFetch([tokenReply(days40)])
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: script.fetch, crossTab: false })
    tm.setSession({ accessToken: 'long-lived', expiresIn: days40 })
    await vi.advanceTimersByTimeAsync(1000)
    expect(script.refreshCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(days40 * 1000 - 60_000 - 1000 - 1)
    expect(script.refreshCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(script.refreshCount()).toBe(1)
    tm.destroy()
  })

  it('refresh-token reuse against the mock revokes the family', async () => {
    const browser = createBrowser()
    const { tm } = setup({}, browser)
    await tm.login(ALICE)
    const stolenCookie = browser.jar.get('tk_refresh')!
    await tm.refresh() // rotates
    browser.jar.set('tk_refresh', stolenCookie) // an attacker's replay from this jar
    const replay = await browser.fetch(`${ORIGIN}/auth/refresh`, { method: 'POST', credentials: 'include', headers: { 'x-tokenkeeper': '1' } })
    expect(replay.status).toBe(401)
    expect(browser.controls.counters.reuseDetections).toBe(1)
    expect(browser.controls.sessions('alice')).toHaveLength(0)
    tm.destroy()
  })

  it('a revoked session learns it at its next refresh', async () => {
    const { tm, browser, ofType } = setup()
    await tm.login(ALICE)
    browser.controls.revokeAll('alice')
    await expect(tm.refresh()).rejects.toBeInstanceOf(SessionExpiredError)
    expect(ofType('sessionExpired')).toHaveLength(1)
    tm.destroy()
  })

  it('start() resumes a session from the refresh cookie, or is quietly signed out', async () => {
    const browser = createBrowser()
    const first = setup({}, browser)
    await first.tm.login(ALICE)
    first.tm.destroy()

    const second = setup({}, browser)
    const snapshot = await second.tm.start()
    expect(snapshot.status).toBe('active')
    expect(snapshot.claims).toMatchObject({ sub: 'alice' })
    expect(second.ofType('signedIn')).toHaveLength(1)
    second.tm.destroy()

    const stranger = setup()
    expect((await stranger.tm.start()).status).toBe('signedOut')
    expect(stranger.ofType('sessionExpired')).toHaveLength(0)
    expect(stranger.events).toHaveLength(0)
    // start() is idempotent
    expect(await stranger.tm.start()).toBe(stranger.tm.getSnapshot())
    stranger.tm.destroy()
  })

  it('signed out: fetch sends no Authorization and public endpoints still work', async () => {
    const seen: Request[] = []
    const tm = new TokenManager({
      baseUrl: ORIGIN,
      crossTab: false,
      fetch: async (i, init) => {
        seen.push(new Request(i, init))
        return new Response('public')
      },
    })
    await tm.logout()
    const response = await tm.fetch(`${ORIGIN}/public`)
    expect(await response.text()).toBe('public')
    expect(seen.at(-1)!.headers.has('authorization')).toBe(false)
    tm.destroy()
  })

  it('logout clears memory even when the server call fails, and emits signedOut once', async () => {
    const { tm, ofType } = setup()
    await tm.login(ALICE)
    const failing = new TokenManager({ baseUrl: ORIGIN, crossTab: false, fetch: async () => Promise.reject(new TypeError('offline')) })
    failing.setSession({ accessToken: 'x', expiresIn: 60 })
    await expect(failing.logout()).resolves.toBeUndefined()
    expect(await failing.getAccessToken()).toBeNull()
    await tm.logout({ everywhere: true })
    expect(ofType('signedOut')).toEqual([{ type: 'signedOut', payload: { source: 'local', everywhere: true } }])
    expect(tm.getSnapshot().status).toBe('signedOut')
    failing.destroy()
    tm.destroy()
  })

  it('request bodies survive the replay after a 401', async () => {
    const bodies: string[] = []
    let first = true
    const script = scriptedFetch([tokenReply()])
    const tm = new TokenManager({
      baseUrl: ORIGIN,
      crossTab: false,
      fetch: async (i, init) => {
        const request = new Request(i, init)
        if (request.url.endsWith('/api/echo')) {
          bodies.push(await request.text())
          if (first) {
            first = false
            return new Response('', { status: 401 })
          }
          return new Response('done')
        }
        return script.fetch(request)
      },
    })
    tm.setSession({ accessToken: 'opaque', expiresIn: 300 })
    const response = await tm.fetch(`${ORIGIN}/api/echo`, { method: 'POST', body: JSON.stringify({ a: 1 }) })
    expect(await response.text()).toBe('done')
    expect(bodies).toEqual(['{"a":1}', '{"a":1}'])
    tm.destroy()
  })

  it('a one-shot stream body is not replayed: the caller gets the 401', async () => {
    const script = scriptedFetch([tokenReply()])
    let calls = 0
    const tm = new TokenManager({
      baseUrl: ORIGIN,
      crossTab: false,
      fetch: async (i, init) => {
        const request = new Request(i, init)
        if (request.url.endsWith('/upload')) {
          calls++
          return new Response('', { status: 401 })
        }
        return script.fetch(request)
      },
    })
    tm.setSession({ accessToken: 'opaque', expiresIn: 300 })
    const body = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('x')), c.close()) })
    const response = await tm.fetch(`${ORIGIN}/upload`, { method: 'POST', body, duplex: 'half' } as RequestInit)
    expect(response.status).toBe(401)
    expect(calls).toBe(1)
    expect(script.refreshCount()).toBe(0)
    tm.destroy()
  })

  it('an AbortSignal aborts a queued request at once', async () => {
    const { tm, browser } = setup()
    await tm.login(ALICE)
    browser.controls.setLatency(5000)
    vi.setSystemTime(Date.now() + 31_000)
    const controller = new AbortController()
    const queued = tm.fetch(`${ORIGIN}/api/me`, { signal: controller.signal })
    const other = tm.fetch(`${ORIGIN}/api/me`)
    controller.abort()
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' })
    await vi.advanceTimersByTimeAsync(10_000)
    expect((await other).status).toBe(200)
    tm.destroy()
  })

  it('tm.http (ky) shares the flow: bearer, single-flight refresh, 401 replay', async () => {
    const { tm, browser } = setup()
    await tm.login(ALICE)
    vi.setSystemTime(Date.now() + 31_000)
    const results = await Promise.all(Array.from({ length: 10 }, () => tm.http.get(`${ORIGIN}/api/me`).json<{ username: string }>()))
    expect(results.every((r) => r.username === 'alice')).toBe(true)
    expect(browser.count('/auth/refresh')).toBe(1)
    await tm.logout()
    await expect(tm.http.get(`${ORIGIN}/api/me`).json()).rejects.toMatchObject({ name: 'HTTPError' })
    tm.destroy()
  })

  it('403 passes through untouched, without a refresh', async () => {
    const { tm, browser } = setup()
    await tm.login({ username: 'bob', password: 'builder' })
    const response = await tm.fetch(`${ORIGIN}/api/admin`)
    expect(response.status).toBe(403)
    expect(browser.count('/auth/refresh')).toBe(0)
    tm.destroy()
  })

  it('a throwing handler does not stop other handlers or break the manager', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    const { tm } = setup()
    const seen: string[] = []
    tm.on('signedIn', () => {
      throw new Error('app bug')
    })
    tm.on('signedIn', () => seen.push('second'))
    tm.subscribe(() => {
      throw new Error('listener bug')
    })
    await tm.login(ALICE)
    expect(seen).toEqual(['second'])
    expect(spy).toHaveBeenCalled()
    expect(await tm.getAccessToken()).toEqual(expect.any(String))
    tm.destroy()
  })

  it('a handler may call refresh(): the refresh is no longer in flight when events fire', async () => {
    const { tm, browser } = setup()
    await tm.login(ALICE)
    let nested: Promise<string> | undefined
    tm.on('tokenRefreshed', () => {
      nested ??= tm.refresh()
    })
    await tm.refresh()
    await nested
    expect(browser.count('/auth/refresh')).toBe(2)
    tm.destroy()
  })

  it('snapshots keep their identity until something changes', async () => {
    const { tm } = setup()
    const initial = tm.getSnapshot()
    expect(tm.getSnapshot()).toBe(initial)
    const calls = vi.fn()
    tm.subscribe(calls)
    await tm.login(ALICE)
    const active = tm.getSnapshot()
    expect(active).not.toBe(initial)
    expect(active.status).toBe('active')
    expect(tm.getSnapshot()).toBe(active)
    await tm.getAccessToken()
    expect(tm.getSnapshot()).toBe(active)
    expect(calls).toHaveBeenCalledTimes(1)
    tm.destroy()
  })

  it('destroy() leaves no timers and later calls reject clearly', async () => {
    const { tm } = setup()
    await tm.login(ALICE)
    expect(vi.getTimerCount()).toBeGreaterThan(0)
    tm.destroy()
    expect(vi.getTimerCount()).toBe(0)
    await expect(tm.getAccessToken()).rejects.toMatchObject({ code: 'DESTROYED' })
    await expect(tm.refresh()).rejects.toMatchObject({ code: 'DESTROYED' })
    await expect(tm.start()).rejects.toMatchObject({ code: 'DESTROYED' })
    await expect(tm.fetch(`${ORIGIN}/api/me`)).rejects.toMatchObject({ code: 'DESTROYED' })
    await expect(tm.login(ALICE)).rejects.toMatchObject({ code: 'DESTROYED' })
  })

  it('login errors are typed: wrong password, rate limited with Retry-After', async () => {
    const { tm } = setup()
    await expect(tm.login({ username: 'alice', password: 'nope' })).rejects.toMatchObject({ code: 'LOGIN_FAILED', status: 401 })
    for (let i = 0; i < 4; i++) await tm.login({ username: 'alice', password: 'nope' }).catch(() => {})
    await expect(tm.login(ALICE)).rejects.toMatchObject({ code: 'LOGIN_FAILED', status: 429, retryAfter: 30 })
    tm.destroy()
  })

  it('errors and events never contain token text', async () => {
    const { tm, browser, events } = setup()
    await tm.login(ALICE)
    const token = (await tm.getAccessToken())!
    browser.controls.failNextRefreshes(1, 'html')
    await tm.refresh().catch((error: Error) => {
      expect(String(error.message)).not.toContain(token.slice(10, 30))
    })
    browser.controls.failNextRefreshes(1, 401)
    await tm.refresh().catch(() => {})
    const text = JSON.stringify(events.map((e) => (e.type === 'error' ? String((e.payload as { error: Error }).error.message) : e)))
    expect(text).not.toContain(token.slice(20, 40))
    tm.destroy()
  })
})

describe('refresh() needs a session', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('after an idle expiry it rejects with the reason and makes no request, even if the server logout failed', async () => {
    const browser = createBrowser()
    // The server logout at the idle deadline never arrives: the refresh cookie stays valid.
    const fetch: typeof globalThis.fetch = (input, init) =>
      (input instanceof Request ? input.url : String(input)).endsWith('/auth/logout')
        ? Promise.reject(new TypeError('network down'))
        : browser.fetch(input, init)
    const { tm } = setup({ idleTimeout: 60_000, idleWarningTime: 0, fetch }, browser)
    await tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(61_000)
    expect(browser.controls.sessions('alice')).toHaveLength(1)
    expect(tm.getSnapshot().status).toBe('expired')
    browser.requests.length = 0
    await expect(tm.refresh()).rejects.toMatchObject({ code: 'SESSION_EXPIRED', reason: 'idle' })
    expect(browser.count('/auth/refresh')).toBe(0)
    expect(await tm.getAccessToken()).toBeNull()
    tm.destroy()
  })

  it('after logout it rejects with signed_out; before start() it resumes the session from the cookie', async () => {
    const browser = createBrowser()
    const first = setup({}, browser)
    await first.tm.login(ALICE)
    first.tm.destroy()
    const second = setup({}, browser)
    await expect(second.tm.refresh()).resolves.toEqual(expect.any(String))
    expect(second.tm.getSnapshot().status).toBe('active')
    await second.tm.logout()
    await expect(second.tm.refresh()).rejects.toMatchObject({ reason: 'signed_out' })
    second.tm.destroy()
  })

  it('a tab that never had a session may call it to look for one (after start() found none)', async () => {
    const browser = createBrowser()
    const { tm } = setup({}, browser)
    await tm.start()
    expect(tm.getSnapshot().status).toBe('signedOut')
    // Another app on the site signs the user in: the refresh cookie appears.
    const other = setup({}, browser)
    await other.tm.login(ALICE)
    other.tm.destroy()
    await expect(tm.refresh()).resolves.toEqual(expect.any(String))
    expect(tm.getSnapshot().status).toBe('active')
    tm.destroy()
  })
})

import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTabs } from '../helpers/tabs'
import { hangingRefresh } from '../helpers/hanging'
import { createBrowser, type TestBrowser } from '../helpers/browser'
import { LoginError } from '../../src'
import { REFRESH_COOKIE } from '../../src/testing/backend'
const ALICE = { username: 'alice', password: 'wonderland' }

afterEach(() => {
  vi.useRealTimers()
})

describe('SignIn: login() and a refresh in flight', () => {
  it('login() aborts an outdated refresh of this tab instead of queueing behind it on the lock', async () => {
    vi.useFakeTimers()
    const tabs = createTabs()
    const { fetch, hanging } = hangingRefresh(tabs.browser)
    const { tm } = tabs.open({ fetch })
    const started = tm.start()
    await vi.advanceTimersByTimeAsync(500) // the join window is over: start()'s refresh holds the lock
    expect(hanging()).toBe(1)
    let signedIn = false
    const login = tm.login(ALICE).then(() => (signedIn = true))
    await vi.advanceTimersByTimeAsync(200)
    expect(signedIn).toBe(true)
    await login
    expect(tm.getSnapshot().status).toBe('active')
    // start() settles too (its refresh was aborted, not left hanging on the server's timeout).
    await expect(started).resolves.toBeDefined()
    tabs.destroyAll()
  })
})

const BOB = { username: 'bob', password: 'builder' }
const ORIGIN_URL = 'http://app.test'

/** Which user the browser's refresh cookie names on the server (`null`: no cookie, or a dead one). */
async function cookieOwner(browser: TestBrowser): Promise<string | null> {
  const value = browser.jar.get(REFRESH_COOKIE)
  if (!value) return null
  const request = new Request(`${ORIGIN_URL}/auth/refresh`, { headers: { cookie: `${REFRESH_COOKIE}=${value}` } })
  return (await browser.controls.sessionOf(request))?.username ?? null
}

/** A fetch whose login replies for `username` are `delay` ms slower than the others. */
function slowLoginFor(browser: TestBrowser, username: string, delay: number): typeof globalThis.fetch {
  return async (input, init) => {
    const request = new Request(input, init)
    if (request.url.endsWith('/auth/login') && ((await request.clone().json()) as { username?: string }).username === username) {
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
    return browser.fetch(request)
  }
}

const paths = (browser: TestBrowser) => browser.requests.map((r) => new URL(r.url).pathname)

describe('SignIn: overlapping logins in one tab settle on the last one (RELIABILITY.md R29, was O2)', () => {
  it('a double-submitted form: both calls fulfilled, one request, one session', async () => {
    vi.useFakeTimers()
    const tabs = createTabs()
    const { tm } = tabs.open()
    const results = await Promise.allSettled([tm.login({ ...ALICE }), tm.login({ ...ALICE })])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
    expect(tabs.browser.count('/auth/login')).toBe(1)
    expect(tabs.browser.controls.sessions('alice')).toHaveLength(1)
    expect(tm.getSnapshot().claims?.sub).toBe('alice')
    tabs.destroyAll()
  })

  it.each([
    ['Web Locks', { webLocks: true }],
    ['no cross-tab lock (crossTab: false)', { crossTab: false }],
  ] as const)("alice then bob, alice answered last (%s): both resolve as bob, alice is logged out on the server, the cookie is bob's", async (_, how) => {
    vi.useFakeTimers()
    const tabs = createTabs({ webLocks: 'webLocks' in how })
    const fetch = slowLoginFor(tabs.browser, 'alice', 500)
    const { tm, ofType } = tabs.open({ fetch, ...('crossTab' in how && { crossTab: false }) })
    const alice = tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(10)
    const bob = tm.login(BOB)
    const settled = Promise.allSettled([alice, bob])
    await vi.advanceTimersByTimeAsync(1000)
    const results = await settled
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
    expect(tm.getSnapshot().claims?.sub).toBe('bob')
    // bob's login is sent only once alice's reply landed and alice was logged out.
    expect(paths(tabs.browser)).toEqual(['/auth/login', '/auth/logout', '/auth/login'])
    expect(tabs.browser.controls.sessions('alice')).toEqual([])
    expect(tabs.browser.controls.sessions('bob')).toHaveLength(1)
    expect(await cookieOwner(tabs.browser)).toBe('bob')
    // Only bob's session ever began here; the next refresh stays bob.
    expect(ofType('signedIn').map((e) => (e.payload as { claims: { sub: string } }).claims.sub)).toEqual(['bob'])
    await tm.refresh()
    expect(tm.getSnapshot().claims?.sub).toBe('bob')
    tabs.destroyAll()
  })

  it("alice then bob in body mode: alice's refresh token is revoked on the server, bob's is the one held", async () => {
    vi.useFakeTimers()
    const tabs = createTabs({ browser: createBrowser({ bodyTransport: true }), tabOptions: { refreshTokenTransport: 'body' } })
    const { tm } = tabs.open({ fetch: slowLoginFor(tabs.browser, 'alice', 300) })
    const alice = tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(10) // alice's request is out
    const bob = tm.login(BOB)
    const settled = Promise.allSettled([alice, bob])
    await vi.advanceTimersByTimeAsync(1000)
    const results = await settled
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
    expect(paths(tabs.browser)).toEqual(['/auth/login', '/auth/logout', '/auth/login'])
    expect(tabs.browser.controls.sessions('alice')).toEqual([])
    await tm.refresh()
    expect(tm.getSnapshot().claims?.sub).toBe('bob')
    tabs.destroyAll()
  })

  it("alice then bob with a wrong password: both reject with bob's error, and no alice session or cookie is left", async () => {
    vi.useFakeTimers()
    const tabs = createTabs()
    const { tm } = tabs.open({ fetch: slowLoginFor(tabs.browser, 'alice', 300) })
    const alice = tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(10) // alice's request is out
    const bob = tm.login({ ...BOB, password: 'wrong' })
    const settled = Promise.allSettled([alice, bob])
    await vi.advanceTimersByTimeAsync(1000)
    const results = await settled
    expect(results.map((r) => (r.status === 'rejected' ? { name: (r.reason as Error).name, status: (r.reason as LoginError).status } : r.status))).toEqual([
      { name: 'LoginError', status: 401 },
      { name: 'LoginError', status: 401 },
    ])
    expect(tm.getSnapshot().status).not.toBe('active')
    expect(tabs.browser.controls.sessions('alice')).toEqual([])
    expect(tabs.browser.jar.has(REFRESH_COOKIE)).toBe(false)
    tabs.destroyAll()
  })

  it('logins queued behind one in flight: only the last of them is sent, and every call settles as it', async () => {
    vi.useFakeTimers()
    const tabs = createTabs()
    const { tm } = tabs.open({ fetch: slowLoginFor(tabs.browser, 'alice', 300) })
    const first = tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(10) // alice's request is out
    const settled = Promise.allSettled([first, tm.login(BOB), tm.login({ username: 'carol', password: 'wrong' }), tm.login(BOB)])
    await vi.advanceTimersByTimeAsync(1000)
    const results = await settled
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'])
    // alice (then logged out), then only the last bob: the bob and carol in between were never sent.
    expect(paths(tabs.browser)).toEqual(['/auth/login', '/auth/logout', '/auth/login'])
    expect(tm.getSnapshot().claims?.sub).toBe('bob')
    tabs.destroyAll()
  })

  it('a logout while a login is in flight: the login rejects as superseded, and its session and cookie do not survive', async () => {
    vi.useFakeTimers()
    const tabs = createTabs()
    const { tm } = tabs.open({ fetch: slowLoginFor(tabs.browser, 'alice', 500) })
    const login = tm.login(ALICE).catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(10)
    // Memory is cleared at once; the server call queues on the lock behind the login it supersedes (O5).
    await Promise.all([tm.logout(), vi.advanceTimersByTimeAsync(1000)])
    const error = await login
    expect(error).toBeInstanceOf(LoginError)
    expect((error as LoginError).message).toBe('Login superseded by a sign-out')
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(tabs.browser.controls.sessions('alice')).toEqual([])
    expect(tabs.browser.jar.has(REFRESH_COOKIE)).toBe(false)
    tabs.destroyAll()
  })

  it('two tabs with Web Locks: alice then bob in one tab leaves both tabs on bob', async () => {
    vi.useFakeTimers()
    const tabs = createTabs()
    const a = tabs.open({ fetch: slowLoginFor(tabs.browser, 'alice', 300) })
    const b = tabs.open()
    await Promise.all([a.tm.start(), b.tm.start(), vi.advanceTimersByTimeAsync(500)])
    const alice = a.tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(10)
    const logins = [alice, a.tm.login(BOB)]
    await vi.advanceTimersByTimeAsync(1000)
    await Promise.all(logins)
    await vi.advanceTimersByTimeAsync(100)
    expect([a, b].map((t) => t.tm.getSnapshot().claims?.sub)).toEqual(['bob', 'bob'])
    await b.tm.refresh()
    await vi.advanceTimersByTimeAsync(100)
    expect([a, b].map((t) => t.tm.getSnapshot().claims?.sub)).toEqual(['bob', 'bob'])
    expect(await cookieOwner(tabs.browser)).toBe('bob')
    tabs.destroyAll()
  })
})

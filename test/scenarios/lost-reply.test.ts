import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RefreshError, TokenManager, type TokenManagerEvents, type TokenManagerOptions } from '../../src'
import { createBrowser, ORIGIN, type TestBrowser } from '../helpers/browser'
import { createFakeEnvironment } from '../helpers/environment'
import { createTabs } from '../helpers/tabs'

/**
 * A refresh whose reply was lost after the server rotated (the mock's `lost` fault: the server
 * redeems the token, then the connection drops). Under strict rotation the token the client
 * still holds is spent: presenting it again is reuse and revokes the session everywhere.
 */

const ALICE = { username: 'alice', password: 'wonderland' }

function setup(options: Partial<TokenManagerOptions>, browser: TestBrowser) {
  const env = createFakeEnvironment()
  const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, environment: env.environment, ...options })
  const events: { type: keyof TokenManagerEvents; payload: unknown }[] = []
  for (const type of ['tokenRefreshed', 'sessionExpired', 'error'] as const) tm.on(type, (payload) => events.push({ type, payload }))
  const ofType = (type: keyof TokenManagerEvents) => events.filter((e) => e.type === type).map((e) => e.payload)
  return { tm, env, ofType }
}

describe.each([
  ['body mode', 'body' as const],
  ['cookie mode', 'cookie' as const],
])('R34: a refresh whose reply was lost after the server rotated (%s)', (_name, transport) => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  const browserFor = () => createBrowser({ bodyTransport: transport === 'body' })

  it('without a reuse grace window: not retried with the spent token; the session keeps its valid access token', async () => {
    const browser = browserFor()
    // The app declares a server without a window (strict rotation).
    const { tm, ofType } = setup({ refreshTokenTransport: transport, reuseGrace: 0 }, browser)
    await tm.login(ALICE)
    const before = await tm.getAccessToken()
    browser.controls.failNextRefreshes(1, 'lost')
    const refreshed = tm.refresh().catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(10_000)
    const error = await refreshed
    // Before the fix: three retries presented the spent token, reuse detection revoked the session.
    expect(browser.controls.counters.reuseDetections).toBe(0)
    expect(browser.count('/auth/refresh')).toBe(1)
    expect(error).toBeInstanceOf(RefreshError)
    expect(error).toMatchObject({ transient: true, message: expect.stringMatching(/reply may have been lost/) })
    expect(ofType('error')).toHaveLength(1)
    expect(ofType('sessionExpired')).toEqual([])
    expect(tm.getSnapshot().status).toBe('active')
    expect(await tm.getAccessToken()).toBe(before)
    expect((await tm.fetch(`${ORIGIN}/api/me`)).status).toBe(200)
    // While the access token lasts nothing presents the token again: no proactive refresh, and a
    // forced refresh (or going online) resolves with the valid token.
    await expect(tm.refresh()).resolves.toBe(before)
    await vi.advanceTimersByTimeAsync(15_000) // 25 s after sign-in, token valid until 30 s
    expect(browser.count('/auth/refresh')).toBe(1)
    expect(browser.controls.counters.reuseDetections).toBe(0)
    // Once it has expired there is nothing left to lose: the next call presents it once (here the
    // server did rotate, so the session ends; with a grace window it would not have come to this).
    vi.setSystemTime(Date.now() + 6000)
    await expect(tm.fetch(`${ORIGIN}/api/me`)).rejects.toMatchObject({ name: 'SessionExpiredError', reason: 'refresh_rejected' })
    expect(browser.count('/auth/refresh')).toBe(2)
    expect(ofType('sessionExpired')).toEqual([{ reason: 'refresh_rejected' }])
    tm.destroy()
  })

  it("with one (the server has the contract's 10 s window; `reuseGrace` left at its default): retried at once, the session continues", async () => {
    const browser = browserFor()
    browser.controls.setReuseGrace(10_000)
    const { tm, ofType } = setup({ refreshTokenTransport: transport }, browser)
    await tm.login(ALICE)
    const before = await tm.getAccessToken()
    browser.controls.failNextRefreshes(1, 'lost')
    const refreshed = tm.refresh()
    await vi.advanceTimersByTimeAsync(2000)
    const token = await refreshed
    expect(token).not.toBe(before)
    expect(browser.count('/auth/refresh')).toBe(2)
    expect(browser.controls.counters.reuseDetections).toBe(0)
    expect(ofType('error')).toEqual([])
    // The grace reply carries the current refresh token: the next rotation works.
    await expect(tm.refresh()).resolves.toEqual(expect.any(String))
    expect(browser.controls.counters.reuseDetections).toBe(0)
    expect(tm.getSnapshot().status).toBe('active')
    tm.destroy()
  })

  it('a retry that would land past the grace window is not sent (a 10 s timeout, a 5 s window)', async () => {
    const browser = browserFor()
    browser.controls.setReuseGrace(5000)
    const { tm } = setup({ refreshTokenTransport: transport, reuseGrace: 5000, timeout: 10_000 }, browser)
    await tm.login(ALICE)
    browser.controls.setLatency(12_000) // the server rotates at once but its reply misses the timeout
    const refreshed = tm.refresh().catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(await refreshed).toMatchObject({ code: 'REFRESH_FAILED', transient: true })
    expect(browser.count('/auth/refresh')).toBe(1)
    browser.controls.setLatency(0)
    expect(tm.getSnapshot().status).toBe('active')
    tm.destroy()
  })
})

describe.each([
  ['Web Locks', true],
  ['channel mutex, no Web Locks', false],
])('R34 across tabs (%s)', (_name, webLocks) => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('body mode: while the holder holds back a possibly spent token, a follower asking it gets the valid token', async () => {
    const world = createTabs({ webLocks, browser: createBrowser({ bodyTransport: true }), tabOptions: { refreshTokenTransport: 'body', reuseGrace: 0 } })
    const holder = world.open()
    const follower = world.open()
    await Promise.all([holder.tm.login(ALICE), vi.advanceTimersByTimeAsync(200)])
    await vi.advanceTimersByTimeAsync(2000)
    const token = await holder.tm.getAccessToken()
    world.browser.controls.failNextRefreshes(1, 'lost')
    await Promise.all([holder.tm.refresh().catch(() => undefined), vi.advanceTimersByTimeAsync(100)])
    const asked = follower.tm.refresh()
    await vi.advanceTimersByTimeAsync(200)
    await expect(asked).resolves.toBe(token)
    await vi.advanceTimersByTimeAsync(20_000) // both tabs' proactive times pass
    expect(world.browser.count('/auth/refresh')).toBe(1)
    expect(world.browser.controls.counters.reuseDetections).toBe(0)
    expect([holder, follower].map((t) => t.tm.getSnapshot().status)).toEqual(['active', 'active'])
    world.destroyAll()
  })

  it('cookie mode: the tab queued behind a lost reply does not present the spent cookie either', async () => {
    const world = createTabs({ webLocks, tabOptions: { reuseGrace: 0 } })
    const a = world.open()
    const b = world.open()
    await Promise.all([a.tm.login(ALICE), vi.advanceTimersByTimeAsync(200)])
    await vi.advanceTimersByTimeAsync(2000)
    world.browser.controls.failNextRefreshes(1, 'lost')
    world.browser.controls.setLatency(50)
    const fromA = a.tm.refresh().catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(10)
    const fromB = b.tm.refresh().catch((error: unknown) => error) // queued on the lock while a's reply is lost
    await vi.advanceTimersByTimeAsync(20_000)
    expect(await fromA).toBeInstanceOf(RefreshError)
    expect(await fromB).toEqual(expect.any(String))
    expect(world.browser.count('/auth/refresh')).toBe(1)
    expect(world.browser.controls.counters.reuseDetections).toBe(0)
    expect([a, b].map((t) => t.tm.getSnapshot().status)).toEqual(['active', 'active'])
    world.destroyAll()
  })
})

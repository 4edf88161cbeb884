import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ORIGIN } from '../helpers/browser'
import { createTabs } from '../helpers/tabs'

const ALICE = { username: 'alice', password: 'wonderland' }

describe.each([
  ['Web Locks', true],
  ['channel mutex, no Web Locks', false],
])('cross-tab sync (%s)', (_name, webLocks) => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  async function signedInTabs(n: number) {
    const world = createTabs({ webLocks })
    const tabs = Array.from({ length: n }, () => world.open())
    await tabs[0]!.tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(50)
    // The others adopt the sign-in.
    await vi.advanceTimersByTimeAsync(webLocks ? 0 : 100)
    return { world, tabs }
  }

  it('a login in one tab signs in the others', async () => {
    const { world, tabs } = await signedInTabs(3)
    for (const tab of tabs.slice(1)) {
      expect(tab.tm.getSnapshot().status).toBe('active')
      expect(tab.ofType('signedIn')).toEqual([{ type: 'signedIn', payload: { claims: expect.objectContaining({ sub: 'alice' }) } }])
    }
    expect(world.browser.count('/auth/refresh')).toBe(0)
    world.destroyAll()
  })

  it('a sign-in whose token expired on the way (the machine slept before delivery) still signs the other tabs in', async () => {
    const world = createTabs({ webLocks })
    const a = world.open()
    const b = world.open()
    await vi.advanceTimersByTimeAsync(200)
    // Without Web Locks the login's lock claim is answered over the channel (delivered on timers here).
    await Promise.all([a.tm.login(ALICE), vi.advanceTimersByTimeAsync(webLocks ? 0 : 50)])
    // The laptop sleeps before the channel delivers the sign-in: the clock jumps past the token's expiry.
    vi.setSystemTime(Date.now() + 40_000)
    await vi.advanceTimersByTimeAsync(200)
    expect(b.ofType('signedIn')).toHaveLength(1)
    expect(b.tm.getSnapshot().status).not.toBe('signedOut')
    const [token] = await Promise.all([b.tm.getAccessToken(), vi.advanceTimersByTimeAsync(webLocks ? 0 : 200)])
    expect(token).toEqual(expect.any(String))
    expect(token).toBe(await a.tm.getAccessToken())
    world.destroyAll()
  })

  it('5 tabs × 100 concurrent requests at expiry: one refresh, no reuse', async () => {
    const { world, tabs } = await signedInTabs(5)
    world.browser.requests.length = 0
    vi.setSystemTime(Date.now() + 31_000)
    const all = tabs.flatMap((tab) => Array.from({ length: 100 }, () => tab.tm.fetch(`${ORIGIN}/api/me`)))
    const settled = Promise.all(all)
    await vi.advanceTimersByTimeAsync(5000)
    const responses = await settled
    expect(responses.every((r) => r.status === 200)).toBe(true)
    expect(world.browser.count('/auth/refresh')).toBe(1)
    expect(world.browser.controls.counters.reuseDetections).toBe(0)
    // One tab refreshed; every other one adopted its token.
    const sources = tabs.map((tab) => (tab.ofType('tokenRefreshed').at(-1)!.payload as { source: string }).source).sort()
    expect(sources).toEqual(['local', 'remote', 'remote', 'remote', 'remote'])
    world.destroyAll()
  })

  it('10 proactive rotations with 5 tabs make 10 refresh requests', async () => {
    const { world } = await signedInTabs(5)
    world.browser.requests.length = 0
    // 30 s tokens refresh 15 s before expiry (half the lifetime): one rotation per ~15 s.
    await vi.advanceTimersByTimeAsync(10 * 15_000 + 1000)
    const rotations = world.browser.count('/auth/refresh')
    expect(rotations).toBeGreaterThanOrEqual(9)
    expect(rotations).toBeLessThanOrEqual(11)
    expect(world.browser.controls.counters.refreshSuccesses).toBe(rotations)
    expect(world.browser.controls.counters.reuseDetections).toBe(0)
    world.destroyAll()
  })

  it('a new tab joins without a refresh call', async () => {
    const { world } = await signedInTabs(2)
    world.browser.requests.length = 0
    const late = world.open()
    const started = late.tm.start()
    await vi.advanceTimersByTimeAsync(200)
    const snapshot = await started
    expect(snapshot.status).toBe('active')
    expect(world.browser.count('/auth/refresh')).toBe(0)
    world.destroyAll()
  })

  it('a lone tab that finds nobody calls the refresh endpoint once', async () => {
    const world = createTabs({ webLocks })
    const first = world.open()
    await first.tm.login(ALICE)
    first.tm.destroy()
    const reload = world.open()
    const started = reload.tm.start()
    await vi.advanceTimersByTimeAsync(200)
    expect((await started).status).toBe('active')
    expect(world.browser.count('/auth/refresh')).toBe(1)
    world.destroyAll()
  })

  it('logout in one tab signs out every tab with one server call', async () => {
    const { world, tabs } = await signedInTabs(4)
    // The server call runs under the cross-tab lock (O5): without Web Locks its claim is answered over the channel.
    await Promise.all([tabs[2]!.tm.logout(), vi.advanceTimersByTimeAsync(50)])
    for (const [i, tab] of tabs.entries()) {
      expect(tab.tm.getSnapshot().status).toBe('signedOut')
      expect(await tab.tm.getAccessToken()).toBeNull()
      expect(tab.ofType('signedOut')).toEqual([{ type: 'signedOut', payload: { source: i === 2 ? 'local' : 'remote', everywhere: false } }])
    }
    expect(world.browser.count('/auth/logout')).toBe(1)
    world.destroyAll()
  })

  it('session expiry in one tab ends it in all, with the same reason', async () => {
    const { world, tabs } = await signedInTabs(3)
    world.browser.controls.failNextRefreshes(1, 401)
    const refreshed = tabs[1]!.tm.refresh().catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(200)
    expect(await refreshed).toMatchObject({ code: 'SESSION_EXPIRED' })
    for (const tab of tabs) {
      expect(tab.tm.getSnapshot().status).toBe('expired')
      expect(tab.ofType('sessionExpired')).toHaveLength(1)
      expect(tab.ofType('sessionExpired')[0]!.payload).toMatchObject({ reason: 'refresh_rejected' })
    }
    world.destroyAll()
  })

  it('activity in one tab keeps the others from idling out', async () => {
    const world = createTabs({ webLocks, tabOptions: { idleTimeout: 120_000, idleWarningTime: 30_000 } })
    const a = world.open()
    const b = world.open()
    await a.tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(50)
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(30_000)
      a.tm.touch()
    }
    await vi.advanceTimersByTimeAsync(3000)
    expect(b.tm.getSnapshot().status).toBe('active')
    expect(b.ofType('idleWarning')).toHaveLength(0)
    expect(Math.abs(b.tm.getSnapshot().idleDeadline! - a.tm.getSnapshot().idleDeadline!)).toBeLessThanOrEqual(2000)
    // Then nobody moves: both warn and both expire, with one server logout.
    const before = world.browser.controls.counters.logoutCalls
    await vi.advanceTimersByTimeAsync(125_000)
    expect(a.ofType('sessionExpired')).toHaveLength(1)
    expect(b.ofType('sessionExpired')).toHaveLength(1)
    expect(b.ofType('idleWarning').length).toBeLessThanOrEqual(1)
    // One server call for both tabs, with Web Locks or the channel mutex.
    expect(world.browser.controls.counters.logoutCalls - before).toBe(1)
    world.destroyAll()
  })

  it('malformed, foreign-version and echoed messages are ignored', async () => {
    const { world, tabs } = await signedInTabs(2)
    const before = tabs[1]!.tm.getSnapshot()
    const raw = world.rawChannel()
    const junk = [
      null,
      42,
      'token',
      { v: 1, from: 'x', type: 'signedOut', everywhere: true },
      { v: 2, from: 'x', type: 'signedOut', everywhere: true, at: Date.now() },
      { v: 2, type: 'signedOut', everywhere: true, session: null, seq: Date.now() },
      { v: 2, from: 'x', type: 'signedOut', everywhere: 'yes', session: null, seq: Date.now() },
      { v: 2, from: 'x', type: 'token', accessToken: 42, expiresAt: 1, lifetime: 1, sessionStartedAt: 1 },
      { v: 2, from: 'x', type: 'token', accessToken: 'x'.repeat(100_000), expiresAt: Date.now() + 1e6, lifetime: 1e6, sessionStartedAt: 1 },
      { v: 2, from: 'x', type: 'expired', reason: 'because' },
      { v: 2, from: 'x', type: 'activity', at: 'now' },
      { v: 2, from: 'x', type: 'unknown' },
      // A token of another session numbered before ours (even if it expires later) is ignored too.
      {
        v: 2,
        from: 'x',
        type: 'token',
        accessToken: 'opaque-old',
        expiresAt: Date.now() + 1e6,
        lifetime: 1e6 + 1000,
        receivedAt: 1,
        sessionStartedAt: 1,
        session: 'old',
        seq: 1,
        sessionSeq: 1,
      },
    ]
    for (const message of junk) void raw.postMessage(message)
    await vi.advanceTimersByTimeAsync(50)
    expect(tabs[1]!.tm.getSnapshot()).toBe(before)
    expect(tabs[1]!.events.filter((e) => e.type !== 'signedIn')).toEqual([])
    await raw.close()
    world.destroyAll()
  })

  it('adopts a newer token even when it expires sooner (the server shortened lifetimes)', async () => {
    const { world, tabs } = await signedInTabs(3)
    world.browser.controls.setAccessTokenLifetime(5)
    const refreshed = tabs[0]!.tm.refresh()
    await vi.advanceTimersByTimeAsync(200)
    const token = await refreshed
    for (const tab of tabs) expect(await tab.tm.getAccessToken()).toBe(token)
    expect(new Set(tabs.map((t) => t.tm.getSnapshot().expiresAt)).size).toBe(1)
    world.destroyAll()
  })

  it('the refresh token never crosses the channel (body mode)', async () => {
    const world = createTabs({ webLocks, browser: undefined, tabOptions: { refreshTokenTransport: 'body' } })
    const seen: unknown[] = []
    const spy = world.rawChannel()
    spy.addEventListener('message', (m) => seen.push(m))
    const { createBrowser } = await import('../helpers/browser')
    void createBrowser
    const a = world.open()
    const b = world.open()
    a.tm.setSession({ accessToken: 'opaque-access', expiresIn: 30, refreshToken: 'SECRET-REFRESH' })
    await vi.advanceTimersByTimeAsync(50)
    expect(b.tm.getSnapshot().status).toBe('active')
    expect(seen.length).toBeGreaterThan(0)
    expect(JSON.stringify(seen)).not.toContain('SECRET-REFRESH')
    await spy.close()
    world.destroyAll()
  })
})

describe('cross-tab: a tab that dies mid-refresh', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('a manager destroyed while holding the refresh lock does not strand the others', async () => {
    const world = createTabs({ webLocks: true, tabOptions: { timeout: 2000 } })
    const a = world.open()
    const b = world.open()
    await a.tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(50)
    // The dying tab's request reached the server, which rotated; no client can recover the
    // lost cookie under strict rotation, so this server keeps a short reuse grace window.
    world.browser.controls.setReuseGrace(5000)
    world.browser.controls.setLatency(1000)
    const aRefresh = a.tm.refresh().catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(10) // a holds the lock, its request is in flight
    const bToken = b.tm.refresh()
    a.tm.destroy() // the tab closes; the browser releases its locks
    world.locks.releaseAll(`${world.channel}:refresh`)
    await vi.advanceTimersByTimeAsync(3000)
    await expect(bToken).resolves.toEqual(expect.any(String))
    expect(await aRefresh).toMatchObject({ code: 'DESTROYED' })
    expect(b.tm.getSnapshot().status).toBe('active')
    world.destroyAll()
  })

  it('a tab that asks just after another refreshed, before the token message arrived, adopts it', async () => {
    const world = createTabs({ webLocks: true })
    const a = world.open()
    const b = world.open()
    await a.tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(50)
    world.browser.requests.length = 0
    const fromA = await a.tm.refresh()
    // The token message is still in flight (the simulated channel delivers after 5 ms).
    const fromB = b.tm.refresh()
    await vi.advanceTimersByTimeAsync(200)
    expect(await fromB).toBe(fromA)
    expect(world.browser.count('/auth/refresh')).toBe(1)
    world.destroyAll()
  })

  it("a tab's back-to-back refreshes never wait on its own lingering lock hold", async () => {
    const world = createTabs({ webLocks: true })
    const a = world.open()
    world.open()
    await a.tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(50)
    const first = await a.tm.refresh()
    let second: string | null = null
    void a.tm.refresh().then((token) => (second = token))
    // Before the fix: 100 ms waiting for its own linger, then 100 ms for a hand-off from itself.
    await vi.advanceTimersByTimeAsync(1)
    expect(second).toEqual(expect.any(String))
    expect(second).not.toBe(first)
    world.destroyAll()
  })

  it('a lock abandoned by a frozen tab is given up after the acquisition timeout', async () => {
    const world = createTabs({ webLocks: true, tabOptions: { timeout: 1000, retry: 0 } })
    const a = world.open()
    await a.tm.login(ALICE)
    // A frozen tab holds the refresh lock and never lets go.
    void world.locks.managerFor().request(`${world.channel}:refresh`, {}, () => new Promise(() => {}))
    const token = a.tm.refresh()
    await vi.advanceTimersByTimeAsync(5000)
    expect(world.browser.count('/auth/refresh')).toBe(0)
    await vi.advanceTimersByTimeAsync(10_000)
    await expect(token).resolves.toEqual(expect.any(String))
    expect(world.browser.count('/auth/refresh')).toBe(1)
    world.destroyAll()
  })
})

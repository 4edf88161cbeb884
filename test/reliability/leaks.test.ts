import { BroadcastChannel } from 'broadcast-channel'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { isTokenKeeperError, TokenManager, type ChannelLike, type TokenManagerOptions } from '../../src'
import { createBrowser, ORIGIN, type TestBrowser } from '../helpers/browser'
import { createFakeEnvironment } from '../helpers/environment'
import { createTabs } from '../helpers/tabs'
import { hangingRefresh } from '../helpers/hanging'

/**
 * After destroy(): no timer (vi.getTimerCount()), no environment listener, no open channel and
 * no held lock remain — in steady state, after errors, and when destroyed mid-refresh, mid-retry,
 * mid-join or mid-login. Every pending call settles with a typed error.
 */

const ALICE = { username: 'alice', password: 'wonderland' }
const SLIDING: Partial<TokenManagerOptions> = { idleTimeout: 120_000, idleWarningTime: 30_000, maxSessionAge: 3_600_000 }

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

/** Lets aborted requests and closing channels finish their microtasks without firing any timer. */
export function pendingTimers(): string[] {
  const clock = (
    globalThis.setTimeout as unknown as { clock?: { now: number; timers?: Record<string, { callAt: number; func: () => void; interval?: number }> } }
  ).clock
  return Object.values(clock?.timers ?? {}).map(
    (t) => `in ${t.callAt - clock!.now} ms${t.interval ? ` every ${t.interval}` : ''}: ${t.func.toString().replace(/\s+/g, ' ').slice(0, 160)}`,
  )
}

async function flush() {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

/** The SDK's own timers (everything it schedules goes through `clock`), counted live. */
function countingClock() {
  const live = new Set<unknown>()
  const clock = {
    now: () => Date.now(),
    setTimeout: (callback: () => void, ms: number) => {
      const handle: unknown = setTimeout(() => {
        live.delete(handle)
        callback()
      }, ms)
      live.add(handle)
      return handle
    },
    clearTimeout: (handle: unknown) => {
      live.delete(handle)
      clearTimeout(handle as ReturnType<typeof setTimeout>)
    },
  }
  return { clock, live: () => live.size }
}

/** SDK timers are gone at once; what the transport or broadcast-channel still has in flight drains without re-arming. */
async function expectTimersGone(sdkTimers: () => number) {
  expect(sdkTimers()).toBe(0)
  await vi.advanceTimersByTimeAsync(5000)
  expect(pendingTimers()).toEqual([])
}

function single(options: Partial<TokenManagerOptions> = {}, browser = createBrowser()) {
  const env = createFakeEnvironment()
  const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, environment: env.environment, ...SLIDING, ...options })
  const handler = vi.fn()
  tm.on('change', handler)
  tm.subscribe(handler)
  return { tm, env, browser, handler }
}

function expectClean(env: ReturnType<typeof createFakeEnvironment>) {
  expect(pendingTimers()).toEqual([])
  expect(vi.getTimerCount()).toBe(0)
  expect(env.listenerCount).toBe(0)
}

describe('leaks: one tab', () => {
  it('signed in with every deadline armed (refresh, idle warning, idle, max age) and listeners attached', async () => {
    const { tm, env } = single()
    await tm.login(ALICE)
    await tm.start()
    await vi.advanceTimersByTimeAsync(1000)
    tm.touch() // activity since the token arms the proactive refresh
    expect(tm.getDeadlines().refreshAt).not.toBeNull()
    expect(vi.getTimerCount()).toBeGreaterThanOrEqual(4)
    expect(env.listenerCount).toBe(2) // wake + activity
    tm.destroy()
    await flush()
    expectClean(env)
  })

  it('after a failed refresh (cooldown and the retry-at-cooldown-end timer armed)', async () => {
    const { tm, env, browser } = single({ retry: 0 })
    await tm.login(ALICE)
    browser.controls.failNextRefreshes(1, 503)
    await expect(tm.refresh()).rejects.toSatisfy(isTokenKeeperError)
    tm.destroy()
    await flush()
    expectClean(env)
  })

  it('after the session expired (refresh rejected) and after an idle expiry', async () => {
    const rejected = single()
    await rejected.tm.login(ALICE)
    rejected.browser.controls.failNextRefreshes(1, 401)
    await expect(rejected.tm.refresh()).rejects.toSatisfy(isTokenKeeperError)
    rejected.tm.destroy()
    const idle = single()
    await idle.tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(121_000)
    expect(idle.tm.getSnapshot().status).toBe('expired')
    idle.tm.destroy()
    await flush()
    expectClean(rejected.env)
    expectClean(idle.env)
  })

  it('destroyed mid-refresh: the request is aborted, callers get DestroyedError, nothing remains', async () => {
    const browser = createBrowser()
    const hang = hangingRefresh(browser)
    const { tm, env, handler } = single({}, { ...browser, fetch: hang.fetch } as TestBrowser)
    await tm.login(ALICE)
    const pending = [tm.refresh(), tm.getAccessToken().then(() => tm.refresh()), tm.fetch(`${ORIGIN}/api/me`)].map((p) => p.catch((e: unknown) => e))
    vi.setSystemTime(Date.now() + 31_000)
    const expiredFetch = tm.fetch(`${ORIGIN}/api/me`).catch((e: unknown) => e)
    await flush()
    expect(hang.hanging()).toBe(1)
    const calls = handler.mock.calls.length
    tm.destroy()
    await flush()
    expectClean(env)
    for (const result of await Promise.all([...pending, expiredFetch])) {
      if (result instanceof Response) continue // the request that went out before the refresh started
      expect(result).toMatchObject({ code: 'DESTROYED' })
    }
    expect(handler.mock.calls.length).toBe(calls) // no change/subscribe callback after destroy
  })

  it('destroyed during a retry backoff (the sleep between attempts is cancelled)', async () => {
    const { tm, env, browser } = single({ retry: 3 })
    await tm.login(ALICE)
    browser.controls.failNextRefreshes(1, 503)
    const pending = tm.refresh().catch((e: unknown) => e)
    await flush() // first attempt failed; the retry waits on a timer
    expect(vi.getTimerCount()).toBeGreaterThan(0)
    tm.destroy()
    await flush()
    expectClean(env)
    expect(await pending).toMatchObject({ code: 'DESTROYED' })
  })

  it('destroyed during login: the login rejects typed, no session or timer is left', async () => {
    const browser = createBrowser()
    browser.controls.setLatency(500)
    const { tm, env } = single({}, browser)
    const login = tm.login(ALICE).catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(10)
    tm.destroy()
    await vi.advanceTimersByTimeAsync(600) // the server answers; nobody is listening
    expect(await login).toMatchObject({ code: 'DESTROYED' })
    // The session the server accepted is logged out (R29): one bounded call, then nothing remains.
    await vi.advanceTimersByTimeAsync(600)
    expect(browser.controls.sessions('alice')).toEqual([])
    expect(browser.jar.size).toBe(0)
    expectClean(env)
  })

  it('after destroy every call rejects with DestroyedError and leaves nothing behind', async () => {
    const { tm, env } = single()
    await tm.login(ALICE)
    tm.destroy()
    tm.destroy() // idempotent
    const calls: (() => Promise<unknown>)[] = [
      () => tm.start(),
      () => tm.refresh(),
      () => tm.getAccessToken(),
      () => tm.fetch(`${ORIGIN}/api/me`),
      () => tm.login(ALICE),
      () => tm.logout(),
    ]
    for (const call of calls) {
      await expect(Promise.resolve().then(call)).rejects.toMatchObject({ code: 'DESTROYED' })
    }
    expect(() => tm.touch()).toThrow(expect.objectContaining({ code: 'DESTROYED' }))
    await flush()
    expectClean(env)
  })
})

describe.each([
  ['Web Locks', true],
  ['leader-election fallback', false],
])('leaks: tabs (%s)', (_name, webLocks) => {
  function world() {
    const counting = countingClock()
    const tabs = createTabs({ webLocks, tabOptions: { ...SLIDING, clock: counting.clock } })
    const channels: { closed: boolean }[] = []
    const open = (extra: Partial<TokenManagerOptions> = {}) => {
      const env = createFakeEnvironment()
      const tab = tabs.open({
        environment: env.environment,
        channelFactory: (name) => {
          const channel = new BroadcastChannel(name, { type: 'simulate' })
          const entry = { closed: false }
          channels.push(entry)
          const close = channel.close.bind(channel)
          channel.close = () => {
            entry.closed = true
            return close()
          }
          return channel as unknown as ChannelLike
        },
        ...extra,
      })
      return { ...tab, env }
    }
    return { tabs, channels, open, sdkTimers: counting.live }
  }

  it('three signed-in tabs sharing activity, then all destroyed: no timer, listener, channel or lock remains', async () => {
    const w = world()
    const tabs = [w.open(), w.open(), w.open()]
    await tabs[0]!.tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(3050) // adoption; an election in the fallback
    for (const tab of tabs) tab.tm.touch()
    await vi.advanceTimersByTimeAsync(500) // activity broadcast throttled: a trailing timer is pending
    for (const tab of tabs) tab.tm.destroy()
    await vi.advanceTimersByTimeAsync(0)
    await flush()
    expect(w.channels.length).toBe(3)
    expect(w.channels.every((c) => c.closed)).toBe(true)
    for (const tab of tabs) expect(tab.env.listenerCount).toBe(0)
    expect(w.tabs.locks.isHeld(`${w.tabs.channel}:refresh`)).toBe(false)
    await expectTimersGone(w.sdkTimers)
  })

  it('a tab destroyed mid-refresh frees the refresh lock; the survivor refreshes; then nothing remains', async () => {
    const w = world()
    const browser = w.tabs.browser
    const a = w.open()
    const b = w.open()
    await a.tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(3050)
    browser.controls.setReuseGrace(5000) // the dying tab's request may have reached the server
    browser.controls.setLatency(1000)
    const dying = a.tm.refresh().catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(10)
    a.tm.destroy()
    if (webLocks) w.tabs.locks.releaseAll(`${w.tabs.channel}:refresh`)
    expect(a.env.listenerCount).toBe(0)
    // Settles at once with Web Locks; in the fallback, once the leader's request it waits on returns.
    const [result] = await Promise.all([dying, vi.advanceTimersByTimeAsync(2000)])
    expect(result).toMatchObject({ code: 'DESTROYED' })
    const survivor = b.tm.refresh()
    await vi.advanceTimersByTimeAsync(5000)
    await expect(survivor).resolves.toEqual(expect.any(String))
    b.tm.destroy()
    await flush()
    expect(b.env.listenerCount).toBe(0)
    expect(w.channels.every((c) => c.closed)).toBe(true)
    expect(w.tabs.locks.isHeld(`${w.tabs.channel}:refresh`)).toBe(false)
    await expectTimersGone(w.sdkTimers) // includes the server finishing the dead tab's request
  })

  it('a tab destroyed while joining (start() waiting for the other tabs) settles and leaves nothing', async () => {
    const w = world()
    const a = w.open()
    await a.tm.login(ALICE)
    const late = w.open()
    const joining = late.tm.start().catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(1)
    late.tm.destroy()
    a.tm.destroy()
    await vi.advanceTimersByTimeAsync(0)
    await flush()
    const result = await joining
    expect(result instanceof Error ? isTokenKeeperError(result) : true).toBe(true)
    expect(late.env.listenerCount + a.env.listenerCount).toBe(0)
    expect(w.channels.every((c) => c.closed)).toBe(true)
    await expectTimersGone(w.sdkTimers)
  })
})

describe('leaks: a tab destroyed while queued for the refresh lock (Web Locks)', () => {
  it('leaves the queue at once: its lock request is aborted, its timer cleared, its callers get DestroyedError', async () => {
    const tabs = createTabs({ tabOptions: SLIDING })
    const holderBrowser = hangingRefresh(tabs.browser)
    const holder = tabs.open({ fetch: holderBrowser.fetch })
    const queuedClock = countingClock()
    const env = createFakeEnvironment()
    const queued = tabs.open({ clock: queuedClock.clock, environment: env.environment })
    await holder.tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(200) // the other tab adopts the token
    const holding = holder.tm.refresh().catch((e: unknown) => e)
    await flush()
    expect(holderBrowser.hanging()).toBe(1) // the holder's refresh is in flight, under the lock
    const lockName = `${tabs.channel}:refresh`
    const settled: unknown[] = []
    vi.setSystemTime(Date.now() + 31_000) // the token expired: every call needs the refresh
    const pending = [queued.tm.refresh(), queued.tm.getAccessToken(), queued.tm.fetch(`${ORIGIN}/api/me`)].map((p) =>
      p.then(
        (value) => settled.push(value),
        (error: unknown) => settled.push(error),
      ),
    )
    await flush()
    expect(tabs.locks.waiting(lockName)).toBe(1)
    expect(queuedClock.live()).toBeGreaterThan(0) // the acquisition timeout (lockTimeout)
    queued.tm.destroy()
    await flush()
    // No timer advanced: the queue is left at once, not after lockTimeout.
    expect(settled).toHaveLength(3)
    for (const result of settled) expect(result).toMatchObject({ code: 'DESTROYED' })
    expect(tabs.locks.waiting(lockName)).toBe(0)
    expect(queuedClock.live()).toBe(0)
    expect(env.listenerCount).toBe(0)
    await Promise.all(pending)
    holder.tm.destroy()
    expect(await holding).toMatchObject({ code: 'DESTROYED' })
    await flush()
    expect(tabs.locks.isHeld(lockName)).toBe(false)
  })

  it("a login queued behind another tab's refresh rejects with DestroyedError (not a LoginError) at once", async () => {
    const tabs = createTabs({ tabOptions: SLIDING })
    const holderBrowser = hangingRefresh(tabs.browser)
    const holder = tabs.open({ fetch: holderBrowser.fetch })
    const queued = tabs.open()
    await holder.tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(200)
    const holding = holder.tm.refresh().catch((e: unknown) => e)
    await flush()
    let result: unknown = 'pending'
    void queued.tm.login({ username: 'bob', password: 'builder' }).catch((e: unknown) => (result = e))
    await flush()
    expect(tabs.locks.waiting(`${tabs.channel}:refresh`)).toBe(1)
    queued.tm.destroy()
    await flush()
    expect(result).toMatchObject({ code: 'DESTROYED' })
    expect(tabs.locks.waiting(`${tabs.channel}:refresh`)).toBe(0)
    holder.tm.destroy()
    await holding
  })
})

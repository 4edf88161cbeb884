import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TokenManager, type Clock, type LogEntry } from '../../src'
import { systemClock } from '../../src/util/clock'
import { consoleLogger, createLog } from '../../src/util/logger'
import { createBrowser, ORIGIN } from '../helpers/browser'
import { createTabs } from '../helpers/tabs'

describe('debug logging', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('logs refreshes, retries, lock, tab messages, timers and idle transitions, never token text', async () => {
    const entries: LogEntry[] = []
    const world = createTabs({ tabOptions: { logger: (e) => entries.push(e), idleTimeout: 60_000, idleWarningTime: 10_000 } })
    const a = world.open()
    const b = world.open()
    await a.tm.login({ username: 'alice', password: 'wonderland' })
    await vi.advanceTimersByTimeAsync(100)
    const tokens = new Set<string>()
    tokens.add((await a.tm.getAccessToken())!)
    for (const v of world.browser.jar.values()) tokens.add(v)
    world.browser.controls.failNextRefreshes(1, 503)
    a.tm.touch()
    const refreshed = b.tm.refresh()
    await vi.advanceTimersByTimeAsync(5000)
    tokens.add(await refreshed)
    for (const v of world.browser.jar.values()) tokens.add(v)
    await vi.advanceTimersByTimeAsync(70_000) // idle warning, then idle expiry
    world.destroyAll()

    const events = new Set(entries.map((e) => e.event))
    for (const expected of [
      'session.started',
      'refresh.started',
      'refresh.retrying',
      'refresh.succeeded',
      'lock.acquired',
      'tab.sent',
      'tab.received',
      'timer.scheduled',
      'idle.warning',
      'idle.expired',
      'session.ended',
    ] as const) {
      expect(events, expected).toContain(expected)
    }
    expect(entries.find((e) => e.event === 'refresh.retrying')!.detail).toMatchObject({ attempt: 1, status: 503 })
    expect(entries.every((e) => typeof e.at === 'number')).toBe(true)

    const text = JSON.stringify(entries)
    for (const token of tokens) {
      // Not the token, and not any 8-character slice of it either.
      for (let i = 0; i + 8 <= token.length; i += 4) expect(text).not.toContain(token.slice(i, i + 8))
    }
  })

  it('debug: true logs to console.debug; a throwing logger does not break the manager', async () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {})
    const browser = createBrowser()
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, debug: true })
    await tm.login({ username: 'alice', password: 'wonderland' })
    expect(debug).toHaveBeenCalledWith('[tokenkeeper] session.started', { source: 'local' })
    tm.destroy()

    const broken = new TokenManager({
      baseUrl: ORIGIN,
      fetch: browser.fetch,
      crossTab: false,
      logger: () => {
        throw new Error('log sink down')
      },
    })
    await expect(broken.login({ username: 'alice', password: 'wonderland' })).resolves.toMatchObject({ status: 'active' })
    broken.destroy()
    expect(typeof consoleLogger).toBe('function')
  })
})

describe('debug log: attempts, lock waits, timers', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_800_000_000_000)
  })
  afterEach(() => vi.useRealTimers())

  async function signedIn() {
    const entries: LogEntry[] = []
    const browser = createBrowser()
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, retry: 2, logger: (e) => entries.push(e) })
    await tm.login({ username: 'alice', password: 'wonderland' })
    entries.length = 0
    return { tm, browser, entries }
  }
  const of = (entries: LogEntry[], event: LogEntry['event']) => entries.filter((e) => e.event === event).map((e) => e.detail)

  it('refresh.succeeded, refresh.failed and refresh.rejected say how many attempts; refresh.finished closes each', async () => {
    const ok = await signedIn()
    ok.browser.controls.failNextRefreshes(1, 503)
    const first = ok.tm.refresh()
    await vi.advanceTimersByTimeAsync(2000)
    await first
    expect(of(ok.entries, 'refresh.succeeded')).toEqual([{ attempts: 2 }])
    expect(of(ok.entries, 'refresh.finished')).toEqual([{ outcome: 'succeeded', attempts: 2 }])
    ok.tm.destroy()

    const failed = await signedIn()
    failed.browser.controls.failNextRefreshes(3, 503)
    const second = failed.tm.refresh().catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(await second).toMatchObject({ code: 'REFRESH_FAILED' })
    expect(of(failed.entries, 'refresh.failed')).toEqual([{ code: 'REFRESH_FAILED', status: 503, attempts: 3 }])
    // (then the refresh timer retries once the cooldown ends, and succeeds)
    expect(of(failed.entries, 'refresh.finished')[0]).toEqual({ outcome: 'failed', attempts: 3 })
    failed.tm.destroy()

    const rejected = await signedIn()
    rejected.browser.controls.failNextRefreshes(1, 401)
    const third = rejected.tm.refresh().catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(1000)
    expect(await third).toMatchObject({ reason: 'refresh_rejected' })
    expect(of(rejected.entries, 'refresh.rejected')).toEqual([{ status: 401, attempts: 1 }])
    expect(of(rejected.entries, 'refresh.finished')).toEqual([{ outcome: 'rejected', attempts: 1 }])
    rejected.tm.destroy()
  })

  it("lock.waited: how long a tab waited for another tab's lock, on the monotonic clock (a wall-clock jump does not count)", async () => {
    let jump = 0
    // Wall clock = fake time + jump; monotonic = fake time alone.
    const clock: Clock = { ...systemClock, now: () => Date.now() + jump, monotonic: () => Date.now() }
    const entries: { tab: string; entry: LogEntry }[] = []
    const world = createTabs({ tabOptions: { clock } })
    const a = world.open({ logger: (entry) => entries.push({ tab: 'a', entry }) })
    const b = world.open({ logger: (entry) => entries.push({ tab: 'b', entry }) })
    await a.tm.login({ username: 'alice', password: 'wonderland' })
    await vi.advanceTimersByTimeAsync(500)
    entries.length = 0
    world.browser.controls.setLatency(700)
    const first = a.tm.refresh()
    await vi.advanceTimersByTimeAsync(10)
    const second = b.tm.refresh() // a holds the lock for its 700 ms refresh: b waits
    jump = 3_600_000 // the wall clock is set an hour forward meanwhile
    await vi.advanceTimersByTimeAsync(2000)
    await Promise.all([first, second])
    world.destroyAll()

    const waited = entries.filter((e) => e.entry.event === 'lock.waited')
    expect(waited.map((e) => e.tab)).toEqual(['b'])
    const { waitedMs } = waited[0]!.entry.detail as { waitedMs: number }
    // a's refresh (700 ms latency) plus its hand-off linger, not the hour the wall clock moved.
    expect(waitedMs).toBeGreaterThanOrEqual(690)
    expect(waitedMs).toBeLessThan(1500)
    expect(entries.find((e) => e.tab === 'b' && e.entry.event === 'lock.acquired')!.entry.detail).toEqual({ contended: true })
    expect(entries.some((e) => e.tab === 'a' && e.entry.event === 'lock.waited')).toBe(false)
  })

  it('timer.scheduled for the idle deadline (with its warning) and the max age, again when activity moves the deadline', async () => {
    const start = Date.now()
    const entries: LogEntry[] = []
    const tm = new TokenManager({
      baseUrl: ORIGIN,
      fetch: createBrowser().fetch,
      crossTab: false,
      idleTimeout: 60_000,
      idleWarningTime: 10_000,
      maxSessionAge: 3_600_000,
      logger: (e) => entries.push(e),
    })
    await tm.login({ username: 'alice', password: 'wonderland' })
    const timers = (name: string) => entries.filter((e) => e.event === 'timer.scheduled' && e.detail?.timer === name).map((e) => e.detail)
    expect(timers('maxAge')).toEqual([{ timer: 'maxAge', at: start + 3_600_000 }])
    expect(timers('idle')).toEqual([{ timer: 'idle', at: start + 60_000, warningAt: start + 50_000 }])
    await vi.advanceTimersByTimeAsync(5000)
    tm.touch() // activity moves the idle deadline: scheduled again
    expect(timers('idle')).toEqual([
      { timer: 'idle', at: start + 60_000, warningAt: start + 50_000 },
      { timer: 'idle', at: start + 65_000, warningAt: start + 55_000 },
    ])
    expect(timers('maxAge')).toHaveLength(1)
    tm.destroy()
  })
})

describe('createLog', () => {
  it('stamps entries with the clock, omits an absent detail, and survives a throwing logger; no logger: a no-op', () => {
    const entries: LogEntry[] = []
    const clock = { now: () => 42 }
    createLog((e) => entries.push(e), clock)('wake', { reason: 'focus' })
    createLog((e) => entries.push(e), clock)('refresh.adopted')
    expect(entries).toEqual([
      { at: 42, event: 'wake', detail: { reason: 'focus' } },
      { at: 42, event: 'refresh.adopted' },
    ])
    expect(() =>
      createLog(() => {
        throw new Error('broken')
      }, clock)('wake'),
    ).not.toThrow()
    expect(() => createLog(null, clock)('wake')).not.toThrow()
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TokenManager, type LogEntry } from '../../src'
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

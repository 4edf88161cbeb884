import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TokenManager, type WakeReason } from '../../src'
import { createBrowser, ORIGIN } from '../helpers/browser'

const ALICE = { username: 'alice', password: 'wonderland' }

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

/** A page reload while the refresh endpoint is down (503), in a tab whose cookie is valid. */
async function reloadWhileDown(failures: number) {
  const browser = createBrowser()
  const first = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false })
  await first.login(ALICE)
  first.destroy()
  browser.controls.failNextRefreshes(failures, 503)
  const wake = new Set<(reason: WakeReason) => void>()
  const tm = new TokenManager({
    baseUrl: ORIGIN,
    fetch: browser.fetch,
    crossTab: false,
    retry: 0,
    environment: { onWake: (l) => (wake.add(l), () => wake.delete(l)), onActivity: () => () => {} },
  })
  const errors: unknown[] = []
  tm.on('error', ({ error }) => errors.push(error))
  const started = tm.start()
  await vi.advanceTimersByTimeAsync(100)
  return {
    tm,
    browser,
    started: await started,
    errors,
    wake: (reason: WakeReason) => {
      for (const l of [...wake]) l(reason)
    },
  }
}

describe('start() when the refresh endpoint cannot answer', () => {
  it('settles on signedOut (renderable), reports the error, and finds the session once the server is back', async () => {
    const { tm, browser, started, errors } = await reloadWhileDown(1)
    expect(started.status).toBe('signedOut')
    expect(errors).toHaveLength(1)
    expect(browser.count('/auth/refresh')).toBe(1)
    await vi.advanceTimersByTimeAsync(5_100)
    expect(tm.getSnapshot().status).toBe('active')
    expect(browser.count('/auth/refresh')).toBe(2)
    tm.destroy()
  })

  it('backs off (5 s, 10 s, 20 s...) without a loop, and retries at once when the network comes back', async () => {
    const { tm, browser, wake } = await reloadWhileDown(100)
    await vi.advanceTimersByTimeAsync(60_000)
    // The first try, then 5 s, 10 s and 20 s later; the next is due 40 s after that.
    expect(browser.count('/auth/refresh')).toBe(4)
    expect(tm.getSnapshot().status).toBe('signedOut')
    browser.controls.clearRefreshFailures()
    wake('online')
    await vi.advanceTimersByTimeAsync(100)
    expect(tm.getSnapshot().status).toBe('active')
    expect(browser.count('/auth/refresh')).toBe(5)
    tm.destroy()
  })

  it('stops retrying once the user signs in or destroy() is called', async () => {
    const { tm, browser } = await reloadWhileDown(100)
    tm.destroy()
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(browser.count('/auth/refresh')).toBe(1)
  })
})

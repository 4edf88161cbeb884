import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TokenManager } from '../../src'
import { createBrowser, ORIGIN } from '../helpers/browser'

describe('smoke', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('logs in and calls the API', async () => {
    const browser = createBrowser()
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false })
    const snap = await tm.login({ username: 'alice', password: 'wonderland' })
    expect(snap.status).toBe('active')
    const res = await tm.fetch(`${ORIGIN}/api/me`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ username: 'alice' })
    await vi.advanceTimersByTimeAsync(31_000)
    const res2 = await tm.fetch(`${ORIGIN}/api/me`)
    expect(res2.status).toBe(200)
    expect(browser.count('/auth/refresh')).toBe(2)
    tm.destroy()
  })
})

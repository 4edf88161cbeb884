import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { InvalidTokenError, TokenManager } from '../src'
import { createBrowser, ORIGIN } from './helpers/browser'
import { makeJwt } from './helpers/jwt'

// Composition details not covered by the scenario tests.
describe('TokenManager', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('with default options in Node (native channel, no Web Locks) destroy() leaves no timers', async () => {
    const browser = createBrowser()
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch })
    await tm.login({ username: 'alice', password: 'wonderland' })
    await vi.advanceTimersByTimeAsync(5000)
    tm.destroy()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('setSession rejects malformed tokens synchronously and keeps the current session', () => {
    const tm = new TokenManager({ baseUrl: ORIGIN, crossTab: false, fetch: async () => new Response('') })
    tm.setSession({ accessToken: 'good', expiresIn: 60 })
    expect(() => tm.setSession({ accessToken: 'a.b', expiresIn: 60 })).toThrow(InvalidTokenError)
    expect(() => tm.setSession({ accessToken: 'other', expiresIn: 60, refreshToken: 'r'.repeat(16 * 1024 + 1) })).toThrow(InvalidTokenError)
    expect(() => tm.setSession({ accessToken: makeJwt({ exp: 'soon' }) })).toThrow(InvalidTokenError)
    expect(tm.getSnapshot().status).toBe('active')
    tm.destroy()
  })

  it('body mode keeps the refresh token in memory, sends it, and adopts the rotated one', async () => {
    const browser = createBrowser({ bodyTransport: true })
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, refreshTokenTransport: 'body' })
    await tm.login({ username: 'alice', password: 'wonderland' })
    browser.jar.clear() // no cookies in body mode: the SDK must send the token itself
    await tm.refresh()
    await tm.refresh()
    const refreshBodies = await Promise.all(browser.requests.filter((r) => r.url.endsWith('/auth/refresh')).map((r) => r.clone().json()))
    expect(refreshBodies).toHaveLength(2)
    expect(refreshBodies[0].refreshToken).toEqual(expect.any(String))
    expect(refreshBodies[1].refreshToken).not.toBe(refreshBodies[0].refreshToken)
    expect(browser.controls.counters.reuseDetections).toBe(0)
    tm.destroy()
  })

  it('cookie mode never keeps a refresh token that a server sends in the body', async () => {
    const browser = createBrowser({ bodyTransport: true })
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false })
    await tm.login({ username: 'alice', password: 'wonderland' })
    await tm.refresh()
    const last = browser.requests.filter((r) => r.url.endsWith('/auth/refresh')).at(-1)!
    expect(await last.clone().text()).toBe('')
    tm.destroy()
  })

  it('body mode without a refresh token: start() is signed out without a network call', async () => {
    const browser = createBrowser()
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, refreshTokenTransport: 'body' })
    expect((await tm.start()).status).toBe('signedOut')
    expect(browser.requests).toHaveLength(0)
    tm.destroy()
  })

  it('a custom parseTokenResponse adapts another backend', async () => {
    const tm = new TokenManager({
      baseUrl: ORIGIN,
      crossTab: false,
      fetch: async () => Response.json({ data: { jwt: 'opaque-x', ttl: 120 } }),
      parseTokenResponse: (body) => {
        const { data } = body as { data: { jwt: string; ttl: number } }
        return { accessToken: data.jwt, expiresIn: data.ttl }
      },
    })
    await tm.login({})
    expect(await tm.getAccessToken()).toBe('opaque-x')
    expect(tm.getSnapshot().expiresAt).toBe(Date.now() + 120_000)
    tm.destroy()
  })

  it('getAccessToken waits for a refresh in flight and gets its token', async () => {
    const browser = createBrowser()
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false })
    await tm.login({ username: 'alice', password: 'wonderland' })
    const before = await tm.getAccessToken()
    browser.controls.setLatency(1000)
    const refreshed = tm.refresh()
    const waiting = tm.getAccessToken()
    expect(tm.getSnapshot().status).toBe('refreshing')
    await vi.advanceTimersByTimeAsync(1000)
    const token = await refreshed
    expect(await waiting).toBe(token)
    expect(token).not.toBe(before)
    expect(tm.getSnapshot().status).toBe('active')
    tm.destroy()
  })

  it('a logout during a refresh wins: the late result does not revive the session', async () => {
    const browser = createBrowser()
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false })
    await tm.login({ username: 'alice', password: 'wonderland' })
    browser.controls.setLatency(1000)
    const refreshed = tm.refresh().catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(10)
    const loggedOut = tm.logout()
    expect(tm.getSnapshot().status).toBe('signedOut') // memory cleared at once, before the server answers
    await vi.advanceTimersByTimeAsync(2000)
    await loggedOut
    expect(await refreshed).toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(tm.getSnapshot().status).toBe('signedOut')
    expect(await tm.getAccessToken()).toBeNull()
    tm.destroy()
  })

  it('online ends the cooldown so a recovered network is used at once', async () => {
    const browser = createBrowser()
    let wake: ((reason: 'online') => void) | undefined
    const tm = new TokenManager({
      baseUrl: ORIGIN,
      fetch: browser.fetch,
      crossTab: false,
      retry: 0,
      environment: {
        onWake: (l) => {
          wake = l
          return () => {}
        },
        onActivity: () => () => {},
      },
    })
    await tm.login({ username: 'alice', password: 'wonderland' })
    browser.controls.failNextRefreshes(1, 'network')
    await expect(tm.refresh()).rejects.toMatchObject({ code: 'REFRESH_FAILED' })
    await expect(tm.refresh()).rejects.toMatchObject({ code: 'REFRESH_FAILED' })
    expect(browser.count('/auth/refresh')).toBe(1)
    wake!('online')
    await expect(tm.refresh()).resolves.toEqual(expect.any(String))
    tm.destroy()
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SessionsApiError, TokenManager } from '../../src'
import { createBrowser, ORIGIN } from '../helpers/browser'

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1'

describe('tm.sessions', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  function device(browser: ReturnType<typeof createBrowser>, ua: string) {
    const fetch: typeof globalThis.fetch = (input, init) => {
      const request = new Request(input, init)
      request.headers.set('user-agent', ua)
      return browser.fetch(request)
    }
    return new TokenManager({ baseUrl: ORIGIN, fetch, crossTab: false })
  }

  it('lists sessions, revokes one and revokes all others', async () => {
    const server = createBrowser()
    const laptop = device(server, CHROME)
    await laptop.login({ username: 'alice', password: 'wonderland' })
    const phoneBrowser = createBrowser()
    // A second device shares the server but not the cookie jar.
    const phoneFetch: typeof fetch = async (input, init) => {
      const request = new Request(input, init)
      request.headers.set('user-agent', IPHONE)
      return server.fetch(request)
    }
    void phoneBrowser
    const phone = new TokenManager({ baseUrl: ORIGIN, fetch: phoneFetch, crossTab: false })
    await phone.login({ username: 'alice', password: 'wonderland' })

    const sessions = await laptop.sessions.list()
    expect(sessions).toHaveLength(2)
    const current = sessions.find((s) => s.current)!
    expect(current).toMatchObject({ device: 'desktop', browser: 'Chrome', os: 'Linux', ip: '127.0.0.1' })
    const other = sessions.find((s) => !s.current)!
    expect(other).toMatchObject({ device: 'mobile', browser: 'Safari', os: 'iOS' })
    expect(new Date(other.createdAt).toISOString()).toBe(other.createdAt)

    await laptop.sessions.revoke(other.id)
    expect(await laptop.sessions.list()).toHaveLength(1)

    await phone.login({ username: 'alice', password: 'wonderland' })
    await phone.login({ username: 'alice', password: 'wonderland' })
    expect(await laptop.sessions.revokeOthers()).toBe(2)
    expect(await laptop.sessions.list()).toHaveLength(1)
    laptop.destroy()
    phone.destroy()
  })

  it('a revoked device learns it at its next refresh', async () => {
    const server = createBrowser()
    const a = device(server, CHROME)
    await a.login({ username: 'bob', password: 'builder' })
    const expired = vi.fn()
    a.on('sessionExpired', expired)
    const b = new TokenManager({ baseUrl: ORIGIN, fetch: createBrowser().fetch, crossTab: false })
    void b
    server.controls.revokeAll('bob')
    await expect(a.refresh()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(expired).toHaveBeenCalledWith({ reason: 'refresh_rejected' })
    a.destroy()
    b.destroy()
  })

  it('API errors are typed', async () => {
    const server = createBrowser()
    const tm = device(server, CHROME)
    await tm.login({ username: 'alice', password: 'wonderland' })
    await expect(tm.sessions.revoke('no-such-session')).rejects.toBeInstanceOf(SessionsApiError)
    await expect(tm.sessions.revoke('no-such-session')).rejects.toMatchObject({ status: 404, code: 'SESSIONS_API_FAILED' })
    tm.destroy()
  })

  it('sanitizes odd rows from a foreign backend', async () => {
    const tm = new TokenManager({
      baseUrl: ORIGIN,
      crossTab: false,
      fetch: async () => Response.json({ sessions: [{ id: 's1', device: 'fridge', current: 'yes' }, { nope: true }, null] }),
    })
    tm.setSession({ accessToken: 'opaque', expiresIn: 60 })
    expect(await tm.sessions.list()).toEqual([
      { id: 's1', current: false, device: 'unknown', browser: '', os: '', ip: '', createdAt: '', lastActiveAt: '', expiresAt: '' },
    ])
    tm.destroy()
  })
})

import axios, { AxiosError, type AxiosInstance } from 'axios'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DestroyedError, isSessionExpiredError, TokenManager } from '../src'
import { attachTokenManager } from '../src/axios'
import { createBrowser, ORIGIN, type TestBrowser } from './helpers/browser'

const ALICE = { username: 'alice', password: 'wonderland' }
const THIRD_PARTY = 'https://third-party.test'

/** The real axios, its fetch adapter sending through the test browser (msw handlers of the mock backend). */
function setup(options: { always401?: boolean } = {}) {
  const browser = createBrowser()
  const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false })
  const sent: Request[] = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init)
    sent.push(request.clone())
    if (options.always401 && new URL(request.url).pathname === '/api/always401') return new Response('{"error":"nope"}', { status: 401 })
    return browser.fetch(request)
  }
  const api = axios.create({ baseURL: ORIGIN, adapter: 'fetch', env: { fetch } })
  const bearer = (path: string) => sent.filter((r) => new URL(r.url).pathname === path).map((r) => r.headers.get('authorization'))
  return { browser, tm, api, sent, bearer }
}

const refreshes = (browser: TestBrowser) => browser.count('/auth/refresh')

describe('tokenkeeper/axios', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('sends the Bearer to the authorized origin only, resolving baseURL + url', async () => {
    const { tm, api, sent } = setup()
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const { data } = await api.get('/api/me')
    expect(data.username).toBe('alice')
    expect(sent.at(-1)!.headers.get('authorization')).toMatch(/^Bearer ey/)
    await api.get(`${THIRD_PARTY}/x`)
    expect(new URL(sent.at(-1)!.url).origin).toBe(THIRD_PARTY)
    expect(sent.at(-1)!.headers.get('authorization')).toBeNull()
    tm.destroy()
  })

  it('1 refresh for many concurrent 401s; each request is replayed once with the new token', async () => {
    const { browser, tm, api, bearer } = setup()
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const first = tm.getSnapshot().expiresAt
    browser.controls.expireAccessTokens()
    vi.setSystemTime(Date.now() + 2000)
    const before = refreshes(browser)
    const replies = await Promise.all(Array.from({ length: 50 }, () => api.get('/api/me')))
    expect(replies.every((r) => r.status === 200 && r.data.username === 'alice')).toBe(true)
    expect(refreshes(browser) - before).toBe(1)
    const tokens = bearer('/api/me')
    expect(tokens).toHaveLength(100)
    expect(new Set(tokens).size).toBe(2)
    expect(tm.getSnapshot().expiresAt).toBeGreaterThan(first!)
    tm.destroy()
  })

  it('a token known to be expired is refreshed before sending: the request waits, no 401', async () => {
    const { browser, tm, api, bearer } = setup()
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    vi.setSystemTime(tm.getSnapshot().expiresAt! + 1000)
    const before = refreshes(browser)
    const replies = await Promise.all([api.get('/api/me'), api.get('/api/me'), tm.fetch(`${ORIGIN}/api/me`)])
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200])
    expect(refreshes(browser) - before).toBe(1)
    expect(bearer('/api/me')).toHaveLength(2)
    tm.destroy()
  })

  it('a second 401 is returned as is (AxiosError 401), after one refresh and one replay', async () => {
    const { browser, tm, api, bearer } = setup({ always401: true })
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const before = refreshes(browser)
    const error = await api.get('/api/always401').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AxiosError)
    expect((error as AxiosError).response?.status).toBe(401)
    expect(refreshes(browser) - before).toBe(1)
    const [sentFirst, sentReplay] = bearer('/api/always401')
    expect(bearer('/api/always401')).toHaveLength(2)
    expect(sentReplay).not.toBe(sentFirst)
    // With a validateStatus that accepts 401, the 401 resolves; the token is doubted by then (its
    // replay got a 401): sent once, no second refresh.
    const resolved = await api.get('/api/always401', { validateStatus: () => true })
    expect(resolved.status).toBe(401)
    expect(bearer('/api/always401')).toHaveLength(3)
    expect(refreshes(browser) - before).toBe(1)
    tm.destroy()
  })

  it('an endpoint that refuses every token costs one rotation, not one per request (the rule of tm.fetch)', async () => {
    const { browser, tm, api, bearer } = setup({ always401: true })
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const before = refreshes(browser)
    for (let i = 0; i < 5; i++) expect(((await api.get('/api/always401').catch((e: unknown) => e)) as AxiosError).response?.status).toBe(401)
    expect(refreshes(browser) - before).toBe(1)
    // The first request and its replay, then one send each.
    expect(bearer('/api/always401')).toHaveLength(6)
    // A request that works with that token clears the doubt: the next 401 refreshes again.
    expect((await api.get('/api/me')).status).toBe(200)
    await api.get('/api/always401').catch(() => undefined)
    expect(refreshes(browser) - before).toBe(2)
    tm.destroy()
  })

  it('a request whose signal aborts while it waits for a refresh rejects at once, as axios cancels (CanceledError)', async () => {
    const browser = createBrowser()
    let release = () => {}
    let held = false
    const gate = new Promise<void>((resolve) => (release = resolve))
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init)
      if (new URL(request.url).pathname === '/auth/refresh') {
        held = true
        await gate
      }
      return browser.fetch(request)
    }
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch, crossTab: false })
    const api = axios.create({ baseURL: ORIGIN, adapter: 'fetch', env: { fetch: browser.fetch } })
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    vi.setSystemTime(tm.getSnapshot().expiresAt! + 1000)
    const controller = new AbortController()
    let outcome: unknown
    void api.get('/api/me', { signal: controller.signal }).then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = error),
    )
    await vi.waitFor(() => expect(held).toBe(true))
    controller.abort()
    // The refresh is still held: the request did not wait for it.
    await vi.waitFor(() => expect(outcome).toBeDefined())
    expect(axios.isCancel(outcome)).toBe(true)
    expect((outcome as AxiosError).code).toBe('ERR_CANCELED')
    expect(browser.count('/api/me')).toBe(0)
    release()
    expect((await api.get('/api/me')).status).toBe(200)
    tm.destroy()
  })

  it('rejects with SessionExpiredError when the refresh ends the session', async () => {
    const { browser, tm, api } = setup()
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    browser.controls.revokeAll()
    browser.controls.expireAccessTokens()
    vi.setSystemTime(Date.now() + 2000)
    const error = await api.get('/api/me').catch((e: unknown) => e)
    expect(isSessionExpiredError(error)).toBe(true)
    expect(tm.getSnapshot().status).toBe('expired')
    // Signed out by then: a 401 is the answer, no refresh.
    const before = refreshes(browser)
    const after = await api.get('/api/me').catch((e: unknown) => e)
    expect((after as AxiosError).response?.status).toBe(401)
    expect(refreshes(browser)).toBe(before)
    tm.destroy()
  })

  it("keeps the app's own Authorization header and never replays such a request", async () => {
    const { browser, tm, api, bearer } = setup()
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const before = refreshes(browser)
    const error = await api.get('/api/me', { headers: { Authorization: 'Basic abc' } }).catch((e: unknown) => e)
    expect((error as AxiosError).response?.status).toBe(401)
    expect(bearer('/api/me')).toEqual(['Basic abc'])
    expect(refreshes(browser)).toBe(before)
    tm.destroy()
  })

  it("works with the app's interceptors before and after: checks the final URL, response interceptors run once", async () => {
    const { browser, tm, api, sent } = setup()
    // Registered before attaching: axios runs it after ours, and it redirects one request elsewhere.
    api.interceptors.request.use((config) => {
      if (config.url === '/redirect-me') config.url = `${THIRD_PARTY}/stolen`
      return config
    })
    attachTokenManager(api, tm)
    // Registered after attaching: runs before ours.
    api.interceptors.request.use((config) => {
      config.headers.set('x-trace', 'on')
      return config
    })
    let unwrapped = 0
    api.interceptors.response.use((response) => {
      unwrapped++
      return response.data
    })
    await tm.login(ALICE)
    await api.get('/redirect-me')
    expect(new URL(sent.at(-1)!.url).origin).toBe(THIRD_PARTY)
    expect(sent.at(-1)!.headers.get('authorization')).toBeNull()
    expect(sent.at(-1)!.headers.get('x-trace')).toBe('on')

    browser.controls.expireAccessTokens()
    vi.setSystemTime(Date.now() + 2000)
    unwrapped = 0
    const me = (await api.get('/api/me')) as unknown as { username: string }
    expect(me.username).toBe('alice')
    expect(unwrapped).toBe(1)
    tm.destroy()
  })

  it('an app that replays error.config itself does not stack a second wrapper', async () => {
    const { browser, tm, api, bearer } = setup({ always401: true })
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const error = (await api.get('/api/always401').catch((e: unknown) => e)) as AxiosError
    const before = refreshes(browser)
    const again = (await api.request(error.config!).catch((e: unknown) => e)) as AxiosError
    // One more request, not wrapped twice (a second wrapper would send it again); its token is the
    // doubted one (the first request's replay got a 401): the 401 comes back with no refresh.
    expect(again.response?.status).toBe(401)
    expect(bearer('/api/always401')).toHaveLength(3)
    expect(refreshes(browser) - before).toBe(0)
    tm.destroy()
  })

  it('attaching twice throws a TypeError; detach removes the Bearer and allows attaching again', async () => {
    const { tm, api, sent } = setup()
    const detach = attachTokenManager(api, tm)
    expect(() => attachTokenManager(api, tm)).toThrow(TypeError)
    await tm.login(ALICE)
    detach()
    detach()
    await api.get('/api/me').catch(() => undefined)
    expect(sent.at(-1)!.headers.get('authorization')).toBeNull()
    attachTokenManager(api, tm)
    await api.get('/api/me')
    expect(sent.at(-1)!.headers.get('authorization')).toMatch(/^Bearer /)
    tm.destroy()
  })

  it('attaching after destroy() throws DestroyedError; a request after destroy() rejects with it', async () => {
    const { tm, api } = setup()
    const other: AxiosInstance = axios.create()
    attachTokenManager(api, tm)
    tm.destroy()
    expect(() => attachTokenManager(other, tm)).toThrow(DestroyedError)
    await expect(api.get('/api/me')).rejects.toBeInstanceOf(DestroyedError)
  })

  it('rejects anything but a TokenManager with a TypeError', () => {
    expect(() => attachTokenManager(axios.create(), {} as TokenManager)).toThrow(TypeError)
  })
})

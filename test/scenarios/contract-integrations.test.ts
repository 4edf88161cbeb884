// Black-box scenarios of the integrations, written from issue 16 and the README's axios and Svelte sections only
// (React and Vue: contract-integrations-dom.test.ts; Angular: contract-angular.test.ts). Plain Node, no DOM.
import axios, { type AxiosAdapter, AxiosError, type AxiosInstance, type AxiosResponse } from 'axios'
import { BroadcastChannel } from 'broadcast-channel'
import { derived, get } from 'svelte/store'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type ChannelLike, DestroyedError, isDestroyedError, isSessionExpiredError, TokenManager, type SessionSnapshot } from '../../src'
import { attachTokenManager } from '../../src/axios'
import { onSessionEvent, sessionStore } from '../../src/svelte'
import { ALICE, API, APP, createContractServer, FOREIGN } from '../helpers/contract-server'
import { createLockManager } from '../helpers/locks'
import { trackSubscribers } from '../helpers/subscribers'

function manager() {
  const server = createContractServer()
  const tm = new TokenManager({ baseUrl: APP, authorizedOrigins: [APP, API], fetch: server.fetch, crossTab: false })
  return { server, tm }
}

function axiosOn(server: ReturnType<typeof createContractServer>, baseURL = APP, config: object = {}): AxiosInstance {
  return axios.create({ baseURL, adapter: 'fetch', env: { fetch: server.fetch }, ...config })
}

const reason = async (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

describe('every integration entry imports in Node without a DOM', () => {
  it.each(['axios', 'svelte', 'react', 'vue', 'angular'])('src/%s.ts', async (entry) => {
    expect(typeof window).toBe('undefined')
    expect(typeof document).toBe('undefined')
    const module: Record<string, unknown> = await import(`../../src/${entry}.ts`)
    expect(Object.keys(module).length).toBeGreaterThan(0)
  })
})

describe('contract: tokenkeeper/axios', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('attachTokenManager returns a detach function; after detaching no Bearer is added', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    const detach = attachTokenManager(api, tm)
    expect(typeof detach).toBe('function')
    await tm.login(ALICE)
    expect((await api.get('/api/me')).status).toBe(200)
    expect(server.bearers('/api/me').at(-1)).toMatch(/^Bearer ey/)
    detach()
    const after = await reason(api.get('/api/me'))
    expect(after).toBeInstanceOf(AxiosError)
    expect((after as AxiosError).response?.status).toBe(401)
    expect(server.bearers('/api/me').at(-1)).toBeNull()
    // Detached: a 401 is not the manager's business any more, nothing refreshes.
    expect(server.refreshes()).toBe(0)
    tm.destroy()
  })

  it('the Bearer goes to allow-listed origins only: relative URLs with baseURL, absolute URLs', async () => {
    const { server, tm } = manager()
    const app = axiosOn(server, `${APP}/api`)
    const foreignBase = axiosOn(server, FOREIGN)
    attachTokenManager(app, tm)
    attachTokenManager(foreignBase, tm)
    await tm.login(ALICE)
    await app.get('/relative') // APP/api/relative
    await app.get(`${API}/absolute`)
    await app.get(`${FOREIGN}/absolute`)
    await foreignBase.get('/relative-foreign')
    expect(server.bearers('/api/relative')).toEqual([expect.stringMatching(/^Bearer ey/)])
    expect(server.bearers('/absolute')).toEqual([expect.stringMatching(/^Bearer ey/), null])
    expect(server.bearers('/relative-foreign')).toEqual([null])
    tm.destroy()
  })

  it('the Bearer is decided after the app’s request interceptors: a URL rewritten to a foreign origin gets none', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    // axios runs request interceptors last-added first: this one, added before attaching, runs after the SDK's.
    api.interceptors.request.use((config) => {
      if (config.url === '/api/moved') {
        config.baseURL = FOREIGN
        config.url = '/moved'
      }
      return config
    })
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    await api.get('/api/moved')
    expect(server.bearers('/moved')).toEqual([null])
    tm.destroy()
  })

  it('signed out: requests go without Authorization', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.start()
    expect(tm.getSnapshot().status).toBe('signedOut')
    const reply = await api.get(`${FOREIGN}/public`)
    expect(reply.status).toBe(200)
    await reason(api.get('/api/public'))
    expect(server.bearers('/api/public')).toEqual([null])
    tm.destroy()
  })

  it('10 concurrent requests that all get 401: exactly one refresh, each request replayed once with the new token', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const old = server.bearers('/api/me')
    expect(old).toHaveLength(0)
    server.revokeAccessToken()
    const before = server.refreshes()
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => api.get('/api/me', { headers: { 'x-request-id': String(i) } })))
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200))
    expect(server.refreshes() - before).toBe(1)
    const sent = server.to('/api/me')
    expect(sent).toHaveLength(20)
    for (let i = 0; i < 10; i++) {
      const mine = sent.filter((r) => r.headers.get('x-request-id') === String(i)).map((r) => r.headers.get('authorization'))
      expect(mine).toHaveLength(2)
      expect(mine[0]).not.toBe(mine[1])
    }
    tm.destroy()
  })

  it('a second 401 after the replay is returned as is: AxiosError with status 401, no loop', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const before = server.refreshes()
    const error = await reason(api.get('/always401'))
    expect(error).toBeInstanceOf(AxiosError)
    expect(axios.isAxiosError(error)).toBe(true)
    expect((error as AxiosError).response?.status).toBe(401)
    expect(server.to('/always401')).toHaveLength(2)
    expect(server.refreshes() - before).toBe(1)
    // The session is kept: a 401 of an API is not the end of the session.
    expect(tm.getSnapshot().status).toBe('active')
    tm.destroy()
  })

  it('a request with its own Authorization header keeps it and is not replayed', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const error = await reason(api.get('/api/me', { headers: { Authorization: 'Basic abc' } }))
    expect((error as AxiosError).response?.status).toBe(401)
    expect(server.bearers('/api/me')).toEqual(['Basic abc'])
    expect(server.refreshes()).toBe(0)
    tm.destroy()
  })

  it('the refresh call is never intercepted: an axios call to the refresh endpoint that gets 401 does not loop', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    server.rejectRefresh()
    const error = await reason(api.post('/auth/refresh'))
    expect(error).toBeInstanceOf(Error)
    // At most the call itself and one refresh: never a refresh of the refresh.
    expect(server.refreshes()).toBeLessThanOrEqual(2)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(server.refreshes()).toBeLessThanOrEqual(2)
    tm.destroy()
  })

  it('requests wait while a refresh runs, then go out once with the new token', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const release = server.holdRefresh()
    const refreshed = tm.refresh()
    await vi.advanceTimersByTimeAsync(0)
    const replies = Promise.all([api.get('/api/me'), api.get('/api/me')])
    await vi.advanceTimersByTimeAsync(100)
    expect(server.to('/api/me')).toHaveLength(0)
    release()
    const token = await refreshed
    expect((await replies).map((r) => r.status)).toEqual([200, 200])
    expect(server.bearers('/api/me')).toEqual([`Bearer ${token}`, `Bearer ${token}`])
    tm.destroy()
  })

  it('an abort while waiting for a refresh rejects at once as axios cancels (CanceledError)', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const release = server.holdRefresh()
    const refreshed = tm.refresh()
    await vi.advanceTimersByTimeAsync(0)
    const controller = new AbortController()
    const request = reason(api.get('/api/me', { signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(10)
    controller.abort()
    await vi.advanceTimersByTimeAsync(0)
    const error = await request
    expect(axios.isCancel(error)).toBe(true)
    expect(server.to('/api/me')).toHaveLength(0)
    release()
    await refreshed
    tm.destroy()
  })

  it('the app’s interceptors added before and after attaching still run, response interceptors once per request', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    const calls: string[] = []
    api.interceptors.request.use((config) => {
      calls.push('request-before')
      config.headers.set('x-before', '1')
      return config
    })
    api.interceptors.response.use((response) => {
      calls.push('response-before')
      return response
    })
    attachTokenManager(api, tm)
    api.interceptors.request.use((config) => {
      calls.push('request-after')
      config.headers.set('x-after', '1')
      return config
    })
    api.interceptors.response.use((response) => {
      calls.push('response-after')
      return response.data
    })
    await tm.login(ALICE)
    server.revokeAccessToken() // a 401, then the replay
    const data = (await api.get('/api/me')) as unknown as { sub: string }
    expect(data).toEqual({ sub: 'alice', path: '/api/me' })
    expect(calls.sort()).toEqual(['request-after', 'request-before', 'response-after', 'response-before'])
    const sent = server.to('/api/me')
    expect(sent).toHaveLength(2)
    for (const request of sent) {
      expect(request.headers.get('x-before')).toBe('1')
      expect(request.headers.get('x-after')).toBe('1')
    }
    expect(sent[1]!.headers.get('authorization')).toMatch(/^Bearer ey/)
    tm.destroy()
  })

  it('a refresh that ends the session rejects with SessionExpiredError and emits sessionExpired', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const expired = vi.fn()
    tm.on('sessionExpired', expired)
    server.revokeAccessToken()
    server.rejectRefresh()
    const error = await reason(api.get('/api/me'))
    expect(isSessionExpiredError(error)).toBe(true)
    expect(expired).toHaveBeenCalledTimes(1)
    expect(expired).toHaveBeenCalledWith({ reason: 'refresh_rejected' })
    expect(server.refreshes()).toBe(1)
    expect(tm.getSnapshot().status).toBe('expired')
    tm.destroy()
  })

  it('attaching twice to one instance (same or another manager) throws a TypeError; after detach() it attaches again', async () => {
    const { server, tm } = manager()
    const other = new TokenManager({ baseUrl: APP, fetch: server.fetch, crossTab: false })
    const api = axiosOn(server)
    const detach = attachTokenManager(api, tm)
    expect(() => attachTokenManager(api, tm)).toThrow(TypeError)
    expect(() => attachTokenManager(api, other)).toThrow(TypeError)
    // The failed attach left the first one working: one Bearer, sent once.
    await tm.login(ALICE)
    expect((await api.get('/api/me')).status).toBe(200)
    expect(server.bearers('/api/me')).toHaveLength(1)
    detach()
    const again = attachTokenManager(api, tm)
    expect((await api.get('/api/me')).status).toBe(200)
    expect(server.bearers('/api/me').at(-1)).toMatch(/^Bearer ey/)
    again()
    other.destroy()
    tm.destroy()
  })

  it('attaching after tm.destroy() throws DestroyedError; requests after destroy reject with DestroyedError', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    const attached = axiosOn(server)
    attachTokenManager(attached, tm)
    await tm.login(ALICE)
    tm.destroy()
    expect(() => attachTokenManager(api, tm)).toThrow(DestroyedError)
    const error = await reason(attached.get('/api/me'))
    expect(isDestroyedError(error)).toBe(true)
  })
})

describe('contract: tokenkeeper/axios, the request flow of tm.fetch', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('a 401 on a request that carried no Bearer (a foreign origin, or signed out) makes no refresh', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.start()
    const signedOut = await reason(api.get('/api/me'))
    expect((signedOut as AxiosError).response?.status).toBe(401)
    const refreshesAtStart = server.refreshes()
    await tm.login(ALICE)
    const foreign = await reason(api.get(`${FOREIGN}/always401`))
    expect((foreign as AxiosError).response?.status).toBe(401)
    expect(server.bearers('/always401')).toEqual([null]) // sent once, without the Bearer, not replayed
    await reason(api.get(`${API}/always401`, { headers: { Authorization: 'Basic x' } }))
    expect(server.refreshes()).toBe(refreshesAtStart)
    tm.destroy()
  })

  it('a JSON body survives the replay', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    server.revokeAccessToken()
    await api.post('/api/orders', { item: 'book', qty: 2 })
    const bodies = await Promise.all(server.to('/api/orders').map((r) => r.text()))
    expect(bodies).toEqual(['{"item":"book","qty":2}', '{"item":"book","qty":2}'])
    tm.destroy()
  })

  it('a request whose body is a stream is not replayed: it gets the 401', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    server.revokeAccessToken()
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('x'))
        controller.close()
      },
    })
    const error = await reason(api.post('/api/stream', body, { headers: { 'content-type': 'text/plain' } }))
    expect((error as AxiosError).response?.status).toBe(401)
    expect(server.to('/api/stream')).toHaveLength(1)
    tm.destroy()
  })

  it('with a validateStatus that accepts every status, a 401 is still refreshed and replayed', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server, APP, { validateStatus: () => true })
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    server.revokeAccessToken()
    const reply = await api.get('/api/me')
    expect(reply.status).toBe(200)
    expect(server.refreshes()).toBe(1)
    tm.destroy()
  })

  it('the app’s error interceptors (before and after attaching) see a second 401 once', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    const before = vi.fn((error: unknown) => Promise.reject(error))
    api.interceptors.response.use(undefined, before)
    attachTokenManager(api, tm)
    const after = vi.fn((error: unknown) => Promise.reject(error))
    api.interceptors.response.use(undefined, after)
    await tm.login(ALICE)
    const error = await reason(api.get('/always401'))
    expect((error as AxiosError).response?.status).toBe(401)
    expect(before).toHaveBeenCalledTimes(1)
    expect(after).toHaveBeenCalledTimes(1)
    expect(server.to('/always401')).toHaveLength(2)
    tm.destroy()
  })

  it('works with an instance whose adapter is the app’s own function', async () => {
    const { server, tm } = manager()
    const adapter: AxiosAdapter = async (config) => {
      const url = new URL(config.url!, config.baseURL)
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(config.headers.toJSON())) if (value != null) headers[name] = String(value)
      const res = await server.fetch(url, { method: config.method?.toUpperCase() ?? 'GET', headers })
      const response: AxiosResponse = { data: await res.json(), status: res.status, statusText: '', headers: {}, config, request: {} }
      if (res.status >= 400) throw new AxiosError('failed', AxiosError.ERR_BAD_REQUEST, config, {}, response)
      return response
    }
    const api = axios.create({ baseURL: APP, adapter })
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    server.revokeAccessToken()
    expect((await api.get('/api/me')).status).toBe(200)
    expect(server.refreshes()).toBe(1)
    const sent = server.bearers('/api/me')
    expect(sent).toHaveLength(2)
    expect(sent[0]).not.toBe(sent[1])
    tm.destroy()
  })

  it('a token known to be expired is never sent: the request refreshes first, no 401', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    vi.setSystemTime(tm.getSnapshot().expiresAt! + 1000)
    expect((await api.get('/api/me')).status).toBe(200)
    expect(server.to('/api/me')).toHaveLength(1)
    expect(server.refreshes()).toBe(1)
    tm.destroy()
  })

  it('the proactive refresh and the 401s are one refresh (axios #10701)', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    const release = server.holdRefresh()
    await vi.advanceTimersByTimeAsync(541_000) // 60 s (refreshLeadTime) before the 600 s token expires
    expect(server.refreshes()).toBe(1)
    server.revokeAccessToken()
    const replies = Promise.all(Array.from({ length: 5 }, () => api.get('/api/me')))
    await vi.advanceTimersByTimeAsync(10)
    release()
    expect((await replies).map((r) => r.status)).toEqual(Array(5).fill(200))
    expect(server.refreshes()).toBe(1)
    tm.destroy()
  })

  it('requests wait for start() resuming the session', async () => {
    const { server, tm } = manager()
    await tm.login(ALICE) // the server now has a session to resume
    const tab = new TokenManager({ baseUrl: APP, authorizedOrigins: [APP, API], fetch: server.fetch, crossTab: false })
    const api = axiosOn(server)
    attachTokenManager(api, tab)
    const release = server.holdRefresh()
    const started = tab.start()
    const reply = api.get('/api/me')
    await vi.advanceTimersByTimeAsync(50)
    expect(server.to('/api/me')).toHaveLength(0)
    release()
    await started
    expect((await reply).status).toBe(200)
    expect(server.bearers('/api/me')).toEqual([`Bearer ${(await tab.getAccessToken())!}`])
    tab.destroy()
    tm.destroy()
  })

  it('the Bearer follows the URL axios really sends: allowAbsoluteUrls false joins an absolute url to baseURL', async () => {
    const { server, tm } = manager()
    const toForeign = axiosOn(server, FOREIGN, { allowAbsoluteUrls: false })
    const toApp = axiosOn(server, APP, { allowAbsoluteUrls: false })
    attachTokenManager(toForeign, tm)
    attachTokenManager(toApp, tm)
    await tm.login(ALICE)
    await reason(toForeign.get(`${APP}/api/me`))
    const leaked = server.sent.at(-1)!
    expect(new URL(leaked.url).origin).toBe(FOREIGN)
    expect(leaked.headers.get('authorization')).toBeNull()
    await reason(toApp.get(`${FOREIGN}/x`))
    const own = server.sent.at(-1)!
    expect(new URL(own.url).origin).toBe(APP)
    expect(own.headers.get('authorization')).toMatch(/^Bearer ey/)
    tm.destroy()
  })

  it('another port or scheme of an allow-listed host is another origin: no Bearer', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    await reason(api.get('http://app.test:8080/api/me'))
    await reason(api.get('https://app.test/api/me'))
    const sent = server.to('/api/me')
    expect(sent.map((r) => r.url)).toEqual(['http://app.test:8080/api/me', 'https://app.test/api/me'])
    expect(sent.map((r) => r.headers.get('authorization'))).toEqual([null, null])
    tm.destroy()
  })

  it('detach() removes the SDK’s interceptors only: the app’s still run', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    const calls: string[] = []
    api.interceptors.request.use((config) => {
      calls.push('request-before')
      return config
    })
    api.interceptors.response.use((response) => {
      calls.push('response-before')
      return response
    })
    const detach = attachTokenManager(api, tm)
    api.interceptors.request.use((config) => {
      calls.push('request-after')
      return config
    })
    api.interceptors.response.use((response) => {
      calls.push('response-after')
      return response
    })
    detach()
    await api.get(`${FOREIGN}/x`)
    expect(calls.sort()).toEqual(['request-after', 'request-before', 'response-after', 'response-before'])
    tm.destroy()
  })

  it('1 000 concurrent 401s: one refresh, 2 000 sends', async () => {
    const { server, tm } = manager()
    const api = axiosOn(server)
    attachTokenManager(api, tm)
    await tm.login(ALICE)
    server.revokeAccessToken()
    const replies = await Promise.all(Array.from({ length: 1000 }, () => api.get('/api/me')))
    expect(replies.every((r) => r.status === 200)).toBe(true)
    expect(server.refreshes()).toBe(1)
    expect(server.to('/api/me')).toHaveLength(2000)
    tm.destroy()
  })

  it('the refresh after 401s is shared with the other tabs: two tabs, one refresh', async () => {
    const server = createContractServer()
    const locks = createLockManager()
    const open = () =>
      new TokenManager({
        baseUrl: APP,
        fetch: server.fetch,
        crossTab: { channel: 'contract16-axios' },
        locks: locks.managerFor(),
        channelFactory: (name) => new BroadcastChannel(name, { type: 'simulate' }) as unknown as ChannelLike,
      })
    const a = open()
    const b = open()
    const started = Promise.all([a.start(), b.start()])
    await vi.advanceTimersByTimeAsync(2000)
    await started
    const login = a.login(ALICE)
    await vi.advanceTimersByTimeAsync(500)
    await login
    expect(b.getSnapshot().status).toBe('active')
    const apiA = axiosOn(server)
    const apiB = axiosOn(server)
    attachTokenManager(apiA, a)
    attachTokenManager(apiB, b)
    const before = server.refreshes()
    server.revokeAccessToken()
    const replies = Promise.all([apiA.get('/api/me'), apiB.get('/api/me'), apiA.get('/api/me'), apiB.get('/api/me')])
    await vi.advanceTimersByTimeAsync(2000)
    expect((await replies).map((r) => r.status)).toEqual([200, 200, 200, 200])
    expect(server.refreshes() - before).toBe(1)
    a.destroy()
    b.destroy()
  })
})

describe('contract: tokenkeeper/svelte', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('sessionStore follows the store contract: the current value synchronously on subscribe, an unsubscribe function', async () => {
    const { tm } = manager()
    const live = trackSubscribers(tm)
    const store = sessionStore(tm)
    const seen: SessionSnapshot[] = []
    const unsubscribe = store.subscribe((value) => seen.push(value))
    expect(seen).toHaveLength(1)
    expect(seen[0]).toBe(tm.getSnapshot())
    expect(typeof unsubscribe).toBe('function')
    expect(live()).toBe(1)

    await tm.login(ALICE)
    expect(seen.at(-1)!.status).toBe('active')
    expect(seen.at(-1)!.claims).toMatchObject({ sub: 'alice', name: 'Alice' })
    expect(seen.at(-1)).toBe(tm.getSnapshot())

    await tm.logout()
    expect(seen.at(-1)!.status).toBe('signedOut')
    expect(seen.at(-1)!.claims).toBeNull()

    unsubscribe()
    expect(live()).toBe(0)
    const count = seen.length
    await tm.login(ALICE)
    expect(seen).toHaveLength(count)
    tm.destroy()
  })

  it('get(store) reads the current snapshot and leaves no subscription; derived stores follow it', async () => {
    const { tm } = manager()
    const live = trackSubscribers(tm)
    const store = sessionStore(tm)
    expect(get(store)).toBe(tm.getSnapshot())
    expect(live()).toBe(0)
    const user = derived(store, (s) => (s.claims as { sub?: string } | null)?.sub ?? null)
    const users: (string | null)[] = []
    const stop = user.subscribe((u) => users.push(u))
    await tm.login(ALICE)
    expect(get(store).status).toBe('active')
    expect(get(user)).toBe('alice')
    await tm.logout()
    expect(users).toEqual([null, 'alice', null])
    stop()
    expect(live()).toBe(0)
    tm.destroy()
  })

  it('each subscriber gets its own listener and one call per change', async () => {
    const { tm } = manager()
    const live = trackSubscribers(tm)
    const store = sessionStore(tm)
    const a = vi.fn()
    const b = vi.fn()
    const offA = store.subscribe(a)
    const offB = store.subscribe(b)
    expect(live()).toBe(2)
    await tm.login(ALICE)
    const statuses = (fn: typeof a) => fn.mock.calls.map(([s]) => (s as SessionSnapshot).status)
    expect(statuses(a).at(-1)).toBe('active')
    expect(statuses(b)).toEqual(statuses(a))
    offA()
    expect(live()).toBe(1)
    await tm.logout()
    expect(statuses(a).at(-1)).toBe('active')
    expect(statuses(b).at(-1)).toBe('signedOut')
    offB()
    expect(live()).toBe(0)
    tm.destroy()
  })

  it('onSessionEvent calls the handler with the typed payload and returns the stop function', async () => {
    const { server, tm } = manager()
    const signedIn = vi.fn()
    const expired = vi.fn()
    const stopSignedIn = onSessionEvent(tm, 'signedIn', signedIn)
    const stopExpired = onSessionEvent(tm, 'sessionExpired', expired)
    expect(typeof stopSignedIn).toBe('function')
    await tm.login(ALICE)
    expect(signedIn).toHaveBeenCalledTimes(1)
    expect(signedIn.mock.calls[0]![0]).toMatchObject({ claims: { sub: 'alice' } })
    stopSignedIn()
    server.rejectRefresh()
    await reason(tm.refresh())
    expect(expired).toHaveBeenCalledWith({ reason: 'refresh_rejected' })
    await tm.login(ALICE)
    expect(signedIn).toHaveBeenCalledTimes(1)
    stopExpired()
    tm.destroy()
  })
})

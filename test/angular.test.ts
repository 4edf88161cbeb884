// Angular's packages ship partially compiled: the JIT compiler links them at run time.
import '@angular/compiler'
import { HttpClient, HttpErrorResponse, provideHttpClient, withFetch, withInterceptors } from '@angular/common/http'
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing'
import {
  computed,
  createEnvironmentInjector,
  type EnvironmentInjector,
  PLATFORM_ID,
  runInInjectionContext,
  provideZonelessChangeDetection,
  ɵINJECTOR_SCOPE as INJECTOR_SCOPE,
} from '@angular/core'
import { firstValueFrom } from 'rxjs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DestroyedError, isSessionExpiredError, TokenManager, type SessionEndReason } from '../src'
import { injectSession, injectSessionEvents, injectTokenManager, provideTokenKeeper, sessionEvents, tokenKeeperInterceptor } from '../src/angular'
import { createBrowser, ORIGIN } from './helpers/browser'
import { trackSubscribers } from './helpers/subscribers'

const ALICE = { username: 'alice', password: 'wonderland' }
const THIRD_PARTY = 'https://third-party.test'

/** The root environment injector an app's bootstrap creates (`providedIn: 'root'` services live there). */
const ROOT = { provide: INJECTOR_SCOPE, useValue: 'root' }

/** An app's environment injector: the real HttpClient with the fetch backend (global fetch → the mock backend). */
function setup(options: { always401?: boolean } = {}) {
  const browser = createBrowser()
  const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false })
  const subscribers = trackSubscribers(tm)
  const sent: Request[] = []
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    sent.push(request.clone())
    if (options.always401 && new URL(request.url).pathname === '/api/always401') return new Response('{}', { status: 401 })
    return browser.fetch(request)
  })
  const injector = createEnvironmentInjector(
    [ROOT, provideZonelessChangeDetection(), provideTokenKeeper(tm), provideHttpClient(withFetch(), withInterceptors([tokenKeeperInterceptor]))],
    null as unknown as EnvironmentInjector,
  )
  const http = injector.get(HttpClient)
  const bearer = (path: string) => sent.filter((r) => new URL(r.url).pathname === path).map((r) => r.headers.get('authorization'))
  return { browser, tm, subscribers, injector, http, sent, bearer }
}

describe('tokenkeeper/angular', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] }))
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('the interceptor sends the Bearer to authorized origins only', async () => {
    const { tm, http, sent, injector } = setup()
    await tm.login(ALICE)
    const me = await firstValueFrom(http.get<{ username: string }>(`${ORIGIN}/api/me`))
    expect(me.username).toBe('alice')
    expect(sent.at(-1)!.headers.get('authorization')).toMatch(/^Bearer ey/)
    await firstValueFrom(http.get(`${THIRD_PARTY}/x`, { responseType: 'text' }))
    expect(sent.at(-1)!.headers.get('authorization')).toBeNull()
    expect(injector.get(HttpClient)).toBe(http)
    injector.destroy()
    tm.destroy()
  })

  it('1 refresh for concurrent 401s, each request replayed once; a second 401 is the HttpErrorResponse', async () => {
    const { browser, tm, http, bearer } = setup({ always401: true })
    await tm.login(ALICE)
    browser.controls.expireAccessTokens()
    vi.setSystemTime(Date.now() + 2000)
    const before = browser.count('/auth/refresh')
    const replies = await Promise.all(Array.from({ length: 20 }, () => firstValueFrom(http.get<{ username: string }>(`${ORIGIN}/api/me`))))
    expect(replies.every((r) => r.username === 'alice')).toBe(true)
    expect(browser.count('/auth/refresh') - before).toBe(1)
    expect(new Set(bearer('/api/me').slice(-40)).size).toBe(2)

    const error = await firstValueFrom(http.get(`${ORIGIN}/api/always401`)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HttpErrorResponse)
    expect((error as HttpErrorResponse).status).toBe(401)
    expect(bearer('/api/always401')).toHaveLength(2)
    expect(browser.count('/auth/refresh') - before).toBe(2)
    // The replay's token is doubted now (tm.fetch's rule, the same flow): later 401s with it come
    // back at once, one send each, no refresh.
    for (let i = 0; i < 4; i++)
      expect(((await firstValueFrom(http.get(`${ORIGIN}/api/always401`)).catch((e: unknown) => e)) as HttpErrorResponse).status).toBe(401)
    expect(bearer('/api/always401')).toHaveLength(6)
    expect(browser.count('/auth/refresh') - before).toBe(2)
    tm.destroy()
  })

  it('a token already valid goes out in the same tick: HttpTestingController.expectOne right after subscribe', async () => {
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: createBrowser().fetch, crossTab: false })
    const injector = createEnvironmentInjector(
      [
        ROOT,
        provideZonelessChangeDetection(),
        provideTokenKeeper(tm),
        provideHttpClient(withInterceptors([tokenKeeperInterceptor])),
        provideHttpClientTesting(),
      ],
      null as unknown as EnvironmentInjector,
    )
    const http = injector.get(HttpClient)
    const backend = injector.get(HttpTestingController)
    await tm.login(ALICE)
    let body: unknown
    http.get(`${ORIGIN}/api/me`).subscribe((reply) => (body = reply))
    const request = backend.expectOne(`${ORIGIN}/api/me`)
    expect(request.request.headers.get('authorization')).toMatch(/^Bearer ey/)
    request.flush({ username: 'alice' })
    expect(body).toEqual({ username: 'alice' })

    // A token known to be expired: the request waits for the refresh, then goes out with the new token.
    const old = request.request.headers.get('authorization')
    vi.setSystemTime(tm.getSnapshot().expiresAt! + 1000)
    http.get(`${ORIGIN}/api/orders`).subscribe()
    backend.expectNone(`${ORIGIN}/api/orders`)
    await tm.getAccessToken()
    const waited = await vi.waitFor(() => backend.expectOne(`${ORIGIN}/api/orders`))
    expect(waited.request.headers.get('authorization')).toMatch(/^Bearer ey/)
    expect(waited.request.headers.get('authorization')).not.toBe(old)
    waited.flush([])

    // Signed out: at once too, without Authorization.
    await tm.logout()
    http.get(`${ORIGIN}/api/public`).subscribe()
    expect(backend.expectOne(`${ORIGIN}/api/public`).request.headers.has('authorization')).toBe(false)
    backend.verify()
    injector.destroy()
    tm.destroy()
  })

  it('errors with SessionExpiredError when the refresh ends the session', async () => {
    const { browser, tm, http } = setup()
    await tm.login(ALICE)
    browser.controls.revokeAll()
    browser.controls.expireAccessTokens()
    vi.setSystemTime(Date.now() + 2000)
    const error = await firstValueFrom(http.get(`${ORIGIN}/api/me`)).catch((e: unknown) => e)
    expect(isSessionExpiredError(error)).toBe(true)
    tm.destroy()
  })

  it('injectSession is a signal of the snapshot until the injector is destroyed; sessionEvents is an observable', async () => {
    const { browser, tm, injector, subscribers } = setup()
    const child = createEnvironmentInjector([], injector)
    const { session, status, manager } = runInInjectionContext(child, () => {
      const session = injectSession()
      return { session, status: computed(() => session().status), manager: injectTokenManager() }
    })
    expect(manager).toBe(tm)
    expect(session()).toBe(tm.getSnapshot())
    expect(subscribers()).toBe(1)
    const reasons: SessionEndReason[] = []
    const subscription = sessionEvents(tm, 'sessionExpired').subscribe(({ reason }) => reasons.push(reason))
    await tm.login(ALICE)
    expect(status()).toBe('active')
    expect(session().claims?.sub).toBe('alice')
    browser.controls.revokeAll()
    await tm.refresh().catch(() => undefined)
    expect(status()).toBe('expired')
    expect(reasons).toEqual(['refresh_rejected'])
    subscription.unsubscribe()
    child.destroy()
    expect(subscribers()).toBe(0)
    await tm.login(ALICE)
    expect(status()).toBe('expired')
    expect(reasons).toEqual(['refresh_rejected'])
    tm.destroy()
  })

  it("injectSessionEvents(name): the provided manager's events, the listener removed on unsubscribe", async () => {
    const { browser, tm, injector } = setup()
    // The listeners the bindings hold on tm, through its public on().
    let live = 0
    const on = tm.on.bind(tm)
    tm.on = ((type, handler) => {
      live++
      const off = on(type, handler)
      return () => (live--, off())
    }) as typeof tm.on
    const expired$ = runInInjectionContext(injector, () => injectSessionEvents('sessionExpired'))
    expect(live).toBe(0)
    const reasons: SessionEndReason[] = []
    const subscription = expired$.subscribe(({ reason }) => reasons.push(reason))
    expect(live).toBe(1)
    await tm.login(ALICE)
    browser.controls.revokeAll()
    await tm.refresh().catch(() => undefined)
    expect(reasons).toEqual(['refresh_rejected'])
    subscription.unsubscribe()
    expect(live).toBe(0)
    expect(() => injectSessionEvents('sessionExpired')).toThrow()
    tm.destroy()
  })

  it('provideTokenKeeper takes a factory, run once on first injection', () => {
    const factory = vi.fn(() => new TokenManager({ baseUrl: ORIGIN, crossTab: false }))
    const injector = createEnvironmentInjector([provideTokenKeeper(factory)], null as unknown as EnvironmentInjector)
    expect(factory).not.toHaveBeenCalled()
    const tm = runInInjectionContext(injector, () => injectTokenManager())
    expect(runInInjectionContext(injector, () => injectTokenManager())).toBe(tm)
    expect(factory).toHaveBeenCalledTimes(1)
    tm.destroy()
  })

  it('provideTokenKeeper takes options: the manager is created on first injection, started, and destroyed with the injector', async () => {
    const browser = createBrowser()
    const start = vi.spyOn(TokenManager.prototype, 'start')
    const injector = createEnvironmentInjector(
      [provideTokenKeeper({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false })],
      null as unknown as EnvironmentInjector,
    )
    expect(start).not.toHaveBeenCalled()
    const tm = runInInjectionContext(injector, () => injectTokenManager())
    // The core's own class (the entry imports the package, not a copy of it).
    expect(tm).toBeInstanceOf(TokenManager)
    expect(runInInjectionContext(injector, () => injectTokenManager())).toBe(tm)
    expect(start).toHaveBeenCalledTimes(1)
    expect((await tm.start()).status).toBe('signedOut')
    await tm.login(ALICE)
    injector.destroy()
    await expect(tm.getAccessToken()).rejects.toBeInstanceOf(DestroyedError)
  })

  it("a manager created from options is not started where PLATFORM_ID is 'server'", () => {
    const start = vi.spyOn(TokenManager.prototype, 'start')
    const injector = createEnvironmentInjector(
      [{ provide: PLATFORM_ID, useValue: 'server' }, provideTokenKeeper({ baseUrl: ORIGIN, crossTab: false })],
      null as unknown as EnvironmentInjector,
    )
    const tm = runInInjectionContext(injector, () => injectTokenManager())
    expect(start).not.toHaveBeenCalled()
    expect(tm.getSnapshot().status).toBe('unknown')
    injector.destroy()
  })

  it('a manager passed in is neither started nor destroyed by the injector', async () => {
    const tm = new TokenManager({ baseUrl: ORIGIN, fetch: createBrowser().fetch, crossTab: false })
    const start = vi.spyOn(tm, 'start')
    const injector = createEnvironmentInjector([provideTokenKeeper(tm)], null as unknown as EnvironmentInjector)
    expect(runInInjectionContext(injector, () => injectTokenManager())).toBe(tm)
    injector.destroy()
    expect(start).not.toHaveBeenCalled()
    await tm.login(ALICE)
    expect(tm.getSnapshot().status).toBe('active')
    tm.destroy()
  })

  it('provideTokenKeeper rejects anything else with a TypeError naming what to pass', () => {
    expect(() => provideTokenKeeper(42 as never)).toThrow(/takes a TokenManager, a function returning one, or TokenManagerOptions/)
    expect(() => provideTokenKeeper(null as never)).toThrow(TypeError)
    expect(() => provideTokenKeeper('https://app.example.com' as never)).toThrow(TypeError)
  })
})

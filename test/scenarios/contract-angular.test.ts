// Black-box scenarios of tokenkeeper/angular, written from issue 16 and the README's Angular section only; run once
// per supported Angular major (the angular-<major> projects of vitest.config.ts), as test/angular.test.ts is.
// Angular's packages ship partially compiled: the JIT compiler links them at run time.
import '@angular/compiler'
import { HttpClient, HttpErrorResponse, provideHttpClient, withFetch, withInterceptors } from '@angular/common/http'
import {
  createEnvironmentInjector,
  type EnvironmentInjector,
  type EnvironmentProviders,
  PLATFORM_ID,
  type Provider,
  provideZonelessChangeDetection,
  runInInjectionContext,
  ɵINJECTOR_SCOPE as INJECTOR_SCOPE,
} from '@angular/core'
import { firstValueFrom } from 'rxjs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DestroyedError, isSessionExpiredError, TokenManager, type SessionSnapshot } from '../../src'
import {
  injectSession,
  injectSessionEvents,
  injectTokenManager,
  provideTokenKeeper,
  sessionEvents,
  TOKEN_MANAGER,
  tokenKeeperInterceptor,
} from '../../src/angular'
import { ALICE, API, APP, createContractServer, FOREIGN } from '../helpers/contract-server'

const ROOT = { provide: INJECTOR_SCOPE, useValue: 'root' }

function injectorWith(...providers: (Provider | EnvironmentProviders)[]): EnvironmentInjector {
  return createEnvironmentInjector([ROOT, provideZonelessChangeDetection(), ...providers], null as unknown as EnvironmentInjector)
}

/** An app with provideTokenKeeper(tm) and HttpClient (fetch backend → the contract server). */
function app() {
  const server = createContractServer()
  vi.stubGlobal('fetch', server.fetch)
  const tm = new TokenManager({ baseUrl: APP, authorizedOrigins: [APP, API], fetch: server.fetch, crossTab: false })
  const injector = injectorWith(provideTokenKeeper(tm), provideHttpClient(withFetch(), withInterceptors([tokenKeeperInterceptor])))
  return { server, tm, injector, http: injector.get(HttpClient) }
}

const reason = async (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

describe('contract: tokenkeeper/angular', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] }))
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('provideTokenKeeper(tm): injectTokenManager() and TOKEN_MANAGER are that manager; it is not started nor destroyed', async () => {
    const { server, tm, injector } = app()
    expect(runInInjectionContext(injector, () => injectTokenManager())).toBe(tm)
    expect(injector.get(TOKEN_MANAGER)).toBe(tm)
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.sent).toHaveLength(0)
    injector.destroy()
    await tm.login(ALICE)
    expect(tm.getSnapshot().status).toBe('active')
    tm.destroy()
  })

  it('provideTokenKeeper(options): a TokenManager made on first injection, started, destroyed with its injector', async () => {
    const server = createContractServer()
    const injector = injectorWith(provideTokenKeeper({ baseUrl: APP, fetch: server.fetch, crossTab: false }))
    expect(server.sent).toHaveLength(0)
    const tm = runInInjectionContext(injector, () => injectTokenManager())
    expect(tm).toBeInstanceOf(TokenManager)
    expect(injector.get(TOKEN_MANAGER)).toBe(tm)
    await vi.advanceTimersByTimeAsync(0)
    expect(server.refreshes()).toBe(1) // start(): one refresh call to resume from the cookie
    await vi.advanceTimersByTimeAsync(500)
    expect(tm.getSnapshot().status).toBe('signedOut')
    await tm.login(ALICE)
    injector.destroy()
    expect(await reason(tm.fetch(`${APP}/api/me`))).toBeInstanceOf(DestroyedError)
  })

  it('provideTokenKeeper(factory): called once, on first injection; the manager is the caller’s', async () => {
    const server = createContractServer()
    const made: TokenManager[] = []
    const factory = () => {
      const tm = new TokenManager({ baseUrl: APP, fetch: server.fetch, crossTab: false })
      made.push(tm)
      return tm
    }
    const injector = injectorWith(provideTokenKeeper(factory))
    expect(made).toHaveLength(0)
    const a = injector.get(TOKEN_MANAGER)
    const b = runInInjectionContext(injector, () => injectTokenManager())
    expect(made).toEqual([a])
    expect(b).toBe(a)
    injector.destroy()
    await made[0]!.login(ALICE)
    expect(made[0]!.getSnapshot().status).toBe('active')
    made[0]!.destroy()
  })

  it('provideTokenKeeper(anything else) is a TypeError', () => {
    const attempt = (value: unknown) => () => {
      const injector = injectorWith(provideTokenKeeper(value as never))
      injector.get(TOKEN_MANAGER)
    }
    expect(attempt(42)).toThrow(TypeError)
    expect(attempt('http://app.test')).toThrow(TypeError)
    expect(attempt(null)).toThrow(TypeError)
  })

  it('a server platform does not start a manager made from options', async () => {
    const server = createContractServer()
    const injector = injectorWith({ provide: PLATFORM_ID, useValue: 'server' }, provideTokenKeeper({ baseUrl: APP, fetch: server.fetch, crossTab: false }))
    const tm = injector.get(TOKEN_MANAGER)
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.sent).toHaveLength(0)
    expect(tm.getSnapshot().status).toBe('unknown')
    injector.destroy()
  })

  it('the interceptor adds the Bearer through HttpClient to allow-listed origins only; an own Authorization is kept', async () => {
    const { server, tm, http, injector } = app()
    await tm.login(ALICE)
    expect(await firstValueFrom(http.get(`${APP}/api/me`))).toEqual({ sub: 'alice', path: '/api/me' })
    await firstValueFrom(http.get(`${API}/orders`))
    await firstValueFrom(http.get(`${FOREIGN}/orders`))
    expect(server.bearers('/api/me')).toEqual([`Bearer ${(await tm.getAccessToken())!}`])
    expect(server.bearers('/orders')).toEqual([expect.stringMatching(/^Bearer ey/), null])
    const own = await reason(firstValueFrom(http.get(`${APP}/api/own`, { headers: { Authorization: 'Basic abc' } })))
    expect((own as HttpErrorResponse).status).toBe(401)
    expect(server.bearers('/api/own')).toEqual(['Basic abc'])
    expect(server.refreshes()).toBe(0)
    injector.destroy()
    tm.destroy()
  })

  it('signed out: requests go without Authorization', async () => {
    const { server, tm, http, injector } = app()
    await tm.start()
    await firstValueFrom(http.get(`${FOREIGN}/public`))
    await reason(firstValueFrom(http.get(`${APP}/api/public`)))
    expect(server.bearers('/api/public')).toEqual([null])
    injector.destroy()
    tm.destroy()
  })

  it('10 concurrent requests that all get 401: one refresh, each replayed once', async () => {
    const { server, tm, http, injector } = app()
    await tm.login(ALICE)
    server.revokeAccessToken()
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => firstValueFrom(http.get<{ sub: string }>(`${APP}/api/me`, { headers: { 'x-request-id': String(i) } }))),
    )
    expect(replies.every((r) => r.sub === 'alice')).toBe(true)
    expect(server.refreshes()).toBe(1)
    const sent = server.to('/api/me')
    expect(sent).toHaveLength(20)
    for (let i = 0; i < 10; i++) {
      const mine = sent.filter((r) => r.headers.get('x-request-id') === String(i)).map((r) => r.headers.get('authorization'))
      expect(mine).toHaveLength(2)
      expect(mine[0]).not.toBe(mine[1])
    }
    injector.destroy()
    tm.destroy()
  })

  it('a second 401 after the replay is the HttpErrorResponse (401), after one refresh: no loop', async () => {
    const { server, tm, http, injector } = app()
    await tm.login(ALICE)
    const error = await reason(firstValueFrom(http.get(`${APP}/always401`)))
    expect(error).toBeInstanceOf(HttpErrorResponse)
    expect((error as HttpErrorResponse).status).toBe(401)
    expect(server.to('/always401')).toHaveLength(2)
    expect(server.refreshes()).toBe(1)
    expect(tm.getSnapshot().status).toBe('active')
    injector.destroy()
    tm.destroy()
  })

  it('requests wait while a refresh runs', async () => {
    const { server, tm, http, injector } = app()
    await tm.login(ALICE)
    const release = server.holdRefresh()
    const refreshed = tm.refresh()
    await vi.advanceTimersByTimeAsync(0)
    const reply = firstValueFrom(http.get(`${APP}/api/me`))
    await vi.advanceTimersByTimeAsync(100)
    expect(server.to('/api/me')).toHaveLength(0)
    release()
    const token = await refreshed
    await reply
    expect(server.bearers('/api/me')).toEqual([`Bearer ${token}`])
    injector.destroy()
    tm.destroy()
  })

  it('SessionExpiredError when the refresh ends the session', async () => {
    const { server, tm, http, injector } = app()
    await tm.login(ALICE)
    server.revokeAccessToken()
    server.rejectRefresh()
    const error = await reason(firstValueFrom(http.get(`${APP}/api/me`)))
    expect(isSessionExpiredError(error)).toBe(true)
    expect(tm.getSnapshot().status).toBe('expired')
    injector.destroy()
    tm.destroy()
  })

  it('injectSession() is a signal of the snapshot (status, claims) that follows login and logout', async () => {
    const { tm, injector } = app()
    const session = runInInjectionContext(injector, () => injectSession<{ sub: string; name: string }>())
    expect(session()).toBe(tm.getSnapshot())
    await tm.login(ALICE)
    expect(session().status).toBe('active')
    expect(session().claims).toMatchObject({ sub: 'alice', name: 'Alice' })
    await tm.logout()
    expect(session().status).toBe('signedOut')
    expect(session().claims).toBeNull()
    injector.destroy()
    tm.destroy()
  })

  it('injectSessionEvents(name) and sessionEvents(tm, name) are observables of one event type; unsubscribing stops them', async () => {
    const { server, tm, injector } = app()
    const expired: unknown[] = []
    const signedIn: unknown[] = []
    const a = runInInjectionContext(injector, () => injectSessionEvents('sessionExpired')).subscribe((e) => expired.push(e))
    const b = sessionEvents(tm, 'signedIn').subscribe((e) => signedIn.push(e))
    await tm.login(ALICE)
    expect(signedIn).toHaveLength(1)
    expect(signedIn[0]).toMatchObject({ claims: { sub: 'alice' } })
    expect(expired).toEqual([])
    server.rejectRefresh()
    await reason(tm.refresh())
    expect(expired).toEqual([{ reason: 'refresh_rejected' }])
    a.unsubscribe()
    b.unsubscribe()
    await tm.login(ALICE)
    expect(signedIn).toHaveLength(1)
    injector.destroy()
    tm.destroy()
  })

  it('the session signal of a manager made from options follows its session', async () => {
    const server = createContractServer()
    const injector = injectorWith(provideTokenKeeper({ baseUrl: APP, fetch: server.fetch, crossTab: false }))
    const { tm, session } = runInInjectionContext(injector, () => ({ tm: injectTokenManager(), session: injectSession() }))
    await vi.advanceTimersByTimeAsync(100)
    expect(session().status).toBe('signedOut')
    await tm.login(ALICE)
    expect((session() as SessionSnapshot).status).toBe('active')
    injector.destroy()
  })
})

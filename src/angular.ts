/**
 * Angular bindings: `import { provideTokenKeeper, tokenKeeperInterceptor, injectSession } from 'tokenkeeper/angular'`.
 *
 * Requires Angular 20, 21 or 22 (each tested) (`@angular/core`, `@angular/common` and `rxjs` are optional peer
 * dependencies of tokenkeeper). The bindings never start or destroy a manager the app passes; one
 * created from options by `provideTokenKeeper` is started and destroyed with its injector.
 *
 * @example
 * ```ts
 * bootstrapApplication(AppComponent, {
 *   providers: [provideTokenKeeper(tm), provideHttpClient(withFetch(), withInterceptors([tokenKeeperInterceptor]))],
 * })
 * ```
 *
 * @packageDocumentation
 * @module tokenkeeper/angular
 */
import { DestroyRef, InjectionToken, PLATFORM_ID, inject, makeEnvironmentProviders, signal, type EnvironmentProviders, type Signal } from '@angular/core'
// Type-only: @angular/common/http's module throws at import without @angular/compiler (Node,
// server rendering); an HttpErrorResponse is recognised by its shape instead.
import type { HttpEvent, HttpInterceptorFn } from '@angular/common/http'
import { Observable, catchError, from, of, switchMap, tap, throwError } from 'rxjs'
// The package itself (external in the build, see tsup.config.ts): this entry must not carry a
// second copy of the core, whose error classes would not be the ones `tokenkeeper` exports.
import { TokenManager, type SessionSnapshot, type TokenManagerEventName, type TokenManagerEvents, type TokenManagerOptions } from 'tokenkeeper'
import { pageBase } from './http/authorized-fetch'
import { requestFlow } from './http/request-flow'

/** The default claims type, as in `TokenManager`. */
type DefaultClaims = Record<string, unknown>

/** The injection token under which {@link provideTokenKeeper} provides the manager. */
export const TOKEN_MANAGER = new InjectionToken<TokenManager<object>>('tokenkeeper')

/**
 * Provides the app's manager to the environment injector (`bootstrapApplication` providers, a
 * route's `providers`). Pass one of:
 *
 * - the manager: used as is; the app starts and destroys it (as with every other binding);
 * - a factory that creates it on first injection (it runs once, in an injection context); the
 *   app starts and destroys what it returns;
 * - `TokenManagerOptions`: the manager is created on first injection, started then (not awaited:
 *   a failed start leaves the status `signedOut`; `tm.start()` again retries), except where
 *   `PLATFORM_ID` is `'server'`, and destroyed with the injector.
 *
 * @throws TypeError for anything else.
 * @example
 * ```ts
 * providers: [provideTokenKeeper({ baseUrl: 'https://app.example.com', authorizedOrigins: ['https://api.example.com'] })]
 * ```
 */
export function provideTokenKeeper<Claims extends object>(
  manager: TokenManager<Claims> | (() => TokenManager<Claims>) | TokenManagerOptions,
): EnvironmentProviders {
  // Anything but an object or a function (null, a string...).
  if (Object(manager) !== manager) throw new TypeError(EXPECTED)
  const create = (): TokenManager<object> => {
    if (typeof manager === 'function') return manager()
    if (isManager(manager)) return manager
    const tm = new TokenManager(manager)
    inject(DestroyRef).onDestroy(() => tm.destroy())
    if (inject(PLATFORM_ID, { optional: true }) !== 'server') tm.start().catch(() => undefined)
    return tm
  }
  return makeEnvironmentProviders([{ provide: TOKEN_MANAGER, useFactory: create }])
}

const EXPECTED = 'tokenkeeper/angular: provideTokenKeeper takes a TokenManager, a function returning one, or TokenManagerOptions'
// The core's own marker (src/http/request-flow.ts): true for a manager from either build (ESM, CJS).
const isManager = (value: object): value is TokenManager<object> => Symbol.for('tokenkeeper.requestFlow') in value

/** The provided manager (call in an injection context). @throws NullInjectorError when none is provided. */
export function injectTokenManager<Claims extends object = DefaultClaims>(): TokenManager<Claims> {
  return inject(TOKEN_MANAGER) as TokenManager<Claims>
}

/** The `status` of an `HttpResponse`, `HttpHeaderResponse` or `HttpErrorResponse`, recognised by shape. */
const statusOf = (event: unknown): unknown => (event as { status?: unknown } | null)?.status

/**
 * A functional interceptor with the request flow of `tm.fetch`, for `withInterceptors([...])`:
 * the Bearer only for the manager's `authorizedOrigins` (a request with its own `Authorization`
 * header keeps it), the request waits while a refresh runs, and a 401 on a request that carried
 * the Bearer asks the manager once for a newer token (one refresh shared by every request and
 * tab) and replays once; a second 401 is the `HttpErrorResponse` as is (and, as with `tm.fetch`,
 * later 401s with a token whose replay got one come back without a refresh). When the session
 * ends the request errors with `SessionExpiredError`. A token already valid in memory is sent in
 * the same tick (`HttpTestingController.expectOne` right after `subscribe`).
 */
export const tokenKeeperInterceptor: HttpInterceptorFn = (req, next) => {
  const flow = requestFlow(inject(TOKEN_MANAGER))
  let url: URL
  try {
    url = new URL(req.urlWithParams, pageBase())
  } catch {
    return next(req)
  }
  if (!flow.isAuthorized(url) || req.headers.has('authorization')) return next(req)
  // What each response (or HttpErrorResponse) says of the token, for the flow's doubted-token rule.
  const send = (token: string | null, replay?: boolean) => {
    const answered = (event: unknown) => {
      const status = statusOf(event)
      // 0: no answer (a network error) says nothing of the token.
      if (typeof status === 'number' && status > 0) flow.answered(token, status, replay)
    }
    return next(token === null ? req : req.clone({ setHeaders: { authorization: `Bearer ${token}` } })).pipe(
      tap<HttpEvent<unknown>>({ next: answered, error: answered }),
    )
  }
  // A token already known valid goes out in the same tick (HttpTestingController's expectOne
  // right after subscribe finds the request); otherwise the request waits for one.
  const known = flow.peekToken()
  return (known === undefined ? from(flow.getToken()) : of(known)).pipe(
    switchMap((token) =>
      send(token).pipe(
        catchError((error: unknown) =>
          statusOf(error) === 401
            ? from(flow.recover(token)).pipe(switchMap((fresh) => (fresh === null || fresh === token ? throwError(() => error) : send(fresh, true))))
            : throwError(() => error),
        ),
      ),
    ),
  )
}

/**
 * The session as a signal (`session().status`, `session().claims`), updated through
 * `tm.subscribe` until the calling injection context (component, service) is destroyed. Call it
 * in an injection context; `tm` defaults to the provided manager.
 *
 * @example
 * ```ts
 * readonly session = injectSession()
 * readonly signedIn = computed(() => this.session().status === 'active')
 * ```
 */
export function injectSession<Claims extends object = DefaultClaims>(tm: TokenManager<Claims> = injectTokenManager<Claims>()): Signal<SessionSnapshot<Claims>> {
  const snapshot = signal(tm.getSnapshot())
  inject(DestroyRef).onDestroy(tm.subscribe(() => snapshot.set(tm.getSnapshot())))
  return snapshot.asReadonly()
}

/**
 * The manager's `name` events as an observable: each subscription adds one listener, removed on
 * unsubscribe (`takeUntilDestroyed()`, the `async` pipe).
 *
 * @example
 * ```ts
 * sessionEvents(tm, 'sessionExpired').pipe(takeUntilDestroyed()).subscribe(({ reason }) => showLoginModal(reason))
 * ```
 */
export function sessionEvents<Claims extends object, K extends TokenManagerEventName>(
  tm: TokenManager<Claims>,
  name: K,
): Observable<TokenManagerEvents<Claims>[K]> {
  return new Observable((subscriber) => tm.on(name, (payload) => subscriber.next(payload)))
}

/**
 * {@link sessionEvents} of the provided manager (call in an injection context): each subscription
 * adds one listener, removed on unsubscribe.
 *
 * @example
 * ```ts
 * readonly expired$ = injectSessionEvents('sessionExpired')
 * ```
 */
export function injectSessionEvents<K extends TokenManagerEventName, Claims extends object = DefaultClaims>(
  name: K,
): Observable<TokenManagerEvents<Claims>[K]> {
  return sessionEvents(injectTokenManager<Claims>(), name)
}

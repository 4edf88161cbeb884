import { delay, http, HttpResponse, type HttpHandler } from 'msw'
import { randomToken } from './base64url'
import { JwtSigner } from './jwt'
import { createControls } from './controls'
import { emptyCounters, noFaults, recordConsumed } from './faults'
import { corsHeaders, createOriginPolicy, originRefused, preflight } from './origins'
import { DEMO_USERS, type MockBackendOptions, type MockStore, type Session } from './model'
import { parseUserAgent } from './user-agent'
import { presentedRefreshToken, refreshCookieHeaders, sessionView } from './wire'

/**
 * The mock auth backend (`tokenkeeper/testing`): msw handlers over an in-memory store, used by
 * apps' tests, this project's unit tests (through `getResponse`), msw in the browser and the
 * Node demo server. Refresh tokens rotate on every use; presenting a rotated one is reuse and
 * revokes the whole family (RFC 9700 §4.14). Its fault controls and counters are in ./controls.
 */

export type { ConsumedFault, Counters, Faults, QueuedFault, RefreshFault } from './faults'
export { CSRF_HEADER, DEMO_USERS, REFRESH_COOKIE } from './model'
export type { MockBackendOptions, MockUser } from './model'
export type { Device } from './user-agent'

/**
 * A fresh mock auth backend with its own in-memory sessions: msw handlers for `/auth/*` and
 * `/api/*` under `origin` (for `setupServer`, `setupWorker`, `createMockFetch` or `listen()`),
 * and the fault controls and counters a test drives it with.
 */
export function createMockBackend(options: MockBackendOptions = {}) {
  const origin = options.origin ?? 'http://localhost'
  const realNow = options.now ?? (() => Date.now())
  const users = options.users ?? DEMO_USERS
  const signer = new JwtSigner(randomToken())
  const store: MockStore = {
    sessions: new Map(),
    byToken: new Map(),
    failedLogins: new Map(),
    counters: emptyCounters(),
    faults: noFaults(),
    accessTokenLifetime: options.accessTokenLifetime ?? 30,
  }
  const { sessions, byToken, failedLogins } = store
  const refreshTokenLifetime = options.refreshTokenLifetime ?? 7 * 24 * 3600
  const maxSessions = options.maxSessionsPerUser ?? 10
  const originPolicy = createOriginPolicy(origin, options.allowedOrigins)
  // The server's clock may be skewed on purpose to show that the SDK does not care.
  const serverNow = () => realNow() + store.faults.clockOffset

  const url = (path: string) => new URL(path, origin).href
  const cookieHeaders = (value: string, maxAge: number) => refreshCookieHeaders(value, maxAge, options)

  function count(response: Response): Response {
    store.counters.statuses[response.status] = (store.counters.statuses[response.status] ?? 0) + 1
    return response
  }

  const csrf = options.requireCsrfHeader === false ? false : (options.csrfHeader ?? { name: 'X-TokenKeeper', value: '1' })
  if (csrf !== false && (typeof csrf.name !== 'string' || csrf.name === '' || typeof csrf.value !== 'string'))
    throw new TypeError('csrfHeader: expected false or { name, value } strings')

  /** The Origin check is in `guard`; this is the header half of the CSRF defence. */
  function csrfOk(request: Request): boolean {
    return csrf === false || request.headers.get(csrf.name) === csrf.value
  }

  const csrfMessage = csrf && `Missing the ${csrf.name}: ${csrf.value} header (CSRF defence)`
  const csrfRefused = () => count(HttpResponse.json({ error: 'csrf', message: csrfMessage }, { status: 403 }))

  type Resolver = (info: { request: Request; params: Record<string, string | readonly string[] | undefined> }) => Promise<Response>

  /**
   * Every /auth/* and /api/* route: refuses an Origin that is not allowed, then marks the
   * reply `no-store` (so the browser cache never serialises or replays auth/API replies) and
   * adds CORS headers for an allowed cross-origin caller.
   */
  const guard =
    (resolver: Resolver): Resolver =>
    async (info) => {
      const from = info.request.headers.get('origin')
      const response = from !== null && !originPolicy.allows(from) ? count(originRefused(from)) : await resolver(info)
      if (response.type === 'error') return response
      response.headers.set('cache-control', 'no-store')
      if (from !== null && !originPolicy.isOwn(from)) for (const [name, value] of Object.entries(corsHeaders(from))) response.headers.set(name, value)
      return response
    }

  async function issueAccessToken(session: Session): Promise<{ accessToken: string; expiresIn: number }> {
    const user = users.find((u) => u.username === session.username)!
    const iat = Math.floor(serverNow() / 1000)
    const accessToken = signer.sign({
      sub: session.username,
      sid: session.id,
      name: user.name,
      roles: user.roles,
      iat,
      exp: iat + store.accessTokenLifetime,
      auth_time: Math.floor((session.createdAt + store.faults.clockOffset) / 1000),
      gen: session.generation,
      // Unique per issue: two refreshes within one second must not mint the same token.
      jti: randomToken(9),
    })
    return { accessToken, expiresIn: store.accessTokenLifetime }
  }

  function rotate(session: Session): string {
    const next = randomToken()
    session.previous.set(session.current, realNow())
    byToken.set(next, session)
    session.current = next
    return next
  }

  function revoke(session: Session): void {
    session.revoked = true
    sessions.delete(session.id)
  }

  async function tokenReply(session: Session, refreshToken: string, status = 200): Promise<Response> {
    const body: Record<string, unknown> = { ...(await issueAccessToken(session)), tokenType: 'Bearer' }
    if (options.bodyTransport) body.refreshToken = refreshToken
    return HttpResponse.json(body, {
      status,
      headers: cookieHeaders(refreshToken, refreshTokenLifetime),
    })
  }

  function unauthorized(error: string, clearCookie = false): Response {
    return HttpResponse.json({ error }, { status: 401, headers: clearCookie ? cookieHeaders('', 0) : {} })
  }

  /** A live session's rotated-away token, outside the grace window: presenting it is reuse. */
  function isReuse(token: string): boolean {
    const session = byToken.get(token)
    return !!session && !session.revoked && session.expiresAt > realNow() && token !== session.current && !withinGrace(session, token)
  }

  function withinGrace(session: Session, token: string): boolean {
    return store.faults.reuseGrace > 0 && realNow() - (session.previous.get(token) ?? 0) <= store.faults.reuseGrace
  }

  /** Rotation with reuse detection: the heart of the mock. */
  async function redeem(token: string | null): Promise<Response> {
    if (!token) return unauthorized('no_refresh_token')
    const session = byToken.get(token)
    if (!session || session.revoked || session.expiresAt <= realNow()) return unauthorized('invalid_refresh_token', true)
    if (token !== session.current) {
      if (withinGrace(session, token)) {
        // Lenient rotation (Okta/Auth0 style): a recent predecessor gets the current token.
        session.lastActiveAt = realNow()
        return tokenReply(session, session.current)
      }
      store.counters.reuseDetections++
      revoke(session)
      return unauthorized('refresh_token_reused', true)
    }
    session.lastActiveAt = realNow()
    store.counters.refreshSuccesses++
    return tokenReply(session, rotate(session))
  }

  async function authenticate(request: Request): Promise<Session | null> {
    const header = request.headers.get('authorization') ?? ''
    if (!header.startsWith('Bearer ')) return null
    const claims = signer.verify(header.slice(7))
    if (!claims || typeof claims.exp !== 'number' || typeof claims.sid !== 'string') return null
    if (claims.exp * 1000 <= serverNow()) return null
    const session = sessions.get(claims.sid)
    if (!session || session.revoked) return null
    if (claims.gen !== session.generation) return null
    session.lastActiveAt = realNow()
    return session
  }

  const withLatency = async () => {
    if (store.faults.latency > 0) await delay(store.faults.latency)
  }

  const preflightFor = ({ request }: { request: Request }) => {
    const from = request.headers.get('origin')
    // A refused origin passes the preflight too, so its request reaches the 403 that says why.
    return preflight(from, csrf === false ? undefined : csrf.name)
  }

  const handlers: HttpHandler[] = [
    http.options(url('/auth/*'), preflightFor),
    http.options(url('/api/*'), preflightFor),
    http.post(
      url('/auth/login'),
      guard(async ({ request }) => {
        await withLatency()
        store.counters.loginCalls++
        let body: { username?: unknown; password?: unknown }
        try {
          body = (await request.json()) as typeof body
        } catch {
          return count(HttpResponse.json({ error: 'invalid_request' }, { status: 400 }))
        }
        const username = String(body.username ?? '')
        const limit = failedLogins.get(username)
        if (limit && limit.until > realNow()) {
          const retryAfter = Math.ceil((limit.until - realNow()) / 1000)
          return count(HttpResponse.json({ error: 'rate_limited', retryAfter }, { status: 429, headers: { 'retry-after': String(retryAfter) } }))
        }
        const user = users.find((u) => u.username === username && u.password === body.password)
        if (!user) {
          const failures = (limit?.count ?? 0) + 1
          // Five wrong passwords in a row lock the name for 30 s.
          failedLogins.set(username, { count: failures, until: failures >= 5 ? realNow() + 30_000 : 0 })
          return count(HttpResponse.json({ error: 'invalid_credentials' }, { status: 401 }))
        }
        failedLogins.delete(username)
        const ua = parseUserAgent(request.headers.get('user-agent'))
        const session: Session = {
          id: randomToken(9),
          username,
          createdAt: realNow(),
          lastActiveAt: realNow(),
          expiresAt: realNow() + refreshTokenLifetime * 1000,
          current: randomToken(),
          previous: new Map(),
          revoked: false,
          ...ua,
          ip: request.headers.get('x-forwarded-for') ?? '127.0.0.1',
          generation: 0,
        }
        sessions.set(session.id, session)
        byToken.set(session.current, session)
        const mine = [...sessions.values()].filter((s) => s.username === username).sort((a, b) => a.createdAt - b.createdAt)
        while (mine.length > maxSessions) revoke(mine.shift()!)
        return count(await tokenReply(session, session.current))
      }),
    ),

    http.post(
      url('/auth/refresh'),
      guard(async ({ request }) => {
        await withLatency()
        store.counters.refreshCalls++
        if (!csrfOk(request)) {
          // A rotated-away token is reuse whoever presents it (a thief need not send our header):
          // the family is revoked all the same. Anything else without the header is refused.
          const token = await presentedRefreshToken(request)
          return token !== null && isReuse(token) ? count(await redeem(token)) : csrfRefused()
        }
        const fault = store.faults.refreshFailures.shift()
        if (fault) {
          const taker = byToken.get((await presentedRefreshToken(request)) ?? '')
          recordConsumed(store.faults, fault, request, taker ? { sessionId: taker.id, username: taker.username } : null, realNow())
          switch (fault.kind) {
            case 'network':
              return HttpResponse.error()
            case 'lost':
              await redeem(await presentedRefreshToken(request))
              return HttpResponse.error()
            case 'html':
              return count(new HttpResponse('<!doctype html><title>Login</title>', { status: 200, headers: { 'content-type': 'text/html' } }))
            case 'empty':
              return count(new HttpResponse('', { status: 200 }))
            case 401:
              return count(unauthorized('revoked', true))
            default:
              return count(
                HttpResponse.json(
                  { error: 'fault' },
                  { status: fault.kind, headers: fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {} },
                ),
              )
          }
        }
        return count(await redeem(await presentedRefreshToken(request)))
      }),
    ),

    http.post(
      url('/auth/logout'),
      guard(async ({ request }) => {
        await withLatency()
        store.counters.logoutCalls++
        if (!csrfOk(request)) return csrfRefused()
        const token = await presentedRefreshToken(request)
        const session = token ? byToken.get(token) : undefined
        let everywhere = false
        try {
          everywhere = ((await request.clone().json()) as { everywhere?: unknown }).everywhere === true
        } catch {
          // No body: plain logout.
        }
        if (session) {
          const targets = everywhere ? [...sessions.values()].filter((s) => s.username === session.username) : [session]
          targets.forEach(revoke)
          revoke(session)
        }
        return count(new HttpResponse(null, { status: 204, headers: cookieHeaders('', 0) }))
      }),
    ),

    http.get(
      url('/api/me'),
      guard(async ({ request }) => {
        await withLatency()
        store.counters.apiCalls++
        const session = await authenticate(request)
        if (!session) return count(unauthorized('invalid_token'))
        const user = users.find((u) => u.username === session.username)!
        return count(HttpResponse.json({ username: user.username, name: user.name, roles: user.roles, sessionId: session.id }))
      }),
    ),

    http.get(
      url('/api/admin'),
      guard(async ({ request }) => {
        store.counters.apiCalls++
        const session = await authenticate(request)
        if (!session) return count(unauthorized('invalid_token'))
        const user = users.find((u) => u.username === session.username)!
        if (!user.roles.includes('admin')) return count(HttpResponse.json({ error: 'forbidden' }, { status: 403 }))
        return count(HttpResponse.json({ secret: 'the admin area' }))
      }),
    ),

    http.get(
      url('/auth/sessions'),
      guard(async ({ request }) => {
        await withLatency()
        const session = await authenticate(request)
        if (!session) return count(unauthorized('invalid_token'))
        const mine = [...sessions.values()].filter((s) => s.username === session.username && !s.revoked)
        mine.sort((a, b) => b.lastActiveAt - a.lastActiveAt)
        return count(HttpResponse.json({ sessions: mine.map((s) => sessionView(s, session.id)) }))
      }),
    ),

    http.post(
      url('/auth/sessions/revoke-others'),
      guard(async ({ request }) => {
        await withLatency()
        if (!csrfOk(request)) return csrfRefused()
        const session = await authenticate(request)
        if (!session) return count(unauthorized('invalid_token'))
        const others = [...sessions.values()].filter((s) => s.username === session.username && s.id !== session.id)
        others.forEach(revoke)
        return count(HttpResponse.json({ revoked: others.length }))
      }),
    ),

    http.delete(
      url('/auth/sessions/:id'),
      guard(async ({ request, params }) => {
        await withLatency()
        if (!csrfOk(request)) return csrfRefused()
        const session = await authenticate(request)
        if (!session) return count(unauthorized('invalid_token'))
        const target = sessions.get(String(params.id))
        if (!target || target.username !== session.username) return count(HttpResponse.json({ error: 'not_found' }, { status: 404 }))
        revoke(target)
        return count(new HttpResponse(null, { status: 204 }))
      }),
    ),
  ]

  const controls = createControls({ store, options, signer, realNow, rotate, redeem, revoke })

  return {
    /**
     * The msw handlers: `POST /auth/login`, `/auth/refresh`, `/auth/logout`,
     * `/auth/sessions/revoke-others`, `GET /auth/sessions`, `DELETE /auth/sessions/:id`,
     * `GET /api/me`, `/api/admin`, and CORS preflights, all under `origin`.
     */
    handlers,
    /** What a test does to the server behind the SDK's back: faults, latency, clock skew, revocations; and the counters. */
    controls,
    /** The origin the handlers answer on (the `origin` option, `http://localhost` by default). */
    origin,
  }
}

/** What {@link createMockBackend} returns: its handlers, controls and origin. */
export type MockBackend = ReturnType<typeof createMockBackend>

import { getResponse } from 'msw'
import { vi } from 'vitest'
import {
  isInvalidTokenError,
  isRefreshError,
  isTokenKeeperError,
  type LockManagerLike,
  type SessionSnapshot,
  type TokenManager,
  type TokenManagerEvents,
} from '../../../src'
import { createBrowser, ORIGIN } from '../../helpers/browser'
import { createFakeEnvironment } from '../../helpers/environment'
import { createTabs } from '../../helpers/tabs'
import type { Command, ModelConfig, Scenario, User } from './commands'

/**
 * Runs one command sequence against K managers playing the tabs of one browser, over the mock
 * backend (rotation, reuse detection, revocation), and checks the invariants after every step.
 * Returns the violations instead of throwing, so the soak can count them.
 */

const PASSWORDS: Record<User, string> = { alice: 'wonderland', bob: 'builder' }
/** Let messages (5 ms per hop on the simulated channel) and microtasks settle after a step. */
const SETTLE = 60
/** Model slack for throttled activity (1 s per tab, 2 s across tabs) and second-precision claims. */
const SLACK = 3000
const MAX_TABS = 5
/** Every run starts at the same wall-clock time, so a seed replays exactly. */
const START = Date.UTC(2030, 0, 1)
const AUTH_TIMEOUT = 2000
const BASE_LATENCY = 10
const TAB_EVENTS = ['signedIn', 'tokenRefreshed', 'signedOut', 'sessionExpired', 'error', 'idleWarning'] as const

export interface RunResult {
  violations: string[]
  /** Open issues documented in RELIABILITY.md, observed but not failing the run. */
  known: string[]
  trace: string[]
  stats: { refreshCalls: number; requests: number; maxInFlightRefresh: number; steps: number }
}

interface Tab {
  id: number
  tm: TokenManager
  env: ReturnType<typeof createFakeEnvironment>
  alive: boolean
  holdsRefreshLock: boolean
  /** The browser cancels the tab's requests. */
  close: () => void
  expiredThisSession: number
  rejectionsAtSignIn: number
  signedInAt: number
  /**
   * Another tab held the session when this one opened: its `welcome` offers that session, and the
   * resume continues its idle clock even if that tab closes before the resume's reply (R38).
   */
  openedBesideSession: boolean
}

interface Op {
  label: string
  step: number
  settled: boolean
  tab: Tab
  /** For `tm.fetch`: a header value to find the request's attempts at the wire. */
  opId: string | null
}

/** Small deterministic PRNG for `Math.random`. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Everything an error, event payload or log entry says, as text, to look for token text in. */
export function textOf(value: unknown, depth = 0, seen = new Set<unknown>()): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value !== 'object' && typeof value !== 'function') return String(value)
  if (depth > 5 || seen.has(value)) return ''
  seen.add(value)
  const parts: string[] = []
  if (value instanceof Error) parts.push(value.name, value.message, value.stack ?? '', textOf(value.cause, depth + 1, seen))
  for (const key of Object.getOwnPropertyNames(value)) {
    try {
      parts.push(key, textOf((value as Record<string, unknown>)[key], depth + 1, seen))
    } catch {
      // a throwing getter says nothing
    }
  }
  return parts.join('\n')
}

/** Every 12-character window of the secrets seen on the wire: any of them in a text is a leak. */
export class SecretWindows {
  private readonly windows = new Set<string>()
  static readonly SIZE = 12

  add(secret: string): void {
    // A JWT's header is the same public constant for every token; its payload and signature are the token.
    const parts = secret.split('.')
    const sensitive = parts.length === 3 ? `${parts[1]}.${parts[2]}` : secret
    for (let i = 0; i + SecretWindows.SIZE <= sensitive.length; i++) this.windows.add(sensitive.slice(i, i + SecretWindows.SIZE))
  }

  find(text: string): string | null {
    for (let i = 0; i + SecretWindows.SIZE <= text.length; i++) {
      const slice = text.slice(i, i + SecretWindows.SIZE)
      if (this.windows.has(slice)) return slice
    }
    return null
  }
}

/** Another device of the same user, straight against the backend, with its own cookie jar. */
function deviceFetch(backend: ReturnType<typeof createBrowser>['backend']) {
  const jar = new Map<string, string>()
  return async (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) => {
    const request = new Request(new URL(path, ORIGIN), { ...init, headers: { 'x-tokenkeeper': '1', ...init.headers } })
    if (jar.size > 0) request.headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    const response = (await getResponse(backend.handlers, request)) ?? new Response(null, { status: 404 })
    const header = response.headers.get('x-mock-set-cookie')
    if (header) {
      const [name, ...rest] = header.split(';')[0]!.split('=')
      jar.set(name!, rest.join('='))
    }
    return response
  }
}

export async function runScenario({ config, commands }: Scenario): Promise<RunResult> {
  vi.useFakeTimers({ now: START })
  const random = vi.spyOn(Math, 'random').mockImplementation(mulberry32(config.rngSeed))
  const violations: string[] = []
  const known: string[] = []
  const trace: string[] = []
  let step = -1
  const violation = (message: string) => {
    const line = `step ${step} @${Date.now() - START}ms: ${message}`
    if (!violations.includes(line)) violations.push(line)
    trace.push(`  !! ${message}`)
  }
  const note = (message: string) => trace.push(`  ${Date.now() - START}ms ${message}`)

  // ------------------------------------------------------------------ the model's view
  const model = {
    /** Nobody should hold a token: a logout, an expiry, or no sign-in yet. */
    expectSignedOut: !config.signedIn,
    sessionAlive: false,
    user: null as User | null,
    loginAt: 0,
    lastActivity: 0,
    logouts: 0,
    logoutTimes: [] as number[],
    /**
     * A login with good credentials failed on the client (a timeout): the server may hold its session.
     * (Since R29 a superseded login that the server accepted is logged out, so it leaves no cookie.)
     */
    orphanPossible: false,
    /** A logout and a late-adopted sign-in crossed (see R12): agreement is checked after the next login or logout. */
    crossed: false,
    /** Reuse detection is the test's doing: theft, or a refresh the client abandoned while the server rotated. */
    excuseReuse: false,
    reuseSeen: 0,
    pendingLogins: 0,
    logins: 0,
    loginJustResolved: false,
    /** When the model last saw the session end (delivery to the other tabs takes a few ms). */
    endedAt: 0,
  }
  const secrets = new SecretWindows()
  const refreshTokens = new Set<string>()
  /** Access token → the local time the client learned it expires (receipt + expiresIn). */
  const issued = new Map<string, number>()
  const net = { inFlightRefresh: 0, maxInFlightRefresh: 0, rejections: 0, requests: 0, refreshCalls: 0, abandoned: 0, logoutsSent: 0 }
  /** opId → statuses of the attempts of one `tm.fetch`. */
  const opStatuses = new Map<string, number[]>()

  const scan = (where: string, value: unknown) => {
    const found = secrets.find(textOf(value))
    if (found) violation(`${where} contains token text ("${found}")`)
  }

  // ------------------------------------------------------------------ the browser
  const browser = createBrowser({ bodyTransport: config.transport === 'body' })
  const { controls } = browser
  controls.setReuseGrace(config.reuseGrace)
  // A LAN-like round trip: no two replies land in the same millisecond, as on a real network.
  controls.setLatency(BASE_LATENCY)
  const inner = browser.fetch
  browser.fetch = async (input, init) => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const path = url.pathname
    const own = url.origin === ORIGIN
    net.requests++
    const auth = request.headers.get('authorization')
    if (auth && !own) violation(`Authorization sent to ${url.origin}`)
    if (auth?.startsWith('Bearer ')) {
      const expiresAt = issued.get(auth.slice(7))
      if (expiresAt !== undefined && Date.now() >= expiresAt)
        violation(`${request.method} ${path} carries a token the client knew expired ${Date.now() - expiresAt} ms ago`)
    }
    const isRefresh = own && path === '/auth/refresh'
    const isLogin = own && path === '/auth/login'
    const isAuthCall = own && (isRefresh || isLogin || path === '/auth/logout' || (path.startsWith('/auth/sessions') && request.method !== 'GET'))
    if (isAuthCall && request.headers.get('x-tokenkeeper') !== '1') violation(`${path} sent without the CSRF header`)
    if (isRefresh) {
      net.refreshCalls++
      net.inFlightRefresh++
      net.maxInFlightRefresh = Math.max(net.maxInFlightRefresh, net.inFlightRefresh)
      // With Web Locks or the channel mutex alike, any overlap is a violation.
      if (net.inFlightRefresh > 1) violation(`${net.inFlightRefresh} refresh requests in flight at once`)
    }
    if (own && path === '/auth/logout') net.logoutsSent++
    const opId = request.headers.get('x-model-op')
    let response: Response
    try {
      response = await inner(request)
    } catch (error) {
      // The client gave up on a refresh the server will still process: the rotation is lost to it.
      if (isRefresh && request.signal.aborted) {
        net.abandoned++
        model.excuseReuse = true
        note('a refresh request was abandoned (timeout or tab closed) while at the server')
      }
      throw error
    } finally {
      if (isRefresh) net.inFlightRefresh--
    }
    const receivedAt = Date.now()
    if (opId) opStatuses.set(opId, [...(opStatuses.get(opId) ?? []), response.status])
    if ((isRefresh || isLogin) && [400, 401, 403].includes(response.status)) {
      if (isRefresh) net.rejections++
      const reason = (
        (await response
          .clone()
          .json()
          .catch(() => ({}))) as { error?: string }
      ).error
      if (response.status === 403) violation(`${path} answered 403 (${reason})`)
      note(`${path} → ${response.status} ${reason ?? ''}`)
    }
    const setCookie = response.headers.get('x-mock-set-cookie')
    if (setCookie) {
      const value = setCookie.split(';')[0]!.split('=').slice(1).join('=')
      if (value) {
        secrets.add(value)
        refreshTokens.add(value)
      }
    }
    if ((isRefresh || isLogin) && response.status === 200) {
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { accessToken?: string; expiresIn?: number; refreshToken?: string } | null
      if (body?.accessToken) {
        secrets.add(body.accessToken)
        issued.set(body.accessToken, receivedAt + (body.expiresIn ?? 0) * 1000)
      }
      if (body?.refreshToken) {
        secrets.add(body.refreshToken)
        refreshTokens.add(body.refreshToken)
      }
      if (isRefresh) note(`/auth/refresh → 200`)
      if (isRefresh && model.expectSignedOut && net.logoutsSent > controls.counters.logoutCalls) {
        // The server has not processed our logout yet (slow, or timed out on the client): the cookie still works.
        // Since O5's fix the SDK must not resume from it: a tab that does is a violation below, not excused.
        note('a refresh reached the server before our logout did (the SDK must discard or refuse it)')
      }
    } else if (isRefresh && response.status !== 200) {
      note(`/auth/refresh → ${response.status}`)
    }
    return response
  }

  const world = createTabs({
    webLocks: config.webLocks,
    browser,
    tabOptions: {
      refreshTokenTransport: config.transport,
      timeout: AUTH_TIMEOUT,
      idleTimeout: config.idleTimeout,
      idleWarningTime: 30_000,
      maxSessionAge: config.maxSessionAge,
      logger: (entry) => {
        scan(`log entry ${entry.event}`, entry)
        if (process.env.MODEL_LOG) note(`log ${entry.event} ${JSON.stringify(entry.detail ?? {})}`)
      },
    },
  })
  const spy = world.rawChannel()
  const channelLog: { at: number; type: string }[] = []
  /** Leader fallback: a follower asked, nobody woke it, and its wait has just run out. */

  spy.addEventListener('message', (message: unknown) => {
    channelLog.push({ at: Date.now(), type: String((message as { type?: unknown } | null)?.type) })
    const text = JSON.stringify(message)
    for (const token of refreshTokens) if (text.includes(token)) violation('a refresh token crossed the BroadcastChannel')
  })

  const tabs: Tab[] = []
  const ops: Op[] = []
  let nextTabId = 0
  let nextOpId = 0
  const live = () => tabs.filter((t) => t.alive)
  const pick = (n: number) => {
    const alive = live()
    return alive.length === 0 ? null : alive[n % alive.length]!
  }
  const isSignedIn = (s: SessionSnapshot) => s.status === 'active' || s.status === 'refreshing'

  function onEvent<K extends keyof TokenManagerEvents>(tab: Tab, type: K, payload: TokenManagerEvents[K]) {
    scan(`"${type}" event`, payload)
    const p = payload as Record<string, unknown>
    note(`tab${tab.id} ${type} ${JSON.stringify({ ...p, claims: undefined, error: p.error ? (p.error as Error).name : undefined })}`)
    switch (type) {
      case 'signedIn':
        // A tab resuming when no other tab holds the session (all were closed) starts a new idle
        // period; one opened beside a session continues it (the rule `welcome.joinable` gives, R31),
        // even if the tabs that held it closed before the resume's reply (R38).
        if (!tab.openedBesideSession && !live().some((t) => t !== tab && isSignedIn(t.tm.getSnapshot())))
          model.lastActivity = Math.max(model.lastActivity, Date.now())
        tab.openedBesideSession = false
        tab.expiredThisSession = 0
        tab.rejectionsAtSignIn = net.rejections
        tab.signedInAt = Date.now()
        if (model.expectSignedOut && model.orphanPossible && model.pendingLogins === 0) {
          // The session of a login the client gave up on, resumed from its cookie: legitimate.
          note('model: a session left by a failed login was resumed')
          model.expectSignedOut = false
          model.sessionAlive = true
          const claims = (payload as TokenManagerEvents['signedIn']).claims
          model.user = (claims?.sub as User | undefined) ?? null
          // Max age counts from sign-in (auth_time), not from the resume.
          model.loginAt = typeof claims?.auth_time === 'number' ? claims.auth_time * 1000 : Date.now()
          model.lastActivity = Date.now()
        }
        break
      case 'sessionExpired': {
        const { reason } = payload as TokenManagerEvents['sessionExpired']
        if (++tab.expiredThisSession > 1) violation(`tab${tab.id}: a second sessionExpired in one session`)
        // Here or in the tab that told us: some refresh must have been rejected since this tab's sign-in.
        if (reason === 'refresh_rejected' && net.rejections === tab.rejectionsAtSignIn) {
          violation(`tab${tab.id}: session ended as refresh_rejected although the server rejected no refresh`)
        }
        const now = Date.now()
        if (reason === 'idle' && config.idleTimeout > 0 && model.sessionAlive && now < model.lastActivity + config.idleTimeout - SLACK) {
          violation(`tab${tab.id}: idle expiry ${model.lastActivity + config.idleTimeout - now} ms before the idle deadline`)
        }
        if (reason === 'max_age' && model.sessionAlive && now < model.loginAt + config.maxSessionAge - SLACK) {
          violation(`tab${tab.id}: max-age expiry ${model.loginAt + config.maxSessionAge - now} ms early`)
        }
        endModelSession()
        break
      }
      case 'signedOut':
        if ((payload as TokenManagerEvents['signedOut']).source === 'remote' && model.logoutTimes.every((t) => t < tab.signedInAt)) {
          // Every logout predates this tab's signedIn event. Since R12 (was O7) the tab that made a sign-in
          // ignores an older logout, so this is a tab that adopted a sign-in late, after a logout that
          // followed the sign-in at its origin: legitimate. Agreement is checked again after the next login or logout.
          note("model: a remote logout older than this tab's signedIn event (a sign-in adopted late)")
          model.crossed = true
        }
        // A logout issued just before this tab adopted a sign-in still reaches it afterwards (messages keep their order).
        if (!model.logoutTimes.some((t) => t >= tab.signedInAt - 100)) violation(`tab${tab.id}: signed out without any logout`)
        endModelSession()
        break
    }
  }

  function endModelSession() {
    if (!model.expectSignedOut) model.endedAt = Date.now()
    model.expectSignedOut = true
    model.sessionAlive = false
    model.loginJustResolved = false
  }

  function openTab(): Tab {
    const env = createFakeEnvironment()
    const id = nextTabId++
    const openedBesideSession = live().some((t) => isSignedIn(t.tm.getSnapshot()))
    const tab = { id, env, alive: true, holdsRefreshLock: false, expiredThisSession: 0, rejectionsAtSignIn: 0, signedInAt: 0, openedBesideSession } as Tab
    const base = world.locks.managerFor()
    // Knows which tab holds the refresh lock, so a tab dying mid-refresh frees only its own.
    const locks: LockManagerLike & { query(): Promise<{ held: { name: string }[] }> } = {
      request(name, options, callback) {
        return base.request(name, options, async (lock) => {
          const refreshLock = lock !== null && name.endsWith(':refresh')
          if (refreshLock) tab.holdsRefreshLock = true
          try {
            return await callback(lock)
          } finally {
            if (refreshLock) tab.holdsRefreshLock = false
          }
        })
      },
      query: () => base.query(),
    }
    // A closing tab's requests are cancelled by the browser: their replies (and cookies) never land.
    const closing = new AbortController()
    tab.close = () => closing.abort(new DOMException('The tab was closed', 'AbortError'))
    const fetch: typeof globalThis.fetch = (input, init) => {
      const request = new Request(input, init)
      return browser.fetch(new Request(request, { signal: AbortSignal.any([request.signal, closing.signal]) }))
    }
    const { tm } = world.open({ environment: env.environment, fetch, ...(config.webLocks && { locks }) })
    tab.tm = tm
    for (const type of TAB_EVENTS) tm.on(type, (payload) => onEvent(tab, type, payload as never))
    tabs.push(tab)
    note(`tab${id} opened`)
    return tab
  }

  function track(
    label: string,
    tab: Tab,
    promise: Promise<unknown>,
    opts: { opId?: string; kind?: 'fetch' | 'getToken' | 'login' | 'other'; goodCredentials?: boolean } = {},
  ) {
    const op: Op = { label: `tab${tab.id} ${label}`, step, settled: false, tab, opId: opts.opId ?? null }
    ops.push(op)
    promise.then(
      (value) => {
        op.settled = true
        if (opts.kind === 'login') onLogin(value as SessionSnapshot)
      },
      (error: unknown) => {
        op.settled = true
        const name = (error as { name?: string } | null)?.name
        if (opts.kind === 'login') {
          model.pendingLogins--
          if (opts.goodCredentials) model.orphanPossible = true
        }
        if (!isTokenKeeperError(error) && name !== 'AbortError' && name !== 'TimeoutError') {
          violation(`${op.label} rejected with an untyped ${name}: ${(error as Error)?.message}`)
          return
        }
        scan(`${op.label} rejection`, error)
        if ((opts.kind === 'fetch' || opts.kind === 'getToken') && (isRefreshError(error) || isInvalidTokenError(error)) && tab.alive) {
          const snapshot = tab.tm.getSnapshot()
          const got401 = op.opId !== null && (opStatuses.get(op.opId) ?? []).includes(401)
          if (isSignedIn(snapshot) && snapshot.expiresAt !== null && snapshot.expiresAt > Date.now() && !got401) {
            violation(`${op.label} failed with ${name} although its token is valid for ${snapshot.expiresAt - Date.now()} ms more`)
          }
        }
      },
    )
  }

  function onLogin(snapshot: SessionSnapshot) {
    model.pendingLogins--
    model.crossed = false
    model.logins++
    const user = snapshot.claims?.sub as User | undefined
    note(`login as ${user} resolved`)
    model.expectSignedOut = false
    model.sessionAlive = true
    model.user = user ?? null
    model.loginAt = Date.now()
    model.lastActivity = Date.now()
    model.loginJustResolved = true
  }

  // ------------------------------------------------------------------ invariants

  async function checkInvariants() {
    const now = Date.now()
    const counters = controls.counters
    if (counters.reuseDetections > model.reuseSeen) {
      if (!model.excuseReuse) violation('the SDK tripped reuse detection')
      model.reuseSeen = counters.reuseDetections
    }
    const alive = live()
    const withSession = alive.filter((t) => isSignedIn(t.tm.getSnapshot()))
    // Deadlines the model can predict: once passed, every tab must have ended the session.
    if (model.sessionAlive && withSession.length > 0) {
      if (config.idleTimeout > 0 && now >= model.lastActivity + config.idleTimeout + SLACK) {
        note('model: idle deadline passed')
        endModelSession()
      } else if (config.maxSessionAge > 0 && now >= model.loginAt + config.maxSessionAge + SLACK) {
        note('model: max session age passed')
        endModelSession()
      }
    }
    if (model.expectSignedOut && now - model.endedAt >= 20 && !model.crossed) {
      for (const tab of alive) {
        const snapshot = tab.tm.getSnapshot()
        if (isSignedIn(snapshot) || snapshot.expiresAt !== null) {
          violation(`tab${tab.id} is ${snapshot.status} with a token after the session ended`)
        } else if (snapshot.status !== 'unknown') {
          // Not awaited: it may wait for a refresh in flight, which needs time to pass. It must
          // settle by the end of the run, and give null unless a sign-in happened meanwhile.
          const logins = model.logins
          const probe = tab.tm.getAccessToken().then((token) => {
            if (token !== null && model.logins === logins && model.expectSignedOut)
              violation(`tab${tab.id}: getAccessToken() gave a token after the session ended`)
          })
          track('getAccessToken() [agreement probe]', tab, probe)
        }
      }
    } else if (model.loginJustResolved && model.pendingLogins === 0 && now - model.loginAt >= 20 && !model.crossed) {
      model.loginJustResolved = false
      for (const tab of alive) {
        const snapshot = tab.tm.getSnapshot()
        if (!isSignedIn(snapshot)) violation(`tab${tab.id} is ${snapshot.status} right after a login in this browser`)
      }
    }
    if (model.sessionAlive && model.pendingLogins === 0 && model.user && now - model.loginAt >= 20) {
      for (const tab of alive) {
        const sub = tab.tm.getSnapshot().claims?.sub
        if (isSignedIn(tab.tm.getSnapshot()) && sub !== model.user) {
          // With or without Web Locks, after a dropped login or not (O2, O3 closed): always a violation.
          violation(`tab${tab.id} holds ${sub}'s session although ${model.user} signed in last`)
        }
      }
    }
  }

  // ------------------------------------------------------------------ the commands

  async function remote(how: Extract<Command, { c: 'remote' }>['how']) {
    const saved = controls.faults.latency
    controls.setLatency(0)
    try {
      if (how === 'revokeAll') {
        controls.revokeAll()
        return
      }
      const device = deviceFetch(browser.backend)
      const login = await device('/auth/login', {
        method: 'POST',
        body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
        headers: { 'content-type': 'application/json' },
      })
      const { accessToken } = (await login.json()) as { accessToken: string }
      net.logoutsSent++ // the device's own logout below
      if (how === 'revokeOthers') {
        await device('/auth/sessions/revoke-others', { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } })
        await device('/auth/logout', { method: 'POST', body: JSON.stringify({ everywhere: false }), headers: { 'content-type': 'application/json' } })
      } else {
        await device('/auth/logout', { method: 'POST', body: JSON.stringify({ everywhere: true }), headers: { 'content-type': 'application/json' } })
      }
    } finally {
      controls.setLatency(saved)
    }
  }

  async function run(command: Command) {
    switch (command.c) {
      case 'request': {
        const tab = pick(command.tab)
        if (!tab) return
        for (let i = 0; i < command.n; i++) {
          const controller = command.abortAfter === null ? null : new AbortController()
          if (controller) setTimeout(() => controller.abort(), command.abortAfter!)
          const signal = controller?.signal
          if (command.target === 'sessions') {
            track('sessions.list()', tab, tab.tm.sessions.list(), { kind: 'other' })
            continue
          }
          const url = {
            api: `${ORIGIN}/api/me`,
            foreign: 'https://api.other.test/collect',
            lookalike: `${ORIGIN}.evil.test/api/me`,
          }[command.target]
          const opId = `op${nextOpId++}`
          track(`fetch ${command.target}`, tab, tab.tm.fetch(url, { headers: { 'x-model-op': opId }, ...(signal && { signal }) }), { opId, kind: 'fetch' })
        }
        return
      }
      case 'getToken': {
        const tab = pick(command.tab)
        if (tab) track('getAccessToken()', tab, tab.tm.getAccessToken(), { kind: 'getToken' })
        return
      }
      case 'refresh': {
        const tab = pick(command.tab)
        if (tab) track('refresh()', tab, tab.tm.refresh())
        return
      }
      case 'advance':
        await vi.advanceTimersByTimeAsync(command.ms)
        return
      case 'activity': {
        const tab = pick(command.tab)
        if (!tab) return
        const signedIn = isSignedIn(tab.tm.getSnapshot())
        // A key press: a deliberate action, which counts even while the idle prompt is up (a passive
        // move then does not, by design; the model does not track prompts, so it uses deliberate input).
        if (command.how === 'dom') tab.env.act('keydown')
        else tab.tm.touch()
        const now = Date.now()
        if (signedIn && model.sessionAlive && (config.idleTimeout === 0 || now < model.lastActivity + config.idleTimeout)) model.lastActivity = now
        return
      }
      case 'fault':
        controls.failNextRefreshes(command.n, command.kind, command.kind === 429 ? (command.retryAfter ?? undefined) : undefined)
        return
      case 'latency':
        controls.setLatency(Math.max(BASE_LATENCY, command.ms))
        return
      case 'open': {
        if (live().length >= MAX_TABS) return
        const tab = openTab()
        track('start()', tab, tab.tm.start())
        return
      }
      case 'close': {
        const tab = pick(command.tab)
        if (!tab) return
        if (command.midRefresh) {
          const saved = controls.faults.latency
          if (saved < 300) controls.setLatency(500)
          track('refresh() [closing]', tab, tab.tm.refresh())
          await vi.advanceTimersByTimeAsync(20)
          controls.setLatency(saved)
        }
        const holder = tab.holdsRefreshLock
        tab.tm.destroy()
        tab.close()
        tab.alive = false
        // The browser frees a dead tab's locks at once.
        if (holder) world.locks.releaseAll(`${world.channel}:refresh`)
        note(`tab${tab.id} closed${holder ? ' holding the refresh lock' : ''}`)
        if (tab.env.listenerCount !== 0) violation(`tab${tab.id}: ${tab.env.listenerCount} environment listeners left after destroy()`)
        return
      }
      case 'sleep':
        vi.setSystemTime(Date.now() + command.ms)
        for (const tab of live()) tab.env.wake(command.wake)
        return
      case 'wake': {
        const tab = pick(command.tab)
        if (tab) tab.env.wake(command.reason)
        return
      }
      case 'login': {
        const tab = pick(command.tab)
        if (!tab) return
        model.pendingLogins++
        const password = command.good ? PASSWORDS[command.user] : 'wrong'
        track(`login(${command.user}${command.good ? '' : ', wrong password'})`, tab, tab.tm.login({ username: command.user, password }), {
          kind: 'login',
          goodCredentials: command.good,
        })
        return
      }
      case 'logout': {
        const tab = pick(command.tab)
        if (!tab) return
        model.logouts++
        model.logoutTimes.push(Date.now())
        model.crossed = false
        model.orphanPossible = false
        endModelSession()
        track(`logout(${command.everywhere ? 'everywhere' : ''})`, tab, tab.tm.logout({ everywhere: command.everywhere }))
        return
      }
      case 'remote':
        await remote(command.how)
        return
      case 'expireAccess':
        controls.expireAccessTokens()
        return
      case 'steal':
        model.excuseReuse = true
        await controls.simulateStolenRefreshToken()
        return
    }
  }

  // ------------------------------------------------------------------ the run
  const onUnhandled = (reason: unknown) => violation(`unhandled rejection: ${(reason as Error)?.name}: ${(reason as Error)?.message}`)
  process.on('unhandledRejection', onUnhandled)
  try {
    for (let i = 0; i < config.tabs; i++) {
      const tab = openTab()
      track('start()', tab, tab.tm.start())
    }
    await vi.advanceTimersByTimeAsync(200)
    if (config.signedIn) {
      model.pendingLogins++
      track('login(alice)', tabs[0]!, tabs[0]!.tm.login({ username: 'alice', password: 'wonderland' }), { kind: 'login', goodCredentials: true })
      await vi.advanceTimersByTimeAsync(SETTLE)
    }
    await checkInvariants()
    for (const [index, command] of commands.entries()) {
      step = index
      trace.push(`#${index} ${JSON.stringify(command)}`)
      await run(command)
      await vi.advanceTimersByTimeAsync(SETTLE)
      await checkInvariants()
    }
    // The end: faults heal, then give every pending call far more time than any retry, lock or join wait takes.
    step = commands.length
    trace.push(`#end heal and wait`)
    controls.setLatency(BASE_LATENCY)
    controls.faults.refreshFailures.length = 0
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(30_000)
      await checkInvariants()
    }
    // The last probes need their time too (a probe may wait for a refresh in flight).
    await vi.advanceTimersByTimeAsync(150_000)
    for (const op of ops) if (!op.settled) violation(`${op.label} (from step ${op.step}) never settled`)
  } catch (error) {
    violation(`the harness itself threw: ${(error as Error)?.stack ?? String(error)}`)
  } finally {
    for (const tab of tabs) tab.tm.destroy()
    await spy.close()
    // Let stragglers (closing channels, aborted fetches) finish inside this run's clock.
    await vi.advanceTimersByTimeAsync(100).catch(() => undefined)
    process.off('unhandledRejection', onUnhandled)
    random.mockRestore()
    vi.useRealTimers()
  }
  return {
    violations,
    known,
    trace,
    stats: { refreshCalls: net.refreshCalls, requests: net.requests, maxInFlightRefresh: net.maxInFlightRefresh, steps: commands.length },
  }
}

/** A readable failure: the violations, then the trace of the run. */
export function describeFailure(scenario: Scenario, result: RunResult): string {
  return [
    `${result.violations.length} invariant violation(s):`,
    ...result.violations.map((v) => `  - ${v}`),
    `config: ${JSON.stringify(scenario.config)}`,
    'trace:',
    ...(result.trace.length > 400 && !process.env.MODEL_FULL_TRACE
      ? [...result.trace.slice(0, 200), `  … ${result.trace.length - 400} lines …`, ...result.trace.slice(-200)]
      : result.trace),
  ].join('\n')
}

export type { ModelConfig }

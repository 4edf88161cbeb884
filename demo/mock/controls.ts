import { http, HttpResponse, type HttpHandler } from 'msw'
import type { MockBackend, RefreshFault } from './backend'
import { FAULT_KINDS_TEXT, isRefreshFault } from '../../src/testing/faults'

/**
 * The fault-control HTTP API of the demo: msw handlers under `/__mock/*` that drive the mock
 * backend's `controls`, so QA (and the real-browser tests) can break the server on purpose
 * from the dashboard or with curl. Demo only: never mount these next to a real backend.
 */

export const CONTROL_PREFIX = '/__mock'

export interface FaultsRequest {
  /** Queue `count` refresh failures of `kind` (the next refresh calls fail, in order). */
  /** `kind`: an HTTP status 400–599 (a number or its digits) or `network`, `lost`, `html`, `empty`. */
  refreshFailures?: { count: number; kind: RefreshFault | `${number}`; retryAfter?: number }
  /** ms added to every auth/API reply. */
  latency?: number
  /** ms added to the server's clock (iat/exp in tokens). */
  clockOffset?: number
  /** ms during which a just-rotated refresh token is still accepted. */
  reuseGrace?: number
  /** Access-token lifetime in seconds for tokens issued from now on. */
  accessTokenLifetime?: number
}

export interface MockState {
  counters: MockBackend['controls']['counters']
  faults: MockBackend['controls']['faults']
  accessTokenLifetime: number
  sessions: number
  note: string
}

class BadRequest extends Error {}

function finite(value: unknown, name: string, { min = -Infinity, max = Infinity } = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new BadRequest(`${name} must be a number between ${min} and ${max}`)
  }
  return value
}

function parseKind(kind: unknown): RefreshFault {
  const normalized = typeof kind === 'string' && /^\d+$/.test(kind) ? Number(kind) : kind
  if (!isRefreshFault(normalized)) throw new BadRequest(`refreshFailures.kind must be ${FAULT_KINDS_TEXT}`)
  return normalized
}

/** Validates the whole body before applying anything: a bad request changes nothing. */
function parseFaults(body: unknown): (controls: MockBackend['controls']) => void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('body must be a JSON object')
  const b = body as Record<string, unknown>
  const steps: ((controls: MockBackend['controls']) => void)[] = []
  if (b.refreshFailures !== undefined) {
    const rf = b.refreshFailures as Record<string, unknown> | null
    if (typeof rf !== 'object' || rf === null) throw new BadRequest('refreshFailures must be an object')
    const count = finite(rf.count, 'refreshFailures.count', { min: 0, max: 100 })
    const kind = parseKind(rf.kind)
    const retryAfter =
      rf.retryAfter === undefined || rf.retryAfter === null ? undefined : finite(rf.retryAfter, 'refreshFailures.retryAfter', { min: 0, max: 3600 })
    steps.push((c) => c.failNextRefreshes(Math.floor(count), kind, retryAfter))
  }
  if (b.latency !== undefined) {
    const latency = finite(b.latency, 'latency', { min: 0, max: 120_000 })
    steps.push((c) => c.setLatency(latency))
  }
  if (b.clockOffset !== undefined) {
    const offset = finite(b.clockOffset, 'clockOffset', { min: -7 * 24 * 3600_000, max: 7 * 24 * 3600_000 })
    steps.push((c) => c.setClockOffset(offset))
  }
  if (b.reuseGrace !== undefined) {
    const grace = finite(b.reuseGrace, 'reuseGrace', { min: 0, max: 600_000 })
    steps.push((c) => c.setReuseGrace(grace))
  }
  if (b.accessTokenLifetime !== undefined) {
    const lifetime = finite(b.accessTokenLifetime, 'accessTokenLifetime', { min: 1, max: 24 * 3600 })
    steps.push((c) => c.setAccessTokenLifetime(lifetime))
  }
  return (controls) => {
    for (const step of steps) step(controls)
  }
}

export function createControlHandlers(backend: MockBackend): HttpHandler[] {
  const { controls, origin } = backend
  const url = (path: string) => new URL(`${CONTROL_PREFIX}${path}`, origin).href
  const noStore = { 'cache-control': 'no-store' }

  const state = (): MockState => ({
    // Copies, so a reply is a snapshot and not a live view of the store.
    counters: { ...controls.counters, statuses: { ...controls.counters.statuses } },
    faults: {
      ...controls.faults,
      refreshFailures: controls.faults.refreshFailures.map((f) => ({ ...f })),
      consumedFailures: controls.faults.consumedFailures.map((f) => ({ ...f, consumedBy: { ...f.consumedBy } })),
    },
    accessTokenLifetime: controls.accessTokenLifetime,
    sessions: controls.sessions().length,
    note: 'Mock backend state (users\u2019 sessions, counters, faults) lives in memory and resets when the demo server restarts.',
  })
  const ok = (extra: Record<string, unknown> = {}) => HttpResponse.json({ ok: true, ...extra, state: state() }, { headers: noStore })
  const refuse = (error: string, status = 400) => ({ refused: HttpResponse.json({ ok: false, error, state: state() }, { status, headers: noStore }) })

  /**
   * Whom a control acts on: `sessionId` or `username` in the JSON body, else the session of the
   * request's refresh cookie, else of its Bearer token; `nobody` when none names anyone.
   */
  async function identify(request: Request): Promise<{ sessionId: string } | { username: string } | { nobody: true } | { refused: Response }> {
    let body: unknown
    try {
      const text = await request.clone().text()
      body = text ? JSON.parse(text) : undefined
    } catch {
      return refuse('body must be JSON')
    }
    if (body !== undefined && (typeof body !== 'object' || Array.isArray(body))) return refuse('body must be a JSON object')
    const { sessionId, username } = (body ?? {}) as { sessionId?: unknown; username?: unknown }
    if (sessionId !== undefined && typeof sessionId !== 'string') return refuse('sessionId must be a string')
    if (username !== undefined && typeof username !== 'string') return refuse('username must be a string')
    if (sessionId !== undefined) return { sessionId }
    if (username !== undefined) return { username }
    const own = await controls.sessionOf(request)
    if (own) return { sessionId: own.sessionId }
    return { nobody: true }
  }

  const unnamed = () =>
    refuse('Name whose session: send {"sessionId": "…"} (the access token\u2019s sid claim) or {"username": "…"}, its refresh cookie or its Bearer token.')

  /** `identify`, down to the user (`undefined`: nobody named, so every user); a session id that is no live session is a 409. */
  async function identifyUser(request: Request): Promise<{ username: string | undefined } | { refused: Response }> {
    const caller = await identify(request)
    if ('refused' in caller || 'username' in caller) return caller
    if ('nobody' in caller) return { username: undefined }
    const found = controls.findSession(caller.sessionId)
    return found ? { username: found.username } : refuse(`no live session ${caller.sessionId}`, 409)
  }

  return [
    http.get(url('/state'), () => HttpResponse.json(state(), { headers: noStore })),

    http.post(url('/faults'), async ({ request }) => {
      let body: unknown
      try {
        body = await request.json()
      } catch {
        return HttpResponse.json({ error: 'body must be JSON' }, { status: 400 })
      }
      try {
        parseFaults(body)(controls)
      } catch (error) {
        if (error instanceof BadRequest) return HttpResponse.json({ error: error.message }, { status: 400 })
        throw error
      }
      return ok()
    }),

    // Both act on the caller's user, identified as /steal identifies (the page sends its `sid`);
    // a call that names nobody (a script, curl without a cookie) acts on every user, as before.
    http.post(url('/expire-access'), async ({ request }) => {
      const user = await identifyUser(request)
      if ('refused' in user) return user.refused
      const expired = controls.sessions(user.username).length
      controls.expireAccessTokens(user.username)
      return ok({ username: user.username ?? null, expired })
    }),

    http.post(url('/revoke-all'), async ({ request }) => {
      const user = await identifyUser(request)
      if ('refused' in user) return user.refused
      const revoked = controls.sessions(user.username).length
      controls.revokeAll(user.username)
      return ok({ username: user.username ?? null, revoked })
    }),

    http.post(url('/clear-faults'), () => ok({ cleared: controls.clearRefreshFailures() })),

    // Whose session: `{ "sessionId": "…" }` (the demo page sends its access token's `sid`) or
    // `{ "username": "…" }` (their first live session), else the caller's refresh cookie or
    // Bearer token (curl -b / -H). Never "any session".
    http.post(url('/steal'), async ({ request }) => {
      const caller = await identify(request)
      if ('refused' in caller) return caller.refused
      if ('nobody' in caller) return unnamed().refused
      const target = await controls.simulateStolenRefreshToken(caller)
      return target
        ? ok({ stolen: true, target })
        : HttpResponse.json(
            {
              ok: false,
              stolen: false,
              error: `no live session ${'sessionId' in caller ? caller.sessionId : `of ${caller.username}`} to steal from`,
              state: state(),
            },
            { status: 409, headers: noStore },
          )
    }),

    http.post(url('/reset'), () => {
      controls.reset()
      return ok()
    }),

    http.post(url('/reset-counters'), () => {
      controls.resetCounters()
      return ok()
    }),
  ]
}

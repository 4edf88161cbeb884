import { getResponse, HttpResponse, http } from 'msw'
import { makeJwt } from './jwt'

/** The app's origin (auth endpoints and its API). */
export const APP = 'http://app.test'
/** A second API origin the app allow-lists. */
export const API = 'http://api.test'
/** An origin nobody allow-lists. */
export const FOREIGN = 'http://foreign.test'

type Deferred = { promise: Promise<void>; resolve: () => void }
const deferred = (): Deferred => {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

/**
 * A small backend written from the README's backend contract only, as msw handlers answered in-process (no
 * interception, so fake timers behave): login and refresh issue a JWT (`sub`, `name`, `iat`, `exp`) with `expiresIn`,
 * the APIs answer 200 to the current token and 401 to any other, `/always401` refuses everything
 * (on every origin), the foreign origin answers anything else with 200.
 */
export function createContractServer() {
  let serial = 0
  let current: string | null = null
  let refreshMode: 'ok' | 'reject' = 'ok'
  let holdRefresh: Deferred | null = null
  const sent: Request[] = []

  const issue = () => {
    const now = Math.floor(Date.now() / 1000)
    current = makeJwt({ sub: 'alice', name: 'Alice', iat: now, exp: now + 600, n: ++serial })
    return { accessToken: current, expiresIn: 600 }
  }
  const api = ({ request }: { request: Request }) => {
    const auth = request.headers.get('authorization')
    if (!current || auth !== `Bearer ${current}`) return HttpResponse.json({ error: 'unauthorized' }, { status: 401 })
    return HttpResponse.json({ sub: 'alice', path: new URL(request.url).pathname })
  }
  const handlers = [
    http.post(`${APP}/auth/login`, async ({ request }) => {
      const body = (await request.json()) as { username?: string; password?: string }
      if (body.username !== 'alice' || body.password !== 'wonderland') return HttpResponse.json({ error: 'invalid' }, { status: 401 })
      refreshMode = 'ok'
      return HttpResponse.json(issue())
    }),
    http.post(`${APP}/auth/refresh`, async () => {
      if (holdRefresh) await holdRefresh.promise
      if (refreshMode === 'reject' || serial === 0) {
        current = null
        return HttpResponse.json({ error: 'invalid_grant' }, { status: 401 })
      }
      return HttpResponse.json(issue())
    }),
    http.post(`${APP}/auth/logout`, () => {
      current = null
      refreshMode = 'reject'
      return new HttpResponse(null, { status: 204 })
    }),
    http.all(`${APP}/always401`, () => HttpResponse.json({ error: 'nope' }, { status: 401 })),
    http.all(`${API}/always401`, () => HttpResponse.json({ error: 'nope' }, { status: 401 })),
    http.all(`${FOREIGN}/always401`, () => HttpResponse.json({ error: 'nope' }, { status: 401 })),
    http.all(`${APP}/api/*`, api),
    http.all(`${API}/*`, api),
    http.all(`${FOREIGN}/*`, ({ request }) => HttpResponse.json({ foreign: true, path: new URL(request.url).pathname })),
  ]

  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init)
    if (request.signal.aborted) throw request.signal.reason
    sent.push(request.clone())
    const response = await getResponse(handlers, request)
    return response ?? new Response('not found', { status: 404 })
  }

  const to = (path: string) => sent.filter((r) => new URL(r.url).pathname === path)
  return {
    fetch,
    sent,
    /** Requests sent to `path` (any origin). */
    to,
    /** The Authorization headers sent to `path`. */
    bearers: (path: string) => to(path).map((r) => r.headers.get('authorization')),
    refreshes: () => to('/auth/refresh').length,
    /** The server stops accepting the current access token (rotated, revoked): the next call with it gets a 401. */
    revokeAccessToken: () => {
      if (current) current = `${current}.revoked`
    },
    /** The refresh endpoint now ends the session (401 invalid_grant). */
    rejectRefresh: () => {
      refreshMode = 'reject'
    },
    /** Refresh calls wait until the returned function is called. */
    holdRefresh: () => {
      const hold = deferred()
      holdRefresh = hold
      return () => {
        holdRefresh = null
        hold.resolve()
      }
    },
  }
}

export type ContractServer = ReturnType<typeof createContractServer>
export const ALICE = { username: 'alice', password: 'wonderland' }

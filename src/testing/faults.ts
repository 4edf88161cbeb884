/** The mock backend's counters and fault state: what the "Break the server" panel shows. */

/**
 * How a refresh fails: any HTTP status 400–599 (401 ends the session and clears the cookie; the
 * others answer `{ error: 'fault' }`, with `Retry-After` when given), or `network` (the connection
 * drops), `lost` (the server rotates, then the connection drops: the reply, its token or cookie,
 * never arrives), `html` (a 200 login page), `empty` (an empty 200). The common statuses are named
 * for autocompletion; `number & {}` keeps them from collapsing into `number`.
 */
export type RefreshFault = 500 | 503 | 429 | 401 | 'network' | 'lost' | 'html' | 'empty' | (number & {})

/** The faults that are not a status. */
export const FAULT_NAMES = ['network', 'lost', 'html', 'empty'] as const

/** The statuses a refresh fault may answer with. */
export const FAULT_STATUSES = { min: 400, max: 599 } as const

/** What a valid fault kind is, for error messages. */
export const FAULT_KINDS_TEXT = `an HTTP status ${FAULT_STATUSES.min}\u2013${FAULT_STATUSES.max} or one of ${FAULT_NAMES.join(', ')}`

/** True for a status 400–599 (an integer) or one of `FAULT_NAMES`. */
export function isRefreshFault(kind: unknown): kind is RefreshFault {
  if (typeof kind === 'number') return Number.isInteger(kind) && kind >= FAULT_STATUSES.min && kind <= FAULT_STATUSES.max
  return (FAULT_NAMES as readonly unknown[]).includes(kind)
}

/** What the backend has seen since it was created or its counters were reset (`controls.counters`). */
export interface Counters {
  /** `POST /auth/refresh` requests, whatever their answer (faults and refused ones too). */
  refreshCalls: number
  /** Refreshes that rotated the refresh token (not faults, not grace-window replays). */
  refreshSuccesses: number
  /** Rotated-away refresh tokens presented outside the grace window: each revoked its session. */
  reuseDetections: number
  /** `POST /auth/login` requests, whatever their answer. */
  loginCalls: number
  /** `POST /auth/logout` requests, whatever their answer. */
  logoutCalls: number
  /** `GET /api/me` and `GET /api/admin` requests, whatever their answer. */
  apiCalls: number
  /** Replies by HTTP status (`'200'` → count); dropped connections (`network`, `lost`) are not replies. */
  statuses: Record<string, number>
}

/** A refresh failure waiting for the next `POST /auth/refresh` (`controls.failNextRefreshes`). */
export interface QueuedFault {
  /** How that refresh fails. */
  kind: RefreshFault
  /** Seconds for the `Retry-After` header of a status fault (not 401); none when absent. */
  retryAfter?: number
}

/** A queued fault after a request took it: which one, so the panel can say. */
export interface ConsumedFault extends QueuedFault {
  /** The refresh request that took it. */
  consumedBy: {
    /** Its HTTP method. */
    method: string
    /** Its URL's path. */
    path: string
    /** When it arrived (ISO 8601, the backend's clock without `clockOffset`). */
    at: string
    /** The session whose refresh token it presented, or null (none, or not a known one). */
    sessionId: string | null
    /** Whose session that is, or null. */
    username: string | null
  }
}

/** How many consumed faults `faults.consumedFailures` keeps (newest last). */
export const CONSUMED_FAULTS_KEPT = 20

/** The backend's fault state (`controls.faults`), set through the controls. */
export interface Faults {
  /** Refresh failures still queued, taken one per `POST /auth/refresh` in order. */
  refreshFailures: QueuedFault[]
  /** The last 20 faults a refresh took, newest last. */
  consumedFailures: ConsumedFault[]
  /** Milliseconds the `/auth/*` routes and `GET /api/me` wait before answering (`setLatency`). @default 0 */
  latency: number
  /** Milliseconds the server's clock is ahead (negative: behind) when it issues and checks access tokens (`setClockOffset`). @default 0 */
  clockOffset: number
  /** Milliseconds after its rotation that a rotated-away refresh token still gets the current one instead of counting as reuse (`setReuseGrace`; 0: strict rotation). @default 0 */
  reuseGrace: number
}

export const emptyCounters = (): Counters => ({
  refreshCalls: 0,
  refreshSuccesses: 0,
  reuseDetections: 0,
  loginCalls: 0,
  logoutCalls: 0,
  apiCalls: 0,
  statuses: {},
})

export const noFaults = (): Faults => ({ refreshFailures: [], consumedFailures: [], latency: 0, clockOffset: 0, reuseGrace: 0 })

/** Records which request took a queued fault (the last `CONSUMED_FAULTS_KEPT`). */
export function recordConsumed(faults: Faults, fault: QueuedFault, request: Request, taker: { sessionId: string; username: string } | null, now: number): void {
  faults.consumedFailures.push({
    ...fault,
    consumedBy: {
      method: request.method,
      path: new URL(request.url).pathname,
      at: new Date(now).toISOString(),
      sessionId: taker?.sessionId ?? null,
      username: taker?.username ?? null,
    },
  })
  faults.consumedFailures.splice(0, Math.max(0, faults.consumedFailures.length - CONSUMED_FAULTS_KEPT))
}

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

export interface Counters {
  refreshCalls: number
  refreshSuccesses: number
  reuseDetections: number
  loginCalls: number
  logoutCalls: number
  apiCalls: number
  statuses: Record<string, number>
}

export interface QueuedFault {
  kind: RefreshFault
  retryAfter?: number
}

/** A queued fault after a request took it: which one, so the panel can say. */
export interface ConsumedFault extends QueuedFault {
  consumedBy: { method: string; path: string; at: string; sessionId: string | null; username: string | null }
}

/** How many consumed faults `faults.consumedFailures` keeps (newest last). */
export const CONSUMED_FAULTS_KEPT = 20

export interface Faults {
  refreshFailures: QueuedFault[]
  consumedFailures: ConsumedFault[]
  latency: number
  clockOffset: number
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

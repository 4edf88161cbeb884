import { monotonicNow, sleep, type Clock } from '../util/clock'
import { RefreshError, type InvalidTokenError } from '../errors'
import { backoffDelay, MIN_RETRY_DELAY, type RetryPolicy } from './backoff'
import type { AuthOutcome } from '../http/transport'
import type { TokenResponse } from '../token/token-response'

/** The final result of a refresh after retries: what the manager applies to its state. */
export type RefreshOutcome =
  | { kind: 'ok'; tokens: TokenResponse; receivedAt: number }
  | { kind: 'rejected'; status: number }
  /** `mayHaveRotated`: an attempt's reply may have been lost after the server rotated (see `AuthOutcome`). */
  | { kind: 'error'; error: RefreshError | InvalidTokenError; mayHaveRotated?: true }

/** At most one run at a time; callers that arrive while it runs share its promise. */
export class SingleFlight<T> {
  private current: Promise<T> | null = null

  get inFlight(): Promise<T> | null {
    return this.current
  }

  /** `settled` runs after the slot is free again, so it may start the next run. */
  run(task: () => Promise<T>, settled?: () => void): Promise<T> {
    if (this.current) return this.current
    const promise = task().finally(() => {
      if (this.current === promise) this.current = null
      settled?.()
    })
    this.current = promise
    return promise
  }
}

export interface RetryingRefreshOptions {
  clock: Clock
  policy: RetryPolicy
  random?: () => number
  signal?: AbortSignal
  /**
   * The backend's reuse grace window (ms): how long a rotated refresh token still gets the current
   * tokens. After an attempt whose reply may have been lost, a retry (which presents the same token)
   * is sent only within half of it; with 0, never.
   */
  reuseGrace?: number
  /** Called before each retry (for logging/debug), with the attempt number and delay. */
  onRetry?: (attempt: number, delay: number, outcome: AuthOutcome) => void
}

/**
 * Runs one refresh attempt and retries transient failures with exponential backoff and
 * jitter, honouring `Retry-After`. A `Retry-After` longer than the policy's `maxDelay` ends
 * the retries at once (the caller keeps the wait as a cooldown) rather than holding every
 * queued request hostage to it.
 */
export async function refreshWithRetry(attempt: (signal?: AbortSignal) => Promise<AuthOutcome>, options: RetryingRefreshOptions): Promise<RefreshOutcome> {
  const { clock, policy } = options
  // A signal of this refresh alone: ky combines the signal it gets with its own on every request,
  // and a composite of a long-lived signal stays registered on it (Node 20: ~64 B per refresh).
  const { signal, release } = childSignal(options.signal)
  try {
    return await retryLoop(attempt, options, clock, policy, signal)
  } finally {
    release()
  }
}

/** An AbortSignal that aborts with `parent` but can be unlinked from it when its work is done. */
export function childSignal(parent: AbortSignal | undefined): { signal: AbortSignal | undefined; release: () => void } {
  if (!parent) return { signal: undefined, release: () => undefined }
  const controller = new AbortController()
  const forward = () => controller.abort(parent.reason)
  if (parent.aborted) forward()
  else parent.addEventListener('abort', forward, { once: true })
  return { signal: controller.signal, release: () => parent.removeEventListener('abort', forward) }
}

async function retryLoop(
  attempt: (signal?: AbortSignal) => Promise<AuthOutcome>,
  options: RetryingRefreshOptions,
  clock: Clock,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
): Promise<RefreshOutcome> {
  // When the first attempt that may have spent the refresh token was sent (monotonic ms).
  let spentAt: number | undefined
  for (let attemptNo = 0; ; attemptNo++) {
    const sentAt = monotonicNow(clock)
    const outcome = await attempt(signal)
    switch (outcome.kind) {
      case 'ok':
        return outcome
      case 'rejected':
        return { kind: 'rejected', status: outcome.status }
      case 'invalid':
        return { kind: 'error', error: outcome.error }
      case 'failed': {
        const { status, server } = outcome
        return {
          kind: 'error',
          error: new RefreshError(`Refresh endpoint answered ${status}${server?.error ? ` ${server.error}` : ''}: not retried (a misconfiguration?)`, {
            status,
            transient: false,
            ...server,
          }),
        }
      }
      case 'transient': {
        const { status, retryAfter, cause, server } = outcome
        if (outcome.mayHaveRotated) spentAt ??= sentAt
        const describe = status === undefined ? 'network error or timeout' : `status ${status}`
        const tooLong = retryAfter !== undefined && retryAfter > policy.maxDelay
        // Retry-After can lengthen the wait, never shorten it below the backoff (`Retry-After: 0` gave four attempts in under a second).
        let delay = Math.max(retryAfter ?? 0, backoffDelay(attemptNo, policy, options.random), MIN_RETRY_DELAY)
        // The server may have rotated: the same token is only good within its grace window, and presenting it
        // after that is reuse (the family revoked, every tab signed out). Half the window is left for latency.
        const graceLeft = spentAt === undefined ? Number.POSITIVE_INFINITY : (options.reuseGrace ?? 0) / 2 - (monotonicNow(clock) - spentAt)
        if (spentAt !== undefined && retryAfter === undefined) delay = Math.max(MIN_RETRY_DELAY, Math.min(delay, graceLeft))
        const outOfGrace = delay > graceLeft
        if (attemptNo >= policy.retries || tooLong || outOfGrace) {
          const retryAt = retryAfter !== undefined ? clock.now() + retryAfter : undefined
          const held = outOfGrace ? '; not retried: the reply may have been lost after the server rotated the refresh token (see `reuseGrace`)' : ''
          return {
            kind: 'error',
            error: new RefreshError(`Refresh failed after ${attemptNo + 1} attempt(s): ${describe}${held}`, {
              ...(status !== undefined && { status }),
              ...(retryAt !== undefined && { retryAt }),
              ...server,
              cause,
            }),
            ...(spentAt !== undefined && { mayHaveRotated: true as const }),
          }
        }
        options.onRetry?.(attemptNo + 1, delay, outcome)
        await sleep(clock, delay, signal)
      }
    }
  }
}

/**
 * After a failed refresh, nobody calls the endpoint again until the cooldown ends: the
 * lesson of supabase-js #2145, where retry-on-every-call produced tens of thousands of
 * refreshes an hour. It ends when either clock says so: a wall clock set back an hour must not
 * stretch a 5 s cooldown to an hour (the monotonic clock ends it), and a sleep that stopped the
 * monotonic clock must not hold it past its time (the wall clock ends it).
 */
export class Cooldown {
  /** Monotonic ms (`Clock.monotonic`). */
  private untilMono = Number.NEGATIVE_INFINITY
  /** Epoch ms. */
  private untilWall = Number.NEGATIVE_INFINITY
  private lastError: RefreshError | InvalidTokenError | null = null
  /** Failed refreshes since the last success (or sign-out, or coming back online). */
  private failures = 0

  constructor(
    private readonly clock: Clock,
    private readonly duration: number,
  ) {}

  start(error: RefreshError | InvalidTokenError): void {
    const retryAt = error instanceof RefreshError ? error.retryAt : undefined
    // `retryAt` is a wall-clock time (it is public): only its distance from now counts here.
    const now = this.clock.now()
    // Each failure in a row doubles it, up to a minute: a server that keeps answering HTML got a
    // call every 5 s for the whole token lifetime.
    const length = Math.max(Math.min(this.duration * 2 ** this.failures++, Math.max(this.duration, 60_000)), retryAt !== undefined ? retryAt - now : 0)
    this.untilMono = monotonicNow(this.clock) + length
    this.untilWall = now + length
    this.lastError = error
  }

  /** The error to fail fast with while cooling down, else `null`. */
  active(): RefreshError | InvalidTokenError | null {
    return this.clock.now() < this.untilWall && monotonicNow(this.clock) < this.untilMono ? this.lastError : null
  }

  /** When the cooldown ends, as a wall-clock time for the refresh timer. */
  get endsAt(): number {
    const now = this.clock.now()
    return Math.min(this.untilWall, now + Math.max(0, this.untilMono - monotonicNow(this.clock)))
  }

  reset(): void {
    this.failures = 0
    this.untilMono = Number.NEGATIVE_INFINITY
    this.untilWall = Number.NEGATIVE_INFINITY
    this.lastError = null
  }
}

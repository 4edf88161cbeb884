/** What the request flow needs from the manager; kept narrow so the flow is testable alone. */
export interface RequestFlowDeps {
  /** Whether a URL may receive the bearer token. */
  isAuthorized(url: URL): boolean
  /**
   * The token to send: waits for a refresh in flight and refreshes first if the token is known
   * to be expired. `null` when signed out (the request goes out without `Authorization`).
   */
  getToken(signal: AbortSignal): Promise<string | null>
  /**
   * Called once after a 401 for a request sent with `sentToken`. Returns the token to replay
   * with (a newer one another caller already obtained, or a fresh refresh), or `null` to hand
   * the 401 back. Rejects when the refresh ends the session.
   */
  recover(sentToken: string | null, signal: AbortSignal): Promise<string | null>
  getFetch(): typeof fetch
}

/** Resolves like `promise`, but rejects at once when `signal` aborts (queued requests). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

function isOneShotBody(init: RequestInit | undefined): boolean {
  const body = init?.body
  return typeof ReadableStream !== 'undefined' && body instanceof ReadableStream
}

/**
 * The shared request flow behind `tm.fetch` and `tm.http`: bearer only for authorized
 * origins, wait for refresh, never send a token known to be expired, and on 401 recover once
 * and replay once. A second 401 goes back to the caller: no loop.
 */
export function createAuthorizedFetch(deps: RequestFlowDeps): typeof fetch {
  return async function authorizedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init)
    const url = new URL(request.url)
    if (!deps.isAuthorized(url)) return deps.getFetch()(request)
    // An app that sets its own Authorization header (another scheme, a service token) keeps it.
    if (request.headers.has('authorization')) return deps.getFetch()(request)

    const token = await abortable(deps.getToken(request.signal), request.signal)
    const replayable = !isOneShotBody(init)
    // Clone before sending: a consumed body cannot be replayed.
    const spare = replayable ? request.clone() : null
    if (token !== null) request.headers.set('authorization', `Bearer ${token}`)
    const response = await deps.getFetch()(request)
    if (response.status !== 401 || spare === null) return response

    const replayToken = await abortable(deps.recover(token, spare.signal), spare.signal)
    if (replayToken === null || replayToken === token) return response
    // The first reply is discarded; release its connection.
    await response.body?.cancel().catch(() => undefined)
    spare.headers.set('authorization', `Bearer ${replayToken}`)
    return deps.getFetch()(spare)
  }
}

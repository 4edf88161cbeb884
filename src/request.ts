/** What the request flow needs from the manager; kept narrow so the flow is testable alone. */
export interface RequestFlowDeps {
  /** Whether a URL may receive the bearer token. */
  isAuthorized(url: URL): boolean
  /**
   * The token to send: waits for a refresh in flight and refreshes first if the token is known
   * to be expired. `null` when signed out (the request goes out without `Authorization`).
   */
  getToken(signal?: AbortSignal): Promise<string | null>
  /**
   * Called once after a 401 for a request sent with `sentToken`. Returns the token to replay
   * with (a newer one another caller already obtained, or a fresh refresh), or `null` to hand
   * the 401 back. Rejects when the refresh ends the session.
   */
  recover(sentToken: string | null, signal?: AbortSignal): Promise<string | null>
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

/** A stream body can be sent once: such a request is not replayed after a 401. */
function isStream(body: unknown): boolean {
  return typeof ReadableStream !== 'undefined' && body instanceof ReadableStream
}

/** What `fetch(relativeUrl)` resolves against in a page; nothing elsewhere (Node throws, like fetch). */
function baseUrl(): string | undefined {
  return (globalThis as { document?: { baseURI?: string } }).document?.baseURI ?? globalThis.location?.href
}

/**
 * The shared request flow behind `tm.fetch` and `tm.http`: bearer only for authorized
 * origins, wait for refresh, never send a token known to be expired, and on 401 recover once
 * and replay once. A second 401 goes back to the caller: no loop.
 *
 * URL and string inputs go out as `(input, init)` with merged headers, the way the app would
 * call fetch: no `Request` copies, and `init` (its body included, unless a stream) can simply
 * be sent again. `Request` inputs are copied with the new header, and cloned first only when
 * they have a body to replay.
 */
export function createAuthorizedFetch(deps: RequestFlowDeps): typeof fetch {
  return function authorizedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    return input instanceof Request ? fetchRequest(deps, init ? new Request(input, init) : input) : fetchUrl(deps, input, init)
  }
}

async function fetchUrl(deps: RequestFlowDeps, input: string | URL, init: RequestInit | undefined): Promise<Response> {
  const send = deps.getFetch()
  if (!deps.isAuthorized(new URL(String(input), baseUrl()))) return send(input, init)
  const headers = new Headers(init?.headers)
  // An app that sets its own Authorization header (another scheme, a service token) keeps it.
  if (headers.has('authorization')) return send(input, init)
  const signal = init?.signal ?? undefined
  const token = await abortable(deps.getToken(signal), signal)
  if (token !== null) headers.set('authorization', `Bearer ${token}`)
  const response = await send(input, { ...init, headers })
  if (response.status !== 401 || isStream(init?.body)) return response

  const replayToken = await abortable(deps.recover(token, signal), signal)
  if (replayToken === null || replayToken === token) return response
  // The first reply is discarded; release its connection.
  await response.body?.cancel().catch(() => undefined)
  headers.set('authorization', `Bearer ${replayToken}`)
  return deps.getFetch()(input, { ...init, headers })
}

async function fetchRequest(deps: RequestFlowDeps, request: Request): Promise<Response> {
  if (!deps.isAuthorized(new URL(request.url)) || request.headers.has('authorization')) return deps.getFetch()(request)
  const token = await abortable(deps.getToken(request.signal), request.signal)
  // Copying a Request with a body consumes it: keep a clone for the replay.
  const spare = request.body === null ? request : request.clone()
  const headers = new Headers(request.headers)
  if (token !== null) headers.set('authorization', `Bearer ${token}`)
  const response = await deps.getFetch()(new Request(request, { headers }))
  if (response.status !== 401) return response

  const replayToken = await abortable(deps.recover(token, spare.signal), spare.signal)
  if (replayToken === null || replayToken === token) return response
  await response.body?.cancel().catch(() => undefined)
  headers.set('authorization', `Bearer ${replayToken}`)
  return deps.getFetch()(new Request(spare, { headers }))
}

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

/**
 * The request flow every client of one manager shares (`tm.fetch`, `tm.http`, tokenkeeper/axios,
 * tokenkeeper/angular): one set of rules, one state.
 */
export interface RequestFlow extends RequestFlowDeps {
  /**
   * The token to send without waiting, for a client that can send in the same tick: the token
   * when it is valid and nothing under way could change it, `null` when signed out, `undefined`
   * when the caller must await `getToken()`.
   */
  peekToken(): string | null | undefined
  /**
   * What a request sent with `token` got (`replay`: it was the replay after a 401). A replay's
   * 401 makes the token doubted: `recover` then hands its 401s back at once.
   */
  answered(token: string | null, status: number, replay?: boolean): void
}

/**
 * The flow over `deps`, with the doubted-token rule: a token that a
 * refresh made for a 401 and whose replay got a 401 too means the endpoint refuses every token,
 * so its next 401 is the answer, not a reason to rotate again (20 requests to such an endpoint
 * made 20 rotations). A request with it that gets anything but a 401 clears the doubt.
 */
export function createRequestFlow(deps: RequestFlowDeps & Pick<RequestFlow, 'peekToken'>): RequestFlow {
  let doubted: string | null = null
  return {
    ...deps,
    recover: async (sent, signal) => (sent === doubted && sent ? null : deps.recover(sent, signal)),
    answered(token, status, replay) {
      if (status !== 401) {
        if (token === doubted) doubted = null
      } else if (replay) doubted = token
    },
  }
}

/**
 * What a relative request URL resolves against, as `fetch` resolves it: the page's base URL;
 * nothing outside a page (Node, server rendering), where a relative URL throws. Shared by every
 * client of the flow (`tm.fetch`, tokenkeeper/axios, tokenkeeper/angular).
 */
export const pageBase = (): string | undefined => (globalThis as { document?: { baseURI?: string } }).document?.baseURI ?? globalThis.location?.href

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

/**
 * The shared request flow behind `tm.fetch` and `tm.http`: bearer only for authorized
 * origins, wait for refresh, never send a token known to be expired, and on 401 recover once
 * and replay once. A second 401 goes back to the caller: no loop.
 *
 * URL and string inputs go out as `(input, init)` with merged headers, the way the app would
 * call fetch: no `Request` copy, and `init` (its body included, unless a stream) can simply be
 * sent again. A `Request` input is copied with the new header, and cloned first only when it
 * has a body to replay.
 */
export function createAuthorizedFetch(deps: RequestFlow): typeof fetch {
  return async function authorizedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const send = deps.getFetch()
    // Anything but a string, a URL or a Request of this realm (an iframe's Request, an object
    // with a toString) cannot be classified by brand: it is sent as given, never with the Bearer.
    if (typeof input !== 'string' && !(input instanceof URL) && !(input instanceof Request)) return send(input, init)
    const request = input instanceof Request ? new Request(input, init) : null
    // The URL is resolved once, checked, and exactly that string is sent: a URL object mutated
    // after this call (or while the token is awaited) cannot redirect the Bearer.
    const url = request ? null : new URL(typeof input === 'string' ? input : (input as URL).href, pageBase()).href
    const headers = new Headers(request ? request.headers : init?.headers)
    // An app that sets its own Authorization header (another scheme, a service token) keeps it.
    if (!deps.isAuthorized(new URL(request ? request.url : (url as string))) || headers.has('authorization')) {
      return request ? send(request) : send(url as string, init)
    }
    const signal = request ? request.signal : (init?.signal ?? undefined)
    const token = await abortable(deps.getToken(signal), signal)
    // Sending a Request with a body consumes it: keep a clone for the replay.
    const spare = request?.body ? request.clone() : request
    const go = (target: Request | null) => (target ? send(new Request(target, { headers })) : send(url as string, { ...init, headers }))
    if (token !== null) headers.set('authorization', `Bearer ${token}`)
    const response = await go(request)
    deps.answered(token, response.status)
    // A stream body can be sent once: such a request is not replayed.
    if (response.status !== 401 || (!request && typeof ReadableStream !== 'undefined' && init?.body instanceof ReadableStream)) return response
    // A 401 from where a redirect led (fetch drops the Bearer on a cross-origin redirect) says
    // nothing about our token.
    if (response.redirected && response.url && !deps.isAuthorized(new URL(response.url))) return response

    const replayToken = await abortable(deps.recover(token, signal), signal)
    if (replayToken === null || replayToken === token) return response
    // The first reply is discarded; release its connection. Not awaited: a cancel may never
    // settle (msw's mocked bodies in Node), and the replay must not wait for it.
    void response.body?.cancel().catch(() => undefined)
    headers.set('authorization', `Bearer ${replayToken}`)
    const replay = await go(spare)
    deps.answered(replayToken, replay.status, true)
    return replay
  }
}

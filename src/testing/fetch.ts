import { getResponse } from 'msw'
import type { MockBackend } from './backend'

/**
 * A `fetch` that answers from the mock backend's handlers in-process (msw's `getResponse`, no
 * interception) with the cookie jar of one browser: pass it as `new TokenManager({ fetch })`.
 * Every manager given the same fetch is a tab of that browser (they share the refresh
 * cookie). Fake timers and aborts behave, and nothing is patched globally.
 */
export interface MockFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>
  /** The jar's cookies (name → value), e.g. to assert the refresh cookie is set or cleared. */
  readonly cookies: ReadonlyMap<string, string>
}

/** Options of {@link createMockFetch}. */
export interface MockFetchOptions {
  /** The answer to a request no handler matches (another origin, an app route). @default a 404 */
  onUnhandled?: (request: Request) => Response | Promise<Response>
}

interface StoredCookie {
  value: string
  path: string
}

/**
 * A {@link MockFetch} over `backend`'s handlers with a fresh cookie jar (one browser): cookies go
 * only to `backend.origin`, by path, unless `credentials: 'omit'`. A dropped connection rejects
 * with `TypeError('Failed to fetch')`; an abort rejects with the signal's reason.
 */
export function createMockFetch(backend: Pick<MockBackend, 'handlers' | 'origin'>, options: MockFetchOptions = {}): MockFetch {
  const jar = new Map<string, StoredCookie>()
  const origin = new URL(backend.origin).origin

  function store(header: string): void {
    const [pair = '', ...attributes] = header.split(';')
    const eq = pair.indexOf('=')
    if (eq <= 0) return
    const name = pair.slice(0, eq).trim()
    const value = pair.slice(eq + 1).trim()
    const path =
      attributes
        .map((a) => a.trim())
        .find((a) => /^path=/i.test(a))
        ?.slice(5) || '/'
    if (value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name)
    else jar.set(name, { value, path })
  }

  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    if (request.signal.aborted) throw request.signal.reason
    const url = new URL(request.url)
    if (url.origin === origin && request.credentials !== 'omit') {
      const cookies = [...jar].filter(([, c]) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      if (cookies.length > 0) request.headers.set('cookie', cookies.map(([name, c]) => `${name}=${c.value}`).join('; '))
    }
    const pending = getResponse(backend.handlers, request)
    const response = await new Promise<Response | undefined>((resolve, reject) => {
      const onAbort = () => reject(request.signal.reason)
      request.signal.addEventListener('abort', onAbort, { once: true })
      pending.then(resolve, reject).finally(() => request.signal.removeEventListener('abort', onAbort))
    })
    if (!response)
      return options.onUnhandled
        ? options.onUnhandled(request)
        : new Response('{"error":"not_found"}', { status: 404, headers: { 'content-type': 'application/json' } })
    // `HttpResponse.error()` (the "network" fault): what a browser's fetch does on a dropped connection.
    if (response.type === 'error') throw new TypeError('Failed to fetch')
    // DOM test environments hide Set-Cookie, as browsers do: `exposeSetCookie` mirrors it.
    const mirrored = response.headers.get('x-mock-set-cookie')
    for (const header of mirrored ? [mirrored] : response.headers.getSetCookie()) store(header)
    return response
  }
  return Object.defineProperty(fetch, 'cookies', {
    get: (): ReadonlyMap<string, string> => new Map([...jar].map(([name, c]) => [name, c.value])),
  }) as MockFetch
}

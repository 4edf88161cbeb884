import { getResponse } from 'msw'
import { createMockBackend, type MockBackendOptions } from '../../src/testing/backend'

export const ORIGIN = 'http://app.test'

/**
 * A fake "browser" for unit tests: a fetch that answers from the mock backend's msw handlers
 * in-process (no interception, so fake timers and aborts behave), with a cookie jar shared by
 * every manager (tab) that uses it, as tabs of one browser share cookies.
 */
export function createBrowser(backendOptions: MockBackendOptions = {}) {
  const backend = createMockBackend({ origin: ORIGIN, exposeSetCookie: true, ...backendOptions })
  const jar = new Map<string, string>()
  const requests: Request[] = []
  const foreign: Request[] = []

  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init)
    if (request.signal.aborted) throw request.signal.reason
    const url = new URL(request.url)
    if (url.origin !== new URL(ORIGIN).origin) {
      foreign.push(request.clone())
      return new Response('third party', { status: 200 })
    }
    requests.push(request.clone())
    if (jar.size > 0 && request.credentials === 'include' && url.pathname.startsWith('/auth')) {
      request.headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    }
    const pending = getResponse(backend.handlers, request)
    const response = await new Promise<Response | undefined>((resolve, reject) => {
      const onAbort = () => reject(request.signal.reason)
      request.signal.addEventListener('abort', onAbort, { once: true })
      pending.then(resolve, reject).finally(() => request.signal.removeEventListener('abort', onAbort))
    })
    if (!response) return new Response('not found', { status: 404 })
    if (response.type === 'error') throw new TypeError('Failed to fetch')
    const mirrored = response.headers.get('x-mock-set-cookie')
    for (const header of mirrored ? [mirrored] : response.headers.getSetCookie()) {
      const [pair] = header.split(';')
      const [name, ...rest] = pair!.split('=')
      const value = rest.join('=')
      if (/max-age=0/i.test(header) || value === '') jar.delete(name!.trim())
      else jar.set(name!.trim(), value)
    }
    return response
  }

  const count = (path: string) => requests.filter((r) => new URL(r.url).pathname === path).length

  return { backend, controls: backend.controls, fetch, jar, requests, foreign, count }
}

export type TestBrowser = ReturnType<typeof createBrowser>

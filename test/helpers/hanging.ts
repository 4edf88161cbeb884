import type { TestBrowser } from './browser'

/** A fetch whose refresh endpoint hangs until aborted (a request stuck at the server); other calls go to `browser`. */
export function hangingRefresh(browser: Pick<TestBrowser, 'fetch'>) {
  const inner = browser.fetch
  let hanging = 0
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input, init)
    if (!request.url.endsWith('/auth/refresh')) return inner(request)
    hanging++
    return new Promise((_, reject) => {
      const abort = () => reject(request.signal.reason)
      if (request.signal.aborted) abort()
      request.signal.addEventListener('abort', abort, { once: true })
    })
  }
  return { fetch, hanging: () => hanging }
}

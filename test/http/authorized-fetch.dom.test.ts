// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest'
import { createAuthorizedFetch, createRequestFlow } from '../../src/http/authorized-fetch'

describe('createAuthorizedFetch in a page', () => {
  it('resolves relative URLs against the document, so same-origin API paths get the bearer', async () => {
    const calls: [RequestInfo | URL, RequestInit | undefined][] = []
    const fetch = createAuthorizedFetch(
      createRequestFlow({
        peekToken: () => undefined,
        isAuthorized: (url) => url.origin === location.origin,
        getToken: vi.fn(async () => 'T1'),
        recover: vi.fn(async () => null),
        getFetch: () => async (input, init) => {
          calls.push([input, init])
          return new Response('ok')
        },
      }),
    )
    await fetch('/api/me')
    // Resolved once against the document and sent as that string: what was checked is what goes out.
    expect(calls[0]![0]).toBe('http://localhost:3000/api/me')
    expect(new Headers(calls[0]![1]!.headers).get('authorization')).toBe('Bearer T1')
    await fetch('https://elsewhere.example/api')
    expect(calls[1]![1]).toBeUndefined()
  })
})

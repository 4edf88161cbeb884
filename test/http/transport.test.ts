import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { InvalidTokenError } from '../../src'
import { systemClock } from '../../src/util/clock'
import { AuthTransport, MAX_REPLY_BYTES } from '../../src/http/transport'
import { defaultBackend } from '../../src/http/default-backend'

function transport(reply: (request: Request) => Response | Promise<Response>, options: { cookieMode?: boolean; timeout?: number } = {}) {
  const seen: Request[] = []
  const t = new AuthTransport({
    backend: defaultBackend({
      endpoints: { login: 'http://a.test/auth/login', refresh: 'http://a.test/auth/refresh', logout: 'http://a.test/auth/logout' },
      refreshTokenTransport: (options.cookieMode ?? true) ? 'cookie' : 'body',
    }),
    timeout: options.timeout ?? 10_000,
    csrfHeaders: { 'X-TokenKeeper': '1' },
    getFetch: () => async (input, init) => {
      const request = new Request(input, init)
      seen.push(request)
      return reply(request)
    },
    clock: systemClock,
  })
  return { t, seen }
}

describe('AuthTransport', () => {
  it('cookie mode: POSTs with credentials, the CSRF header and no body', async () => {
    const { t, seen } = transport(() => Response.json({ accessToken: 'a', expiresIn: 60 }))
    const outcome = await t.refresh(null)
    expect(outcome).toMatchObject({ kind: 'ok', tokens: { accessToken: 'a', expiresIn: 60 } })
    expect(seen[0]!.method).toBe('POST')
    expect(seen[0]!.credentials).toBe('include')
    expect(seen[0]!.headers.get('x-tokenkeeper')).toBe('1')
    expect(await seen[0]!.text()).toBe('')
  })

  it('body mode: sends { refreshToken } as JSON', async () => {
    const { t, seen } = transport(() => Response.json({ accessToken: 'a', expiresIn: 60, refreshToken: 'r2' }), { cookieMode: false })
    await t.refresh('r1')
    expect(await seen[0]!.json()).toEqual({ refreshToken: 'r1' })
    expect(seen[0]!.credentials).toBe('same-origin')
  })

  it('maps statuses and Retry-After', async () => {
    expect(await transport(() => new Response('', { status: 401 })).t.refresh(null)).toEqual({ kind: 'rejected', status: 401, server: {} })
    expect(await transport(() => new Response('', { status: 429, headers: { 'retry-after': '3' } })).t.refresh(null)).toEqual({
      kind: 'transient',
      status: 429,
      retryAfter: 3000,
      server: {},
    })
    expect(await transport(() => new Response('', { status: 404 })).t.refresh(null)).toEqual({ kind: 'failed', status: 404, server: {} })
  })

  it('reads the error body: a 400 without a dead-token code is a misconfiguration carrying the server error, never token text', async () => {
    const fieldError = () => Response.json({ error: 'invalid_request', error_description: 'refresh_token is required' }, { status: 400 })
    expect(await transport(fieldError).t.refresh(null)).toEqual({
      kind: 'failed',
      status: 400,
      server: { error: 'invalid_request', errorDescription: 'refresh_token is required' },
    })
    const dead = () => Response.json({ error: 'invalid_grant' }, { status: 400 })
    expect(await transport(dead).t.refresh(null)).toMatchObject({ kind: 'rejected', status: 400, server: { error: 'invalid_grant' } })
    const csrf = () => Response.json({ error: 'origin_not_allowed', message: 'Origin http://x.test is not allowed' }, { status: 403 })
    expect(await transport(csrf).t.refresh(null)).toMatchObject({
      kind: 'failed',
      status: 403,
      server: { errorDescription: 'Origin http://x.test is not allowed' },
    })
  })

  it('a network error is transient', async () => {
    const outcome = await transport(() => Promise.reject(new TypeError('Failed to fetch'))).t.refresh(null)
    expect(outcome).toMatchObject({ kind: 'transient' })
    expect(outcome.kind === 'transient' && outcome.cause).toBeInstanceOf(TypeError)
  })

  it('says when a refresh may have been spent without its reply: no reply, a 502/504, a body-mode token reply cut off', async () => {
    const refused = () => Promise.reject(new TypeError('Failed to fetch'))
    expect(await transport(refused).t.refresh(null)).toMatchObject({ kind: 'transient', mayHaveRotated: true })
    expect(await transport(refused).t.login({})).not.toHaveProperty('mayHaveRotated')
    for (const status of [502, 504]) expect(await transport(() => new Response('', { status })).t.refresh(null)).toMatchObject({ mayHaveRotated: true })
    // The server answered itself: it did not rotate.
    for (const status of [500, 503, 429]) expect(await transport(() => new Response('', { status })).t.refresh(null)).not.toHaveProperty('mayHaveRotated')
    const cutOff = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"accessToken":'))
            controller.error(new TypeError('network error'))
          },
        }),
        { status: 200 },
      )
    expect(await transport(cutOff, { cookieMode: false }).t.refresh('r1')).toMatchObject({ kind: 'transient', status: 200, mayHaveRotated: true })
    // Cookie mode: the headers, and with them the new cookie, arrived.
    expect(await transport(cutOff).t.refresh(null)).not.toHaveProperty('mayHaveRotated')
  })

  it.each([
    ['HTML', '<html>login</html>'],
    ['empty', ''],
    ['truncated JSON', '{"accessToken":"a'],
    ['JSON without a token', '{"ok":true}'],
  ])('a 200 with %s is invalid', async (_name, body) => {
    const outcome = await transport(() => new Response(body, { status: 200 })).t.refresh(null)
    expect(outcome.kind).toBe('invalid')
    expect(outcome.kind === 'invalid' && outcome.error).toBeInstanceOf(InvalidTokenError)
  })

  it('a parseTokenResponse that throws something else is still an InvalidTokenError', async () => {
    const t = new AuthTransport({
      backend: defaultBackend({
        endpoints: { login: 'http://a.test/l', refresh: 'http://a.test/r', logout: 'http://a.test/o' },
        parseTokenResponse: () => {
          throw new Error('adapter bug')
        },
      }),
      timeout: 1000,
      csrfHeaders: {},
      getFetch: () => async () => Response.json({}),
      clock: systemClock,
    })
    const outcome = await t.refresh(null)
    expect(outcome.kind === 'invalid' && outcome.error).toBeInstanceOf(InvalidTokenError)
  })

  it('does not read a 200 MB reply into memory: a reply over the cap is invalid, the stream cancelled', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20)
    let pulled = 0
    let cancelled = false
    const huge = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled >= 200 * chunk.length) return controller.close()
          pulled += chunk.length
          controller.enqueue(chunk)
        },
        cancel() {
          cancelled = true
        },
      })
    const { t } = transport(() => new Response(huge(), { status: 200, headers: { 'content-type': 'application/json' } }))
    const outcome = await t.refresh(null)
    expect(outcome.kind === 'invalid' && outcome.error).toBeInstanceOf(InvalidTokenError)
    expect(pulled).toBeLessThanOrEqual(MAX_REPLY_BYTES + 2 * chunk.length)
    expect(cancelled).toBe(true)
    // A declared length over the cap is refused before reading anything.
    pulled = 0
    const declared = transport(() => new Response(huge(), { status: 200, headers: { 'content-length': String(200 * chunk.length) } }))
    expect((await declared.t.login({})).kind).toBe('invalid')
    expect(pulled).toBeLessThanOrEqual(chunk.length * 2)
    // A reply at the cap is read.
    const { t: fits } = transport(() => Response.json({ accessToken: 'a', expiresIn: 60, pad: 'x'.repeat(MAX_REPLY_BYTES - 100) }))
    expect((await fits.refresh(null)).kind).toBe('ok')
  })

  describe('with fake timers', () => {
    beforeEach(() => vi.useFakeTimers())
    afterEach(() => vi.useRealTimers())
    it('times out a hanging request as transient', async () => {
      const { t } = transport((request) => new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason))), {
        timeout: 500,
      })
      const pending = t.refresh(null)
      await vi.advanceTimersByTimeAsync(500)
      expect(await pending).toMatchObject({ kind: 'transient' })
    })
  })

  it('logout never throws and sends everywhere and the bearer', async () => {
    const { t, seen } = transport(() => new Response(null, { status: 204 }))
    expect(await t.logout({ everywhere: true, refreshToken: null, accessToken: 'acc' })).toBe(204)
    expect(await seen[0]!.json()).toEqual({ everywhere: true })
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer acc')
    const failing = transport(() => Promise.reject(new TypeError('offline')))
    expect(await failing.t.logout({ everywhere: false, refreshToken: null, accessToken: null })).toBeUndefined()
  })
})

describe('AuthTransport under msw setupServer (mocked bodies whose cancel never settles)', () => {
  it('a failed refresh, an oversized reply and a logout all settle', async () => {
    const { setupServer } = await import('msw/node')
    const { http, HttpResponse } = await import('msw')
    const server = setupServer(
      http.post('http://msw.test/auth/refresh', () => HttpResponse.json({ error: 'invalid_grant' }, { status: 401 })),
      http.post('http://msw.test/auth/login', () => new HttpResponse('x', { headers: { 'content-length': String(MAX_REPLY_BYTES + 1) } })),
      http.post('http://msw.test/auth/logout', () => new HttpResponse('bye', { status: 200 })),
    )
    server.listen({ onUnhandledRequest: 'error' })
    try {
      const t = new AuthTransport({
        backend: defaultBackend({
          endpoints: { login: 'http://msw.test/auth/login', refresh: 'http://msw.test/auth/refresh', logout: 'http://msw.test/auth/logout' },
        }),
        timeout: 10_000,
        csrfHeaders: {},
        getFetch: () => globalThis.fetch,
        clock: systemClock,
      })
      expect(await t.refresh(null)).toMatchObject({ kind: 'rejected', status: 401 })
      expect(await t.login({})).toMatchObject({ kind: 'invalid' })
      expect(await t.logout({ everywhere: false, refreshToken: null, accessToken: null })).toBe(200)
    } finally {
      server.close()
    }
  })
})

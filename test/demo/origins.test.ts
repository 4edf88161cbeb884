import { getResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { createMockBackend, type MockBackendOptions } from '../../demo/mock/backend'
import { ALLOWED_ORIGINS_ENV, parseAllowedOrigins } from '../../demo/mock/origins'
import { createDemoBackend, ORIGIN } from './client'

const CSRF = { 'x-tokenkeeper': '1' }

function backend(options: MockBackendOptions = {}) {
  const b = createMockBackend({ origin: ORIGIN, ...options })
  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    (await getResponse(
      b.handlers,
      new Request(new URL(path, ORIGIN), {
        method,
        headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      }),
    ))!
  return { b, call }
}

const ALICE = { username: 'alice', password: 'wonderland' }

describe('Cache-Control: no-store on every /api/* and /auth/* reply', () => {
  it('successes, errors and empty replies alike', async () => {
    const demo = createDemoBackend()
    const device = demo.device()
    const replies = [
      await device.send('GET', '/api/me'), // 401
      await device.login('alice', 'wonderland'),
      await device.send('GET', '/api/me'),
      await device.send('GET', '/api/admin'),
      await device.send('GET', '/auth/sessions'),
      await device.send('POST', '/auth/refresh', { csrf: false }), // 403
      await device.refresh(),
      await device.send('POST', '/auth/login', { body: { username: 'alice', password: 'x' } }), // 401
      await device.send('POST', '/auth/logout'), // 204
    ]
    expect(replies.map((r) => r.status)).toEqual([401, 200, 200, 200, 200, 403, 200, 401, 204])
    for (const reply of replies) expect(reply.headers.get('cache-control')).toBe('no-store')
  })
})

describe('Origin check: loopback of any port by default, an allow-list otherwise', () => {
  it('accepts localhost, 127.0.0.1 and [::1] on any port and its own origin', async () => {
    const { call } = backend()
    for (const origin of ['http://localhost:5174', 'http://127.0.0.1:3000', 'https://localhost', 'http://[::1]:8080', ORIGIN]) {
      const login = await call('POST', '/auth/login', { ...CSRF, origin }, ALICE)
      expect(login.status, origin).toBe(200)
      const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!
      expect((await call('POST', '/auth/refresh', { ...CSRF, origin, cookie })).status, origin).toBe(200)
    }
  })

  it('refuses other origins with 403 origin_not_allowed naming the origin and the setting; login too', async () => {
    const { call } = backend()
    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'null', 'http://127.0.0.2:80']) {
      for (const path of ['/auth/login', '/auth/refresh', '/auth/logout']) {
        const response = await call('POST', path, { ...CSRF, origin }, ALICE)
        expect(response.status, `${origin} ${path}`).toBe(403)
        expect(response.headers.get('cache-control')).toBe('no-store')
        expect(await response.json()).toEqual({
          error: 'origin_not_allowed',
          message: `Origin ${origin} is not allowed: add it to TOKENKEEPER_ALLOWED_ORIGINS (or the allowedOrigins option)`,
        })
      }
    }
  })

  it('a missing CSRF header is a 403 csrf with a message', async () => {
    const { call } = backend()
    const response = await call('POST', '/auth/refresh', { origin: 'http://localhost:5174' })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ error: 'csrf', message: expect.stringMatching(/X-TokenKeeper: 1/) })
  })

  it('allowedOrigins replaces the loopback default (its own origin stays allowed)', async () => {
    const { call } = backend({ allowedOrigins: ['https://app.example.com', 'http://localhost:5174/'] })
    expect((await call('POST', '/auth/login', { origin: 'https://app.example.com' }, ALICE)).status).toBe(200)
    expect((await call('POST', '/auth/login', { origin: 'http://localhost:5174' }, ALICE)).status).toBe(200)
    expect((await call('POST', '/auth/login', { origin: ORIGIN }, ALICE)).status).toBe(200)
    expect((await call('POST', '/auth/login', { origin: 'http://localhost:3000' }, ALICE)).status).toBe(403)
  })

  it('an invalid allowedOrigins entry is a TypeError at construction', () => {
    expect(() => createMockBackend({ allowedOrigins: ['not a url'] })).toThrow(TypeError)
    expect(() => createMockBackend({ allowedOrigins: ['null'] })).toThrow(TypeError)
  })

  it(`${ALLOWED_ORIGINS_ENV} is a comma-separated list; empty or unset means the default`, () => {
    expect(parseAllowedOrigins(undefined)).toBeUndefined()
    expect(parseAllowedOrigins(' ')).toBeUndefined()
    expect(parseAllowedOrigins('https://a.example, http://localhost:5174 ,')).toEqual(['https://a.example', 'http://localhost:5174'])
  })
})

describe('CORS with credentials for allowed cross-origin callers', () => {
  it('answers the preflight and echoes the origin with credentials on replies', async () => {
    const { call } = backend()
    const origin = 'http://localhost:5174'
    const preflight = await call('OPTIONS', '/auth/refresh', {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'x-tokenkeeper,content-type',
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin)
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true')
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-tokenkeeper/)
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/)
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/DELETE/)
    const apiPreflight = await call('OPTIONS', '/api/me', { origin, 'access-control-request-method': 'GET' })
    expect(apiPreflight.status).toBe(204)

    const login = await call('POST', '/auth/login', { ...CSRF, origin }, ALICE)
    expect(login.headers.get('access-control-allow-origin')).toBe(origin)
    expect(login.headers.get('access-control-allow-credentials')).toBe('true')
    expect(login.headers.get('vary')).toMatch(/origin/i)
    const { accessToken } = (await login.json()) as { accessToken: string }
    const me = await call('GET', '/api/me', { origin, authorization: `Bearer ${accessToken}` })
    expect(me.status).toBe(200)
    expect(me.headers.get('access-control-allow-origin')).toBe(origin)
  })

  it('same-origin replies carry no CORS headers; a refused origin can read why', async () => {
    const { call } = backend()
    const same = await call('POST', '/auth/login', CSRF, ALICE)
    expect(same.headers.has('access-control-allow-origin')).toBe(false)
    const refused = await call('POST', '/auth/refresh', { ...CSRF, origin: 'https://evil.example' })
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://evil.example')
    expect(refused.headers.get('access-control-allow-credentials')).toBe('true')
  })
})

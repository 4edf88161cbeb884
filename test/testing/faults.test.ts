import { getResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { createMockBackend, type RefreshFault } from '../../src/testing/index'

// Issue 17: "fail the next N refreshes with a status and Retry-After": any status 400–599.
const ORIGIN = 'http://app.test'

async function signedIn() {
  const backend = createMockBackend({ origin: ORIGIN })
  const login = await getResponse(
    backend.handlers,
    new Request(`${ORIGIN}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":"alice","password":"wonderland"}',
    }),
  )
  const cookie = login!.headers.getSetCookie()[0]!.split(';')[0]!
  const refresh = async () =>
    (await getResponse(backend.handlers, new Request(`${ORIGIN}/auth/refresh`, { method: 'POST', headers: { 'x-tokenkeeper': '1', cookie } })))!
  return { backend, refresh }
}

describe('failNextRefreshes: any HTTP status 400–599', () => {
  it('serves statuses beyond the named ones, with Retry-After when given, then refreshes again', async () => {
    const { backend, refresh } = await signedIn()
    const statuses: RefreshFault[] = [400, 403, 418, 502, 504, 599]
    for (const status of statuses) backend.controls.failNextRefreshes(1, status, 4)
    for (const status of statuses) {
      const reply = await refresh()
      expect(reply.status).toBe(status)
      expect(reply.headers.get('retry-after')).toBe('4')
      expect(await reply.json()).toEqual({ error: 'fault' })
    }
    expect((await refresh()).status).toBe(200)
    expect(backend.controls.counters.statuses).toMatchObject({ 400: 1, 403: 1, 418: 1, 502: 1, 504: 1, 599: 1 })
  })

  it('refuses a status outside 400–599 (RangeError) or an unknown name (TypeError), naming what is allowed, and queues nothing', async () => {
    const { backend } = await signedIn()
    for (const kind of [399, 600, 200, 502.5, Number.NaN]) {
      expect(() => backend.controls.failNextRefreshes(1, kind)).toThrow(RangeError)
      expect(() => backend.controls.failNextRefreshes(1, kind)).toThrow(/HTTP status 400\u2013599 or one of network, lost, html, empty/)
    }
    expect(() => backend.controls.failNextRefreshes(1, 'teapot' as RefreshFault)).toThrow(TypeError)
    expect(backend.controls.faults.refreshFailures).toEqual([])
  })
})

import { describe, expect, it } from 'vitest'
import type { MockState } from '../../demo/mock/controls'
import { createDemoBackend } from './client'

const state = async (demo: ReturnType<typeof createDemoBackend>) => (await (await demo.control('/state')).json()) as MockState

describe('fault-control API (/__mock/*)', () => {
  it('GET /state reports counters, faults, token lifetime and that state is in memory', async () => {
    const demo = createDemoBackend()
    await demo.device().login('alice', 'wonderland')
    const s = await state(demo)
    expect(s.counters).toMatchObject({ loginCalls: 1, refreshCalls: 0, statuses: { 200: 1 } })
    expect(s.faults).toEqual({ refreshFailures: [], consumedFailures: [], latency: 0, clockOffset: 0, reuseGrace: 0 })
    expect(s.accessTokenLifetime).toBe(30)
    expect(s.sessions).toBe(1)
    expect(s.note).toMatch(/in memory/)
  })

  it('POST /faults sets every knob at once', async () => {
    const demo = createDemoBackend()
    const response = await demo.control('/faults', {
      refreshFailures: { count: 2, kind: 503, retryAfter: 3 },
      latency: 250,
      clockOffset: -3_600_000,
      reuseGrace: 2000,
      accessTokenLifetime: 5,
    })
    expect(response.status).toBe(200)
    const s = await state(demo)
    expect(s.faults).toEqual({
      refreshFailures: [
        { kind: 503, retryAfter: 3 },
        { kind: 503, retryAfter: 3 },
      ],
      consumedFailures: [],
      latency: 250,
      clockOffset: -3_600_000,
      reuseGrace: 2000,
    })
    expect(s.accessTokenLifetime).toBe(5)
  })

  it('queued refresh failures are served in order, then refresh works again', async () => {
    const demo = createDemoBackend()
    const device = demo.device()
    await device.login('bob', 'builder')
    await demo.control('/faults', { refreshFailures: { count: 1, kind: 429, retryAfter: 7 } })
    await demo.control('/faults', { refreshFailures: { count: 1, kind: 'network' } })
    await demo.control('/faults', { refreshFailures: { count: 1, kind: 'html' } })
    await demo.control('/faults', { refreshFailures: { count: 1, kind: 'empty' } })
    await demo.control('/faults', { refreshFailures: { count: 1, kind: '500' } })

    const limited = await device.refresh()
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('7')
    expect((await device.refresh()).type).toBe('error')
    const html = await device.refresh()
    expect(html.headers.get('content-type')).toMatch(/text\/html/)
    expect(await (await device.refresh()).text()).toBe('')
    expect((await device.refresh()).status).toBe(500)
    expect((await device.refresh()).status).toBe(200)
    const s = await state(demo)
    expect(s.counters.refreshCalls).toBe(6)
    expect(s.counters.refreshSuccesses).toBe(1)
    expect(s.faults.refreshFailures).toEqual([])
  })

  it('POST /faults takes any HTTP status 400–599 (number or digits); another kind is refused naming the range', async () => {
    const demo = createDemoBackend()
    const device = demo.device()
    await device.login('bob', 'builder')
    expect((await demo.control('/faults', { refreshFailures: { count: 1, kind: 502, retryAfter: 9 } })).status).toBe(200)
    expect((await demo.control('/faults', { refreshFailures: { count: 1, kind: '418' } })).status).toBe(200)
    expect((await demo.control('/faults', { refreshFailures: { count: 1, kind: 400 } })).status).toBe(200)
    const gateway = await device.refresh()
    expect(gateway.status).toBe(502)
    expect(gateway.headers.get('retry-after')).toBe('9')
    expect((await device.refresh()).status).toBe(418)
    expect((await device.refresh()).status).toBe(400)
    expect((await device.refresh()).status).toBe(200)
    const refused = await demo.control('/faults', { refreshFailures: { count: 1, kind: 600 } })
    expect(refused.status).toBe(400)
    expect(await refused.json()).toEqual({ error: 'refreshFailures.kind must be an HTTP status 400\u2013599 or one of network, lost, html, empty' })
  })

  it('a 401 fault ends the session for the client (cookie cleared)', async () => {
    const demo = createDemoBackend()
    const device = demo.device()
    await device.login('bob', 'builder')
    await demo.control('/faults', { refreshFailures: { count: 1, kind: 401 } })
    expect((await device.refresh()).status).toBe(401)
    expect(device.jar.has('tk_refresh')).toBe(false)
  })

  it('rejects bad fault bodies with 400 and applies nothing', async () => {
    const demo = createDemoBackend()
    for (const body of [
      { refreshFailures: { count: 1, kind: 600 } },
      { refreshFailures: { count: 1, kind: 399 } },
      { refreshFailures: { count: 1, kind: 'teapot' } },
      { refreshFailures: { count: -1, kind: 503 } },
      { latency: 'slow' },
      { accessTokenLifetime: 0 },
      { latency: 100, reuseGrace: -5 },
      [1, 2],
    ]) {
      const response = await demo.control('/faults', body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(await response.json()).toHaveProperty('error')
    }
    const { getResponse } = await import('msw')
    const notJson = await getResponse(demo.handlers, new Request('http://demo.test/__mock/faults', { method: 'POST', body: '{nope' }))
    expect(notJson?.status).toBe(400)
    expect((await state(demo)).faults).toEqual({ refreshFailures: [], consumedFailures: [], latency: 0, clockOffset: 0, reuseGrace: 0 })
  })

  it('POST /expire-access: the caller\u2019s access tokens get 401, a refresh gets a working one; other users\u2019 keep working', async () => {
    const demo = createDemoBackend()
    const device = demo.device()
    const bob = demo.device()
    await device.login('alice', 'wonderland')
    await bob.login('bob', 'builder')
    expect((await device.send('GET', '/api/me')).status).toBe(200)
    const response = await device.send('POST', '/__mock/expire-access', { auth: false })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ ok: true, username: 'alice', expired: 1 })
    expect((await device.send('GET', '/api/me')).status).toBe(401)
    expect((await bob.send('GET', '/api/me')).status).toBe(200)
    expect((await device.refresh()).status).toBe(200)
    expect((await device.send('GET', '/api/me')).status).toBe(200)
  })

  // Issue 5: "revoke every session of the user".
  async function threeDevices() {
    const demo = createDemoBackend()
    const phone = demo.device()
    const laptop = demo.device()
    const bob = demo.device()
    await phone.login('alice', 'wonderland')
    await laptop.login('alice', 'wonderland')
    await bob.login('bob', 'builder')
    const sid = (device: { accessToken: string | null }) =>
      (JSON.parse(atob(device.accessToken!.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { sid: string }).sid
    return { demo, phone, laptop, bob, sid }
  }

  for (const [how, call] of [
    ['the refresh cookie', (d: Awaited<ReturnType<typeof threeDevices>>) => d.phone.send('POST', '/__mock/revoke-all', { auth: false })],
    [
      'the Bearer token',
      (d: Awaited<ReturnType<typeof threeDevices>>) => {
        const bearerOnly = d.demo.device() // no cookie jar: only the phone's access token
        bearerOnly.accessToken = d.phone.accessToken
        return bearerOnly.send('POST', '/__mock/revoke-all')
      },
    ],
    ['{ sessionId }', (d: Awaited<ReturnType<typeof threeDevices>>) => d.demo.control('/revoke-all', { sessionId: d.sid(d.phone) })],
    ['{ username }', (d: Awaited<ReturnType<typeof threeDevices>>) => d.demo.control('/revoke-all', { username: 'alice' })],
  ] as const) {
    it(`POST /revoke-all by ${how} ends every session of that user, and only theirs`, async () => {
      const d = await threeDevices()
      const response = await call(d)
      expect(await response.json()).toMatchObject({ ok: true, username: 'alice', revoked: 2, state: { sessions: 1 } })
      expect((await d.phone.refresh()).status).toBe(401)
      expect((await d.laptop.refresh()).status).toBe(401)
      expect((await d.bob.refresh()).status).toBe(200)
    })
  }

  it('POST /expire-access by { username } or { sessionId } expires that user\u2019s tokens only', async () => {
    const d = await threeDevices()
    await d.demo.control('/expire-access', { username: 'bob' })
    expect((await d.bob.send('GET', '/api/me')).status).toBe(401)
    expect((await d.phone.send('GET', '/api/me')).status).toBe(200)
    await d.demo.control('/expire-access', { sessionId: d.sid(d.laptop) })
    expect((await d.phone.send('GET', '/api/me')).status).toBe(401)
    expect((await d.laptop.send('GET', '/api/me')).status).toBe(401)
  })

  it('POST /revoke-all and /expire-access: an unknown session is a 409, a bad body a 400, and nothing changes', async () => {
    const d = await threeDevices()
    for (const path of ['/revoke-all', '/expire-access']) {
      expect((await d.demo.control(path, { sessionId: 'gone' })).status).toBe(409)
      expect((await d.demo.control(path, { username: 7 })).status).toBe(400)
    }
    expect((await d.demo.state()).sessions).toBe(3)
    for (const device of [d.phone, d.laptop, d.bob]) expect((await device.send('GET', '/api/me')).status).toBe(200)
  })

  it('POST /expire-access and /revoke-all naming nobody (a script, curl without a cookie) act on every user, as they always did', async () => {
    const d = await threeDevices()
    expect(await (await d.demo.control('/expire-access')).json()).toMatchObject({ ok: true, username: null, expired: 3 })
    for (const device of [d.phone, d.laptop, d.bob]) expect((await device.send('GET', '/api/me')).status).toBe(401)
    expect(await (await d.demo.control('/revoke-all')).json()).toMatchObject({ ok: true, username: null, revoked: 3 })
    for (const device of [d.phone, d.laptop, d.bob]) expect((await device.refresh()).status).toBe(401)
  })

  it('POST /steal naming nobody is a 400 (never "any session")', async () => {
    const d = await threeDevices()
    const nobody = await d.demo.control('/steal')
    expect(nobody.status).toBe(400)
    expect(((await nobody.json()) as { error: string }).error).toMatch(/sessionId.*username/)
  })

  it('POST /steal replays a stolen refresh token: reuse detection revokes the victim', async () => {
    const demo = createDemoBackend()
    expect((await demo.control('/steal', { sessionId: 'none' })).status).toBe(409)
    const victim = demo.device()
    await victim.login('carol', 'singer')
    await victim.refresh()
    const response = await victim.send('POST', '/__mock/steal', { auth: false })
    expect(response.status).toBe(200)
    expect((await state(demo)).counters.reuseDetections).toBe(1)
    expect((await victim.refresh()).status).toBe(401)
  })

  it('POST /reset-counters zeroes counters only; POST /reset forgets everything', async () => {
    const demo = createDemoBackend()
    const device = demo.device()
    await device.login('alice', 'wonderland')
    await device.send('GET', '/api/admin')
    await demo.control('/faults', { latency: 10, accessTokenLifetime: 9 })

    await demo.control('/reset-counters')
    let s = await state(demo)
    expect(s.counters).toEqual({ refreshCalls: 0, refreshSuccesses: 0, reuseDetections: 0, loginCalls: 0, logoutCalls: 0, apiCalls: 0, statuses: {} })
    expect(s.sessions).toBe(1)
    expect(s.faults.latency).toBe(10)

    await demo.control('/reset')
    s = await state(demo)
    expect(s.sessions).toBe(0)
    expect(s.faults.latency).toBe(0)
    expect(s.accessTokenLifetime).toBe(30)
    expect((await device.refresh()).status).toBe(401)
  })

  it('admin endpoint: 403 for non-admins, 200 for alice', async () => {
    const demo = createDemoBackend()
    const alice = demo.device()
    const bob = demo.device()
    await alice.login('alice', 'wonderland')
    await bob.login('bob', 'builder')
    expect((await alice.send('GET', '/api/admin')).status).toBe(200)
    expect((await bob.send('GET', '/api/admin')).status).toBe(403)
  })
})

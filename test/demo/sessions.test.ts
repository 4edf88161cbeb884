import { describe, expect, it } from 'vitest'
import { createDemoBackend } from './client'

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1'
const FIREFOX_WIN = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0'

type Row = { id: string; current: boolean; device: string; browser: string; os: string; ip: string; lastActiveAt: string }

async function list(device: ReturnType<ReturnType<typeof createDemoBackend>['device']>): Promise<Row[]> {
  const response = await device.send('GET', '/auth/sessions')
  expect(response.status).toBe(200)
  return ((await response.json()) as { sessions: Row[] }).sessions
}

describe('device sessions API', () => {
  it('lists the user\u2019s sessions with device, browser, OS, IP and a current badge', async () => {
    const demo = createDemoBackend()
    const laptop = demo.device()
    const phone = demo.device(IPHONE)
    const bob = demo.device()
    expect((await laptop.login('alice', 'wonderland')).status).toBe(200)
    demo.advance(1000)
    expect((await phone.login('alice', 'wonderland')).status).toBe(200)
    expect((await bob.login('bob', 'builder')).status).toBe(200)

    const rows = await list(laptop)
    expect(rows).toHaveLength(2) // bob's session is not alice's business
    const current = rows.filter((r) => r.current)
    expect(current).toHaveLength(1)
    expect(current[0]).toMatchObject({ device: 'desktop', browser: 'Chrome', os: 'Linux', ip: '127.0.0.1' })
    expect(rows.find((r) => !r.current)).toMatchObject({ device: 'mobile', browser: 'Safari', os: 'iOS' })
    // Most recently active first: listing is activity of the current session.
    expect(rows[0]!.current).toBe(true)
  })

  it('revokes one session: its refresh token stops working, the others keep theirs', async () => {
    const demo = createDemoBackend()
    const laptop = demo.device()
    const phone = demo.device(IPHONE)
    await laptop.login('alice', 'wonderland')
    await phone.login('alice', 'wonderland')
    const phoneRow = (await list(laptop)).find((r) => !r.current)!

    expect((await laptop.send('DELETE', `/auth/sessions/${phoneRow.id}`)).status).toBe(204)
    expect((await phone.refresh()).status).toBe(401)
    expect((await phone.send('GET', '/api/me')).status).toBe(401)
    expect((await laptop.refresh()).status).toBe(200)
    expect(await list(laptop)).toHaveLength(1)
  })

  it('refuses to revoke someone else\u2019s session (404) and mutations without the CSRF header (403)', async () => {
    const demo = createDemoBackend()
    const alice = demo.device()
    const bob = demo.device()
    await alice.login('alice', 'wonderland')
    await bob.login('bob', 'builder')
    const bobSession = (await list(bob))[0]!.id
    expect((await alice.send('DELETE', `/auth/sessions/${bobSession}`)).status).toBe(404)
    expect((await alice.send('POST', '/auth/sessions/revoke-others', { csrf: false })).status).toBe(403)
    expect((await alice.send('POST', '/auth/refresh', { csrf: false, auth: false })).status).toBe(403)
    expect((await bob.refresh()).status).toBe(200)
  })

  it('revoke-others keeps only the current session', async () => {
    const demo = createDemoBackend()
    const devices = [demo.device(), demo.device(IPHONE), demo.device(FIREFOX_WIN)]
    for (const d of devices) await d.login('carol', 'singer')
    const response = await devices[0]!.send('POST', '/auth/sessions/revoke-others')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ revoked: 2 })
    const rows = await list(devices[0]!)
    expect(rows).toHaveLength(1)
    expect(rows[0]!.current).toBe(true)
    expect((await devices[1]!.refresh()).status).toBe(401)
    expect((await devices[2]!.refresh()).status).toBe(401)
  })

  it('caps a user at 10 sessions by evicting the oldest', async () => {
    const demo = createDemoBackend()
    const devices = Array.from({ length: 11 }, () => demo.device())
    for (const d of devices) {
      await d.login('bob', 'builder')
      demo.advance(10)
    }
    expect(await list(devices[10]!)).toHaveLength(10)
    expect((await devices[0]!.refresh()).status).toBe(401)
    expect((await devices[1]!.refresh()).status).toBe(200)
    expect((await devices[10]!.refresh()).status).toBe(200)
  })

  it('rotation: the previous refresh token is reuse and revokes the family', async () => {
    const demo = createDemoBackend()
    const laptop = demo.device()
    await laptop.login('alice', 'wonderland')
    const first = laptop.jar.get('tk_refresh')!
    expect((await laptop.refresh()).status).toBe(200)
    expect(laptop.jar.get('tk_refresh')).not.toBe(first)
    const thief = demo.device()
    thief.jar.set('tk_refresh', first)
    expect((await thief.refresh()).status).toBe(401)
    expect((await laptop.refresh()).status).toBe(401)
    expect(demo.backend.controls.counters.reuseDetections).toBe(1)
  })
})

describe('login rate limiting', () => {
  it('five wrong passwords lock the name for 30 s with Retry-After, then it opens again', async () => {
    const demo = createDemoBackend()
    const device = demo.device()
    for (let i = 0; i < 5; i++) expect((await device.login('alice', 'nope')).status).toBe(401)
    const limited = await device.login('alice', 'wonderland')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('30')
    expect(await limited.json()).toMatchObject({ error: 'rate_limited', retryAfter: 30 })

    // Other names are not affected.
    expect((await demo.device().login('bob', 'builder')).status).toBe(200)

    demo.advance(20_000)
    const still = await device.login('alice', 'wonderland')
    expect(still.status).toBe(429)
    expect(still.headers.get('retry-after')).toBe('10')

    demo.advance(10_001)
    expect((await device.login('alice', 'wonderland')).status).toBe(200)
  })

  it('a successful login resets the failure count', async () => {
    const demo = createDemoBackend()
    const device = demo.device()
    for (let i = 0; i < 4; i++) await device.login('carol', 'x')
    expect((await device.login('carol', 'singer')).status).toBe(200)
    for (let i = 0; i < 4; i++) expect((await device.login('carol', 'x')).status).toBe(401)
    expect((await device.login('carol', 'singer')).status).toBe(200)
  })

  it('rejects a body that is not JSON with 400', async () => {
    const demo = createDemoBackend()
    const response = await demo.device().send('POST', '/auth/login', { headers: { 'content-type': 'application/json' }, body: undefined })
    expect(response.status).toBe(400)
  })
})

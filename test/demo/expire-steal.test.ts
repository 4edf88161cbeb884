import { describe, expect, it } from 'vitest'
import { createDemoBackend } from './client'

type Json = Record<string, unknown>

describe('"Expire access tokens": a generation counter, not a time cut-off', () => {
  it('the very next refresh gives a working token, with no time passing', async () => {
    const demo = createDemoBackend()
    const device = demo.device()
    await device.login('alice', 'wonderland')
    expect((await device.send('GET', '/api/me')).status).toBe(200)
    expect((await demo.control('/expire-access', { username: 'alice' })).status).toBe(200)
    expect((await device.send('GET', '/api/me')).status).toBe(401)
    expect((await device.refresh()).status).toBe(200)
    expect((await device.send('GET', '/api/me')).status).toBe(200)
  })

  it('access tokens carry the session generation; expiring bumps it for every session of the user', async () => {
    const demo = createDemoBackend()
    const a = demo.device()
    const b = demo.device()
    await a.login('alice', 'wonderland')
    await b.login('bob', 'builder')
    const gen = (token: string | null) => (JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString()) as Json).gen
    expect(gen(a.accessToken)).toBe(0)
    await demo.control('/expire-access', { username: 'alice' })
    await demo.control('/expire-access', { username: 'alice' })
    await demo.control('/expire-access', { username: 'bob' })
    expect((await a.send('GET', '/api/me')).status).toBe(401)
    expect((await b.send('GET', '/api/me')).status).toBe(401)
    await a.refresh()
    expect(gen(a.accessToken)).toBe(2)
    expect((await a.send('GET', '/api/me')).status).toBe(200)
    expect((await b.send('GET', '/api/me')).status).toBe(401)
  })
})

describe('"Replay stolen refresh token" targets the caller\u2019s own session', () => {
  async function twoUsers() {
    const demo = createDemoBackend()
    const bob = demo.device()
    const alice = demo.device()
    await bob.login('bob', 'builder')
    await alice.login('alice', 'wonderland')
    const sid = async (device: typeof bob) => ((await (await device.send('GET', '/api/me')).json()) as { sessionId: string }).sessionId
    return { demo, bob, alice, aliceSid: await sid(alice), bobSid: await sid(bob) }
  }

  it('by sessionId in the body: that session is revoked, the other user\u2019s is untouched, and the reply says whose', async () => {
    const { demo, bob, alice, aliceSid } = await twoUsers()
    const response = await demo.control('/steal', { sessionId: aliceSid })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ ok: true, target: { sessionId: aliceSid, username: 'alice' } })
    expect((await alice.refresh()).status).toBe(401)
    expect((await bob.refresh()).status).toBe(200)
  })

  it('by the caller\u2019s refresh cookie (curl -b) or Bearer token', async () => {
    const { bob, alice, aliceSid, bobSid } = await twoUsers()
    const byCookie = await alice.send('POST', '/__mock/steal', { auth: false })
    expect(await byCookie.json()).toMatchObject({ target: { sessionId: aliceSid, username: 'alice' } })
    bob.jar.clear() // the Bearer token alone
    const byBearer = await bob.send('POST', '/__mock/steal', { csrf: false })
    expect(await byBearer.json()).toMatchObject({ target: { sessionId: bobSid, username: 'bob' } })
  })

  it('names no session → 400 saying how to name one; an unknown or ended session → 409', async () => {
    const { demo, alice, aliceSid } = await twoUsers()
    const anonymous = await demo.control('/steal', {})
    expect(anonymous.status).toBe(400)
    expect(((await anonymous.json()) as Json).error).toMatch(/sessionId/)
    expect((await demo.control('/steal', { sessionId: 'nope' })).status).toBe(409)
    await alice.send('POST', '/auth/logout')
    expect((await demo.control('/steal', { sessionId: aliceSid })).status).toBe(409)
    expect((await demo.state()).counters.reuseDetections).toBe(0)
  })
})

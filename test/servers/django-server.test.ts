// The simplejwt server itself, over raw HTTP: what the simplejwt() preset relies on, measured
// against Django REST framework simplejwt from Debian's packages (test/servers/django.mjs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DjangoServer, startDjango } from './django.mjs'
import { eventually, jwtPayload } from './poll'

let server: DjangoServer
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const obtain = async () => {
  const response = await fetch(`${server.url}/api/token/`, json({ username: 'alice', password: 'wonderland' }))
  expect(response.status).toBe(200)
  return (await response.json()) as { access: string; refresh: string }
}

beforeAll(async () => {
  server = await startDjango({ accessSeconds: 2 })
}, 30_000)
afterAll(() => server?.close())

describe('Django simplejwt server (raw HTTP)', () => {
  it('obtains a pair, guards /api/me, refuses a wrong password with 401', async () => {
    const { access } = await obtain()
    expect((await fetch(`${server.url}/api/me`)).status).toBe(401)
    const me = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${access}` } })
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ username: 'alice' })
    const wrong = await fetch(`${server.url}/api/token/`, json({ username: 'alice', password: 'nope' }))
    expect(wrong.status).toBe(401)
  })

  it('rotates: the new pair works, the old refresh token is blacklisted (401 token_not_valid)', async () => {
    const first = await obtain()
    const rotated = await fetch(`${server.url}/api/token/refresh/`, json({ refresh: first.refresh }))
    expect(rotated.status).toBe(200)
    const pair = (await rotated.json()) as { access: string; refresh: string }
    expect(pair.refresh).toEqual(expect.any(String))
    expect(pair.refresh).not.toBe(first.refresh)
    const replay = await fetch(`${server.url}/api/token/refresh/`, json({ refresh: first.refresh }))
    expect(replay.status).toBe(401)
    expect(await replay.json()).toMatchObject({ code: 'token_not_valid' })
    expect((await fetch(`${server.url}/api/token/refresh/`, json({ refresh: pair.refresh }))).status).toBe(200)
  })

  it('answers the default contract\'s body ({ refreshToken }) with 400 "This field is required"', async () => {
    const { refresh } = await obtain()
    const response = await fetch(`${server.url}/api/token/refresh/`, json({ refreshToken: refresh }))
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ refresh: ['This field is required.'] })
  })

  it('access tokens expire after ACCESS_TOKEN_LIFETIME, read as exp against the Date header', async () => {
    const response = await fetch(`${server.url}/api/token/`, json({ username: 'alice', password: 'wonderland' }))
    const date = Date.parse(response.headers.get('date') ?? '')
    expect(Number.isFinite(date)).toBe(true)
    const { access } = (await response.json()) as { access: string }
    const exp = Number(jwtPayload(access).exp)
    // The Date header has 1 s resolution.
    expect(exp * 1000 - date).toBeGreaterThan(1000)
    expect(exp * 1000 - date).toBeLessThanOrEqual(3000)
    await eventually(async () => (await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${access}` } })).status === 401, {
      timeout: 6000,
      message: 'the access token to expire',
    })
  }, 10_000)

  it("simplejwt 5.2 keeps the refresh token's iat in refreshed access tokens (exp - iat is not the lifetime)", async () => {
    const first = await obtain()
    const refreshIat = Number(jwtPayload(first.refresh).iat)
    // Let at least one second pass on the server's clock, so a fresh iat would differ.
    await eventually(() => Math.floor(Date.now() / 1000) > refreshIat + 1, { timeout: 3000, message: 'a new second' })
    const rotated = (await (await fetch(`${server.url}/api/token/refresh/`, json({ refresh: first.refresh }))).json()) as { access: string }
    const payload = jwtPayload(rotated.access)
    expect(Number(payload.exp) - Number(payload.iat)).toBeGreaterThan(2)
  }, 10_000)

  it('blacklist (logout) answers 200; the refresh token is refused afterwards with 401', async () => {
    const { refresh } = await obtain()
    const logout = await fetch(`${server.url}/api/token/blacklist/`, json({ refresh }))
    expect(logout.status).toBe(200)
    const after = await fetch(`${server.url}/api/token/refresh/`, json({ refresh }))
    expect(after.status).toBe(401)
    expect(await after.json()).toMatchObject({ code: 'token_not_valid', detail: 'Token is blacklisted' })
  })

  it('counts requests per path (GET /__stats)', async () => {
    const before = (await server.stats())['POST /api/token/'] ?? 0
    await obtain()
    expect((await server.stats())['POST /api/token/']).toBe(before + 1)
  })
})

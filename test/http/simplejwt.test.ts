import { describe, expect, it } from 'vitest'
import { InvalidTokenError } from '../../src'
import { simplejwt } from '../../src/http/simplejwt'
import type { BackendContext, BackendReply } from '../../src/http/backend'
import { browserEnvironment } from '../../src/util/environment'
import { makeJwt } from '../helpers/jwt'

const context: BackendContext = {
  baseUrl: 'https://api.example.com',
  resolve: (path) => new URL(path, 'https://api.example.com/').href,
  environment: browserEnvironment,
  fetch: () => Promise.reject(new Error('unused')),
}
const reply = (body: unknown, headers: Record<string, string> = {}, receivedAt = Date.parse('2026-01-01T00:00:00Z')): BackendReply => ({
  status: 200,
  headers: new Headers(headers),
  body,
  receivedAt,
})

describe('simplejwt()', () => {
  const backend = simplejwt()(context)

  it('speaks simplejwt: {prefix}/, refresh/ with { refresh }, blacklist/; body mode, no CSRF header, no cookies', () => {
    expect(backend.refreshTokenTransport).toBe('body')
    expect(backend.login({ username: 'u', password: 'p' })).toEqual({ url: 'https://api.example.com/api/token/', body: { username: 'u', password: 'p' } })
    expect(backend.refresh('r1')).toEqual({ url: 'https://api.example.com/api/token/refresh/', body: { refresh: 'r1' } })
    expect(backend.logout({ refreshToken: 'r1', accessToken: 'a', everywhere: false })).toEqual([
      { url: 'https://api.example.com/api/token/blacklist/', body: { refresh: 'r1' } },
    ])
    expect(backend.logout({ refreshToken: null, accessToken: 'a', everywhere: false })).toEqual([])
    expect(backend.logoutEverywhere).toBe(false)
    expect(simplejwt({ prefix: '/auth/jwt/' })(context).refresh('r').url).toBe('https://api.example.com/auth/jwt/refresh/')
  })

  it('reads { access, refresh } and { access } (rotation off)', () => {
    const now = Date.parse('2026-01-01T00:00:00Z') / 1000
    const access = makeJwt({ exp: now + 300, iat: now })
    const date = { date: new Date(now * 1000).toUTCString() }
    expect(backend.readTokens(reply({ access, refresh: 'r2' }, date))).toEqual({ accessToken: access, refreshToken: 'r2', expiresIn: 299 })
    expect(backend.readTokens(reply({ access }, date))).toEqual({ accessToken: access, expiresIn: 299 })
  })

  it("never trusts exp − iat (simplejwt 5.2 copies the refresh token's iat): exp against the server's Date", () => {
    const serverNow = Date.parse('2026-01-01T00:00:00Z') / 1000
    // A 5 s token whose iat is the refresh token's, 3 s earlier: exp − iat would say 8 s.
    const access = makeJwt({ exp: serverNow + 5, iat: serverNow - 3 })
    const tokens = backend.readTokens(reply({ access }, { date: new Date(serverNow * 1000).toUTCString() }))
    expect(tokens.expiresIn).toBe(4) // a second short (Date has whole seconds), never long
  })

  it('a short token (3 s, or 2 s by the Date) is taken at the 2 s minimum, not a second short and refused', () => {
    const serverNow = Date.parse('2026-01-01T00:00:00Z') / 1000
    const date = { date: new Date(serverNow * 1000).toUTCString() }
    expect(backend.readTokens(reply({ access: makeJwt({ exp: serverNow + 3, iat: serverNow }) }, date)).expiresIn).toBe(2)
    expect(backend.readTokens(reply({ access: makeJwt({ exp: serverNow + 2, iat: serverNow - 1 }) }, date)).expiresIn).toBe(2)
    // Below the minimum by the server's own clock: still what it is (the SDK refuses it, with a cooldown).
    expect(backend.readTokens(reply({ access: makeJwt({ exp: serverNow + 1, iat: serverNow }) }, date)).expiresIn).toBe(1)
  })

  it('a prefix that is not a string is a clear TypeError', () => {
    expect(() => simplejwt({ prefix: 5 as unknown as string })).toThrow(/simplejwt `prefix` must be a string/)
  })

  it('without a readable Date (cross-origin): exp against the local receipt time, still not exp − iat', () => {
    const receivedAt = Date.parse('2026-01-01T00:00:00Z')
    const access = makeJwt({ exp: receivedAt / 1000 + 5, iat: receivedAt / 1000 - 3 })
    expect(backend.readTokens(reply({ access }, {}, receivedAt)).expiresIn).toBe(5)
  })

  it('accessTokenLifetime overrides the reading', () => {
    const access = makeJwt({ exp: 1, iat: 0 })
    expect(simplejwt({ accessTokenLifetime: 300 })(context).readTokens(reply({ access })).expiresIn).toBe(300)
    expect(() => simplejwt({ accessTokenLifetime: -1 })).toThrow(TypeError)
  })

  it('bad replies are InvalidTokenError', () => {
    expect(() => backend.readTokens(reply({ token: 'x' }))).toThrow(InvalidTokenError)
    expect(() => backend.readTokens(reply('<html>'))).toThrow(InvalidTokenError)
    expect(() => backend.readTokens(reply({ access: 'a.b', refresh: 5 }))).toThrow(InvalidTokenError)
  })

  it('401 token_not_valid ends the session; a 400 field error is a misconfiguration; 5xx transient', () => {
    const failure = (status: number, body: unknown) => backend.classifyRefreshFailure({ ...reply(body), status })
    expect(failure(401, { detail: 'Token is invalid or expired', code: 'token_not_valid' })).toBe('ended')
    expect(failure(400, { refresh: ['This field is required.'] })).toBe('misconfigured')
    expect(failure(502, '<html>')).toBe('transient')
  })
})

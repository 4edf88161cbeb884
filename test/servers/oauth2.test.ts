// TokenManager with the oauth2() preset in Node against panva's oidc-provider (test/servers/oidc.mjs):
// tokens from a code exchange done elsewhere (setSession with the OAuth snake_case reply), the
// refresh grant, rotation, misconfiguration, reuse detection and RFC 7009 logout. The browser
// redirect flow is test/e2e/oidc.e2e.mjs. Real time, polled with deadlines.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { isRefreshError, isSessionExpiredError, oauth2, TokenManager } from '../../src'
import { type OidcServer, startOidcProvider } from './oidc.mjs'
import { authorize, exchangeCode, refreshGrant } from './oidc-flow.mjs'
import { eventually } from './poll'

const ACCESS_TTL = 3
const redirectUri = 'http://localhost:5999/callback'
let server: OidcServer

type Reply = { access_token: string; refresh_token: string; expires_in: number }
/** A code exchange as another part of the app would do it: the raw token endpoint reply. */
async function exchange(): Promise<Reply> {
  const grant = await authorize(server, { redirectUri })
  const response = await exchangeCode(server, { ...grant, redirectUri })
  expect(response.status).toBe(200)
  return (await response.json()) as Reply
}

/** Records the refresh tokens the SDK sends and the ones the server issues (the test replays them). */
function recordingFetch() {
  const sentRefreshTokens: string[] = []
  const issued: Reply[] = []
  const wrapped: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    if (request.method === 'POST' && request.url === server.token_endpoint) {
      const form = new URLSearchParams(await request.clone().text())
      const token = form.get('refresh_token')
      if (token) sentRefreshTokens.push(token)
    }
    const response = await fetch(request)
    if (request.url === server.token_endpoint && response.ok) issued.push((await response.clone().json()) as Reply)
    return response
  }
  return { fetch: wrapped, sentRefreshTokens, issued }
}

const managers: TokenManager[] = []
function manager(recorder: ReturnType<typeof recordingFetch>, clientId = server.clientId) {
  const tm = new TokenManager({
    // Outside a browser there is no page origin to default to.
    baseUrl: server.issuer,
    authorizedOrigins: [server.issuer],
    backend: oauth2({
      clientId,
      tokenEndpoint: server.token_endpoint,
      revocationEndpoint: server.revocation_endpoint,
      authorizationEndpoint: server.authorization_endpoint,
      redirectUri,
      scope: 'openid offline_access',
    }),
    fetch: recorder.fetch,
    crossTab: false,
    // No activity in Node: the proactive refresh stays off, the token lapses, tm.fetch refreshes.
    idleTimeout: 10 * 60_000,
  })
  managers.push(tm)
  return tm
}

const tokenLapsed = (tm: TokenManager) =>
  eventually(
    () => {
      const { expiresAt } = tm.getSnapshot()
      return expiresAt !== null && expiresAt <= Date.now()
    },
    { timeout: (ACCESS_TTL + 3) * 1000, interval: 50, message: 'the access token to lapse' },
  )
const refreshGrants = () => server.grants('refresh_token')

beforeAll(async () => {
  server = await startOidcProvider({ redirectUris: [redirectUri], accessTokenTtl: ACCESS_TTL })
})
afterEach(() => {
  for (const tm of managers.splice(0)) tm.destroy()
})
afterAll(() => server?.close())

describe('oauth2() against oidc-provider (Node)', () => {
  it('setSession takes the snake_case reply; a storm after expiry makes one refresh grant, form-encoded, no Authorization', async () => {
    const recorder = recordingFetch()
    const tm = manager(recorder)
    tm.setSession(await exchange())
    expect(tm.getSnapshot().status).toBe('active')
    expect((await tm.fetch(server.userinfo_endpoint)).status).toBe(200)
    await tokenLapsed(tm)
    const before = refreshGrants().length
    const requestsBefore = server.log.requests.length

    const responses = await Promise.all(Array.from({ length: 50 }, () => tm.fetch(server.userinfo_endpoint)))

    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200))
    expect(refreshGrants().slice(before)).toEqual([expect.objectContaining({ ok: true })])
    const tokenCalls = server.log.requests.slice(requestsBefore).filter((r) => r.path === '/token')
    expect(tokenCalls).toEqual([expect.objectContaining({ method: 'POST', status: 200, authorization: '' })])
    expect(tokenCalls[0]?.contentType).toMatch(/^application\/x-www-form-urlencoded/)
  }, 20_000)

  it('rotates: every refresh sends the token the previous one issued, none is refused', async () => {
    const recorder = recordingFetch()
    const tm = manager(recorder)
    const first = await exchange()
    tm.setSession(first)
    const before = refreshGrants().length
    for (let rotation = 1; rotation <= 2; rotation += 1) {
      await tokenLapsed(tm)
      expect((await tm.fetch(server.userinfo_endpoint)).status).toBe(200)
    }
    expect(recorder.sentRefreshTokens).toEqual([first.refresh_token, recorder.issued[0]?.refresh_token])
    expect(
      refreshGrants()
        .slice(before)
        .map((g) => g.ok),
    ).toEqual([true, true])
  }, 20_000)

  it('a misconfigured client (invalid_client, answered 401) is a RefreshError, not a logout', async () => {
    const tm = manager(recordingFetch(), 'no-such-client')
    tm.setSession(await exchange())

    const error = await tm.refresh().catch((e: unknown) => e)

    expect(isRefreshError(error)).toBe(true)
    expect(error).toMatchObject({ status: 401, error: 'invalid_client', transient: false })
    expect(tm.getSnapshot().status).toBe('active')
  })

  it('a replayed refresh token makes the provider revoke the grant: the next refresh ends the session (refresh_rejected)', async () => {
    const recorder = recordingFetch()
    const tm = manager(recorder)
    const first = await exchange()
    tm.setSession(first)
    await tokenLapsed(tm)
    expect((await tm.fetch(server.userinfo_endpoint)).status).toBe(200)
    // Someone replays the rotated-away token: reuse detection revokes the whole grant.
    const replay = await refreshGrant(server, first.refresh_token)
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' })
    await tokenLapsed(tm)

    const error = await tm.fetch(server.userinfo_endpoint).catch((e: unknown) => e)

    expect(isSessionExpiredError(error) && error.reason).toBe('refresh_rejected')
    expect(tm.getSnapshot().status).toBe('expired')
  }, 20_000)

  it('logout revokes (RFC 7009, form-encoded with client_id, no Bearer): introspection says inactive', async () => {
    const recorder = recordingFetch()
    const tm = manager(recorder)
    const reply = await exchange()
    tm.setSession(reply)
    const requestsBefore = server.log.requests.length

    await tm.logout()

    expect(tm.getSnapshot().status).toBe('signedOut')
    const revocations = server.log.requests.slice(requestsBefore).filter((r) => r.path === '/token/revocation')
    expect(revocations.length).toBeGreaterThanOrEqual(1)
    for (const call of revocations) {
      expect(call).toMatchObject({ method: 'POST', status: 200, authorization: '' })
      expect(call.contentType).toMatch(/^application\/x-www-form-urlencoded/)
    }
    expect(await server.introspect(reply.refresh_token)).toEqual({ active: false })
    expect(await server.introspect(reply.access_token)).toEqual({ active: false })
    expect(await (await refreshGrant(server, reply.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' })
  })
})

// The oauth2() preset against panva's oidc-provider for the storm and cross-tab benchmarks: the
// test harness (test/servers/oidc.mjs: in-process, in-memory, rotation on, clockTolerance 0),
// tokens from the code + PKCE flow done from Node (test/servers/oidc-flow.mjs), and managers
// that start from that reply with setSession(). The provider runs in the bench's own process
// (it is not a child process like bench/server.ts), so client and server share a core.
import { oauth2, TokenManager, type TokenManagerOptions } from '../../src/index'
import { authorize, exchangeCode, refreshGrant } from '../../test/servers/oidc-flow.mjs'
import { type OidcServer, startOidcProvider } from '../../test/servers/oidc.mjs'
import { sleep } from './env'
import { median } from './stats'

export type { OidcServer }

const REDIRECT_URI = 'http://localhost:5999/callback'

/** The snake_case token reply of a code exchange (a refresh token included). */
export type OAuthReply = {
  access_token: string
  refresh_token: string
  expires_in: number
}

/** oidc-provider with access tokens of `accessTokenTtl` seconds (whole seconds: its unit). */
export function startProvider(accessTokenTtl: number): Promise<OidcServer> {
  return startOidcProvider({ redirectUris: [REDIRECT_URI], accessTokenTtl })
}

/** A fresh sign-in: authorization code + PKCE through the provider's own pages, then the exchange. */
export async function signIn(server: OidcServer): Promise<OAuthReply> {
  const grant = await authorize(server, { redirectUri: REDIRECT_URI })
  const response = await exchangeCode(server, { ...grant, redirectUri: REDIRECT_URI })
  if (response.status !== 200) throw new Error(`code exchange answered ${response.status}`)
  return (await response.json()) as OAuthReply
}

/**
 * A manager with the oauth2() preset found by discovery. Idle tracking is on and nothing in Node
 * counts as activity, so the proactive refresh stays off: every refresh is on demand.
 */
export function oauthManager(server: OidcServer, options: Partial<TokenManagerOptions> = {}): TokenManager {
  return new TokenManager({
    // Outside a browser there is no page origin to default to.
    baseUrl: server.issuer,
    authorizedOrigins: [server.issuer],
    backend: oauth2({ issuer: server.issuer, clientId: server.clientId, redirectUri: REDIRECT_URI, scope: 'openid offline_access' }),
    idleTimeout: 3_600_000,
    crossTab: false,
    ...options,
  })
}

/** Refresh grants (and their failures) the provider saw from `since` (an index into its log). */
export function grantsSince(server: OidcServer, since: number) {
  const grants = server.log.grants.slice(since).filter((grant) => grant.grantType === 'refresh_token')
  return { refreshGrants: grants.length, invalidGrant: grants.filter((grant) => grant.error === 'invalid_grant').length }
}

/** Userinfo requests (the protected resource) the provider answered from `since` (an index into its request log). */
export function userinfoSince(server: OidcServer, since: number): number {
  const path = new URL(server.userinfo_endpoint).pathname
  return server.log.requests.slice(since).filter((request) => request.path === path).length
}

/** One refresh grant alone (bare fetch, rotation), median of 5: the yardstick for "added" latency. */
export async function refreshRoundTrip(server: OidcServer): Promise<number> {
  let refreshToken = (await signIn(server)).refresh_token
  const samples: number[] = []
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now()
    const response = await refreshGrant(server, refreshToken)
    refreshToken = ((await response.json()) as OAuthReply).refresh_token
    samples.push(performance.now() - t0)
  }
  return median(samples)
}

/** Waits until every manager's access token has lapsed by its own clock (and so at the provider: same clock, no tolerance). */
export async function untilLapsed(tabs: readonly TokenManager[]): Promise<void> {
  const expiresAt = Math.max(...tabs.map((tm) => tm.getSnapshot().expiresAt ?? 0))
  await sleep(Math.max(0, expiresAt - Date.now() + 5))
}

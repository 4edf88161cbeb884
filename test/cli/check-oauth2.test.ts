// `tokenkeeper check --backend oauth2` against panva's oidc-provider (test/servers/oidc.mjs):
// refresh tokens come from the code + PKCE flow run from Node (test/servers/oidc-flow.mjs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OidcServer, startOidcProvider } from '../servers/oidc.mjs'
import { authorize, exchangeCode } from '../servers/oidc-flow.mjs'
import { type JsonReport, runCheck, statuses, TOKEN_TEXT } from './run'

const redirectUri = 'http://localhost/callback'
let server: OidcServer
beforeAll(async () => {
  server = await startOidcProvider({ redirectUris: [redirectUri], accessTokenTtl: 300 })
}, 20_000)
afterAll(() => server?.close())

/** One sign-in (its own provider session, so its own grant): its refresh token. */
async function signIn(): Promise<string> {
  const { code, codeVerifier } = await authorize(server, { redirectUri })
  const response = await exchangeCode(server, { code, codeVerifier, redirectUri })
  const body = (await response.json()) as { refresh_token?: string }
  if (!body.refresh_token) throw new Error(`no refresh token (${response.status})`)
  return body.refresh_token
}

const find = (report: JsonReport, id: string) => report.results.find((r) => r.id === id)
const base = () => ['--backend', 'oauth2', '--issuer', server.issuer, '--client-id', server.clientId, '--json']

describe('tokenkeeper check --backend oauth2 against oidc-provider', () => {
  it('with two refresh tokens: discovery, the form-encoded grant, rotation with family revocation, revocation, CORS for the app origin; no token text', async () => {
    const tokens = [await signIn(), await signIn()]
    const run = await runCheck([...base(), '--refresh-token', tokens[0]!, '--refresh-token', tokens[1]!, '--app-origin', 'http://localhost'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as JsonReport
    expect(statuses(report)).toEqual({
      'discovery.issuer': 'pass',
      'discovery.endpoints': 'pass',
      'discovery.https': 'pass',
      'refresh.grant': 'pass',
      'expiry.hint': 'pass',
      'expiry.skew': 'pass',
      'expiry.lifetime': 'pass',
      'rotation.new': 'pass',
      'rotation.previous': 'pass',
      'rotation.family': 'pass',
      'logout.revoke': 'pass',
      'logout.everywhere': 'skip',
      'cors.app': 'pass',
      'cors.foreign': 'pass',
    })
    expect(find(report, 'rotation.previous')?.evidence).toBe('presented again right after rotation: 400 invalid_grant, no grace window')
    expect(find(report, 'rotation.family')?.evidence).toBe('after the reuse, the current refresh token is refused too (400 invalid_grant)')
    expect(find(report, 'logout.revoke')?.evidence).toBe('revocation 200, then a refresh with the token: 400 invalid_grant')
    expect(find(report, 'cors.app')?.evidence).toMatch(/^Origin http:\/\/localhost: Access-Control-Allow-Origin http:\/\/localhost/)
    for (const token of tokens) expect(run.stdout).not.toContain(token)
    expect(run.stdout).not.toMatch(TOKEN_TEXT)
    // The provider saw form-encoded refresh grants and one revocation, as the preset sends them.
    const posts = server.log.requests.filter((r) => r.method === 'POST' && (r.path === '/token' || r.path === '/token/revocation'))
    expect(posts.every((r) => r.contentType.startsWith('application/x-www-form-urlencoded') && r.authorization === '')).toBe(true)
    expect(posts.filter((r) => r.path === '/token/revocation')).toHaveLength(1)
    expect(server.log.revokedGrants).toBeGreaterThanOrEqual(1)
  })

  it('with one token (from the environment): revocation is skipped after the reuse revoked it; a foreign app origin fails CORS (exit 1)', async () => {
    const token = await signIn()
    const run = await runCheck([...base(), '--app-origin', 'http://app.test'], { env: { TOKENKEEPER_REFRESH_TOKEN: token } })
    expect(run.code).toBe(1)
    const report = JSON.parse(run.stdout) as JsonReport
    expect(find(report, 'logout.revoke')).toMatchObject({
      status: 'skip',
      evidence: expect.stringMatching(/^the reuse check revoked the only refresh token given: pass a second --refresh-token/),
    })
    expect(find(report, 'cors.app')).toMatchObject({ status: 'fail', evidence: expect.stringMatching(/Access-Control-Allow-Origin missing/) })
    expect(run.stdout).not.toContain(token)
  })

  it('a spent refresh token, a wrong client id and a wrong issuer exit 2 with one line, never echoing the token', async () => {
    const token = await signIn()
    const spent = await runCheck([...base(), '--refresh-token', token])
    expect(spent.code).toBe(0)
    const again = await runCheck([...base(), '--refresh-token', token])
    expect(again).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'tokenkeeper check: the refresh token was refused (400 invalid_grant): pass one from a fresh sign-in\n',
    })
    const client = await runCheck(['--backend', 'oauth2', '--issuer', server.issuer, '--client-id', 'nobody', '--refresh-token', await signIn()])
    expect(client).toMatchObject({
      code: 2,
      stderr: 'tokenkeeper check: the refresh token was refused (401 invalid_client): pass one from a fresh sign-in, and check --client-id\n',
    })
    const issuer = await runCheck(['--backend', 'oauth2', '--issuer', `${server.issuer}/tenant`, '--client-id', 'app', '--refresh-token', token])
    expect(issuer.code).toBe(2)
    expect(issuer.stderr).toMatch(/^tokenkeeper check: no metadata for http:\/\/localhost:\d+\/tenant: tried OpenID discovery and RFC 8414/)
    for (const r of [again, client, issuer]) expect(r.stderr).not.toContain(token)
  })
})

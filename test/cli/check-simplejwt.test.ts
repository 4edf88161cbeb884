// `tokenkeeper check --backend simplejwt` against a real Django REST framework simplejwt server
// (test/servers/django.mjs: ROTATE_REFRESH_TOKENS and BLACKLIST_AFTER_ROTATION on).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DjangoServer, startDjango } from '../servers/django.mjs'
import { type JsonReport, runCheck, statuses, TOKEN_TEXT } from './run'

let server: DjangoServer
beforeAll(async () => {
  // 6 s: long enough for the preset (it needs 4 s), short enough to warn about.
  server = await startDjango({ accessSeconds: 6, users: { alice: 'wonderland' } })
}, 30_000)
afterAll(() => server?.close())

const args = () => ['--backend', 'simplejwt', '--base-url', server.url, '--username', 'alice', '--password', 'wonderland']
const find = (report: JsonReport, id: string) => report.results.find((r) => r.id === id)

describe('tokenkeeper check --backend simplejwt against Django simplejwt', () => {
  it('passes rotation and blacklist logout, warns about no reuse detection, no "everywhere" and the short lifetime; body mode skips the cookie rows', async () => {
    const before = await server.stats()
    const run = await runCheck([...args(), '--json'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as JsonReport
    expect(statuses(report)).toEqual({
      'cookie.flags': 'skip',
      csrf: 'skip',
      'expiry.hint': 'pass',
      'expiry.skew': 'pass',
      'expiry.lifetime': 'warn',
      'rotation.new': 'pass',
      'rotation.previous': 'pass',
      'rotation.family': 'warn',
      'logout.revoke': 'pass',
      'logout.everywhere': 'warn',
      cors: 'skip',
      'rate-limit': 'skip',
    })
    expect(find(report, 'cookie.flags')?.evidence).toMatch(/^not applicable \(body mode\)/)
    expect(find(report, 'expiry.hint')?.evidence).toMatch(
      /^no expires_in \(simplejwt sends none\); exp against the Date header: [56] s, read one second short$/,
    )
    expect(find(report, 'expiry.lifetime')?.evidence).toMatch(/^[45] s: the SDK refreshes at half-life/)
    expect(find(report, 'rotation.previous')?.evidence).toBe('presented again right after rotation: 401 token_not_valid, no grace window')
    expect(find(report, 'rotation.family')?.evidence).toMatch(/current refresh token still works \(200\).*stock simplejwt blacklists only the token presented/)
    expect(find(report, 'logout.revoke')?.evidence).toBe('blacklist 200, then a refresh with the old token: 401 token_not_valid')
    expect(find(report, 'logout.everywhere')?.evidence).toMatch(/^not supported by stock simplejwt/)
    expect(run.stdout).not.toMatch(TOKEN_TEXT)
    expect(run.stdout).not.toContain('wonderland')
    // It spoke simplejwt to the server: three sign-ins, the refreshes, one blacklist.
    const after = await server.stats()
    const delta = (key: string) => (after[key] ?? 0) - (before[key] ?? 0)
    expect(delta('POST /api/token/')).toBe(3)
    expect(delta('POST /api/token/refresh/')).toBe(4)
    expect(delta('POST /api/token/blacklist/')).toBe(1)
  })

  it('prints the table (simplejwt contract); a cross-origin app without CORS fails; a wrong --prefix and a wrong password exit 2', async () => {
    const table = await runCheck(args())
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^tokenkeeper check: http:\/\/127\.0\.0\.1:\d+\/ \(simplejwt contract\)/)
    expect(table.stdout).toMatch(/\b5 pass, 3 warn, 0 fail, 4 skipped\b/)
    expect(table.stdout).not.toMatch(TOKEN_TEXT)

    const cors = await runCheck([...args(), '--json', '--app-origin', 'http://app.test'])
    expect(cors.code).toBe(1)
    expect(find(JSON.parse(cors.stdout) as JsonReport, 'cors.app')).toMatchObject({
      status: 'fail',
      evidence: expect.stringMatching(/Access-Control-Allow-Origin missing/),
    })

    const prefix = await runCheck([...args(), '--prefix', '/auth'])
    expect(prefix).toMatchObject({ code: 2, stdout: '', stderr: 'tokenkeeper check: no login endpoint: POST /auth/ answered 404\n' })
    const wrong = await runCheck(['--backend', 'simplejwt', '--base-url', server.url, '--username', 'alice', '--password', 'nope'])
    expect(wrong).toMatchObject({ code: 2, stderr: 'tokenkeeper check: sign-in refused (401): check the username and password\n' })
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import { type DemoServer, startDemoServer } from '../../demo/server'
import { type JsonReport, runCheck, statuses, TOKEN_TEXT } from './run'

let demo: DemoServer | undefined
afterEach(async () => {
  await demo?.close()
  demo = undefined
})

const credentials = ['--username', 'alice', '--password', 'wonderland']

describe('tokenkeeper check against the demo mock backend', () => {
  it('passes every check (CORS skipped for a same-origin app) and exits 0, printing no token text', async () => {
    demo = await startDemoServer({ port: 0 })
    const { code, stdout, stderr } = await runCheck(['--base-url', demo.url, ...credentials])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toMatch(/^tokenkeeper check: http:\/\/localhost:\d+\/ \(default contract\)/)
    expect(stdout).toMatch(/\b18 pass, 0 warn, 0 fail, 2 skipped\b/)
    expect(stdout).not.toMatch(/^FAIL|^WARN/m)
    expect(stdout).not.toMatch(TOKEN_TEXT)
    expect(stdout).not.toContain('wonderland')
  })

  it('never echoes a query of --base-url, and refuses user info in it without echoing it', async () => {
    demo = await startDemoServer({ port: 0 })
    const withQuery = await runCheck(['--base-url', `${demo.url}/?key=s3cret`, ...credentials])
    expect(withQuery.code).toBe(0)
    expect(withQuery.stdout).toMatch(/^tokenkeeper check: http:\/\/localhost:\d+\/ \(default contract\)/)
    expect(withQuery.stdout).not.toContain('s3cret')
    const url = new URL(demo.url)
    url.username = 'ops'
    url.password = 'hunter2'
    const withUser = await runCheck(['--base-url', url.href, ...credentials])
    expect(withUser.code).toBe(2)
    expect(withUser.stderr).toBe(
      'tokenkeeper check: --base-url must not carry user info: pass the account as --username/--password (or TOKENKEEPER_USERNAME/TOKENKEEPER_PASSWORD)\n',
    )
  })

  it('--json reports every check with its evidence; credentials come from the environment', async () => {
    demo = await startDemoServer({ port: 0 })
    const { code, stdout } = await runCheck(['--base-url', demo.url, '--json'], { env: { TOKENKEEPER_USERNAME: 'bob', TOKENKEEPER_PASSWORD: 'builder' } })
    expect(code).toBe(0)
    const report = JSON.parse(stdout) as JsonReport
    expect(statuses(report)).toEqual({
      'cookie.httponly': 'pass',
      'cookie.secure': 'pass',
      'cookie.samesite': 'pass',
      'cookie.path': 'pass',
      'exposure.cookies': 'pass',
      'exposure.body': 'pass',
      'exposure.no-store': 'pass',
      'expiry.hint': 'pass',
      'expiry.skew': 'pass',
      'expiry.lifetime': 'pass',
      'csrf.header': 'pass',
      'csrf.origin': 'pass',
      'csrf.app-origin': 'pass',
      'rotation.new': 'pass',
      'rotation.previous': 'pass',
      'rotation.family': 'pass',
      'logout.revoke': 'pass',
      'logout.everywhere': 'pass',
      cors: 'skip',
      'rate-limit': 'skip',
    })
    expect(report.results.find((r) => r.id === 'csrf.header')?.evidence).toMatch(/no X-TokenKeeper header: 403/)
    expect(report.results.find((r) => r.id === 'rotation.previous')?.evidence).toMatch(/401, no grace window/)
    expect(stdout).not.toMatch(TOKEN_TEXT)
    expect(stdout).not.toContain('builder')
    // The checks really ran against the backend: sign-ins, refreshes, logouts and one reuse.
    expect(demo.backend.controls.counters).toMatchObject({ loginCalls: 6, logoutCalls: 2, reuseDetections: 1 })
  })

  it('measures a reuse grace window (fake clock), and fails one longer than --max-grace', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms
      },
    }
    demo = await startDemoServer({ port: 0, backend: { now: clock.now } })
    demo.backend.controls.setReuseGrace(2500)
    const lenient = JSON.parse((await runCheck(['--base-url', demo.url, ...credentials, '--json'], clock)).stdout) as JsonReport
    const previous = lenient.results.find((r) => r.id === 'rotation.previous')
    expect(previous?.status).toBe('pass')
    expect(previous?.evidence).toMatch(/^grace window: still accepted 2 s after rotation, refused \(401\) 3 s after$/)
    expect(statuses(lenient)['rotation.family']).toBe('pass')

    demo.backend.controls.setReuseGrace(60_000)
    const run = await runCheck(['--base-url', demo.url, ...credentials, '--json', '--max-grace', '5'], clock)
    expect(run.code).toBe(1)
    const report = JSON.parse(run.stdout) as JsonReport
    expect(report.results.find((r) => r.id === 'rotation.previous')).toMatchObject({
      status: 'fail',
      evidence: expect.stringMatching(/still accepted 5 s after rotation/),
    })
  })

  it('--check-rate-limit finds the 429 with Retry-After after five wrong passwords', async () => {
    demo = await startDemoServer({ port: 0 })
    const { code, stdout } = await runCheck(['--base-url', demo.url, ...credentials, '--json', '--check-rate-limit'])
    expect(code).toBe(0)
    expect((JSON.parse(stdout) as JsonReport).results.find((r) => r.id === 'rate-limit')).toMatchObject({
      status: 'pass',
      evidence: '429 after 6 wrong passwords, Retry-After: 30',
    })
  })

  it('a cross-origin app origin the mock does not allow fails CORS and the app-origin refresh (exit 1)', async () => {
    demo = await startDemoServer({ port: 0 })
    const { code, stdout } = await runCheck(['--base-url', demo.url, ...credentials, '--json', '--app-origin', 'http://app.test'])
    expect(code).toBe(1)
    const s = statuses(JSON.parse(stdout) as JsonReport)
    expect(s).toMatchObject({ 'cors.app': 'fail', 'cors.foreign': 'pass', 'csrf.app-origin': 'fail', 'csrf.header': 'warn' })
  })

  it('a cross-origin app on another loopback port: CORS allows it with credentials, a foreign origin cannot read a reply', async () => {
    demo = await startDemoServer({ port: 0 })
    const { code, stdout } = await runCheck(['--base-url', demo.url, ...credentials, '--json', '--app-origin', 'http://localhost:5173'])
    expect(code).toBe(0)
    const report = JSON.parse(stdout) as JsonReport
    expect(statuses(report)).toMatchObject({ 'cors.app': 'pass', 'cors.foreign': 'pass', 'csrf.app-origin': 'pass', 'csrf.origin': 'pass' })
    expect(report.results.find((r) => r.id === 'cors.foreign')?.evidence).toMatch(/the refresh from there answers 403/)
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import { type BrokenBackend, startBrokenBackend } from '../fixtures/broken-backend'
import { type JsonReport, runCheck, statuses, TOKEN_TEXT } from './run'

let backend: BrokenBackend | undefined
afterEach(async () => {
  await backend?.close()
  backend = undefined
})

const credentials = ['--username', 'alice', '--password', 'wonderland']

describe('tokenkeeper check against a deliberately broken backend', () => {
  it('fails on no rotation, a cookie without HttpOnly, no CSRF check and a logout that revokes nothing (exit 1)', async () => {
    backend = await startBrokenBackend()
    const { code, stdout, stderr } = await runCheck(['--base-url', backend.url, ...credentials, '--json'])
    expect(stderr).toBe('')
    expect(code).toBe(1)
    const report = JSON.parse(stdout) as JsonReport
    expect(report.exitCode).toBe(1)
    expect(statuses(report)).toMatchObject({
      'cookie.httponly': 'fail',
      'cookie.samesite': 'warn',
      'cookie.path': 'warn',
      'exposure.cookies': 'fail',
      'exposure.no-store': 'warn',
      'csrf.header': 'fail',
      'csrf.origin': 'fail',
      'rotation.new': 'fail',
      'rotation.previous': 'skip',
      'logout.revoke': 'fail',
      'logout.everywhere': 'fail',
    })
    const evidence = (id: string) => report.results.find((r) => r.id === id)?.evidence
    expect(evidence('cookie.httponly')).toBe('rt: Path=/: without HttpOnly any script on the page (an XSS) can read the refresh token')
    expect(evidence('rotation.new')).toMatch(/set the same refresh cookie rt again/)
    expect(evidence('csrf.header')).toMatch(/no X-TokenKeeper header: 200, the refresh succeeded/)
    expect(evidence('logout.revoke')).toMatch(/old refresh token still refreshes \(200\)/)
    expect(stdout).not.toMatch(TOKEN_TEXT)
  })

  it('prints the failures in the table', async () => {
    backend = await startBrokenBackend()
    const { code, stdout } = await runCheck(['--base-url', backend.url, ...credentials])
    expect(code).toBe(1)
    expect(stdout).toMatch(/^FAIL {2}refresh cookie is HttpOnly {2,}rt: Path=\//m)
    expect(stdout).toMatch(/^FAIL {2}each refresh returns a new refresh token/m)
    expect(stdout).toMatch(/7 fail, 4 skipped: the backend breaks the contract \(exit 1\)$/m)
  })

  it('CORS: credentials for the app origin only pass; a backend that reflects any Origin fails', async () => {
    backend = await startBrokenBackend({ cors: 'app' })
    const right = JSON.parse((await runCheck(['--base-url', backend.url, ...credentials, '--json', '--app-origin', 'http://app.test'])).stdout) as JsonReport
    expect(statuses(right)).toMatchObject({ 'cors.app': 'pass', 'cors.foreign': 'pass' })
    await backend.close()

    backend = await startBrokenBackend({ cors: 'reflect' })
    const wrong = JSON.parse((await runCheck(['--base-url', backend.url, ...credentials, '--json', '--app-origin', 'http://app.test'])).stdout) as JsonReport
    expect(wrong.results.find((r) => r.id === 'cors.foreign')).toMatchObject({
      status: 'fail',
      evidence: 'Origin https://evil.example is allowed with credentials: a page there can refresh and read the tokens (200)',
    })
  })
})

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { type DemoServer, startDemoServer } from '../../demo/server'
import { type BrokenBackend, startBrokenBackend } from '../fixtures/broken-backend'
import { runCheck } from './run'

let demo: DemoServer | undefined
let broken: BrokenBackend | undefined
afterEach(async () => {
  await demo?.close()
  await broken?.close()
  demo = undefined
  broken = undefined
})

const credentials = ['--username', 'alice', '--password', 'wonderland']

/** Exit 2, nothing on stdout, exactly one line on stderr, no stack trace, no password. */
function expectOneLine(run: Awaited<ReturnType<typeof runCheck>>, reason: RegExp) {
  expect(run.code).toBe(2)
  expect(run.stdout).toBe('')
  expect(run.stderr.split('\n')).toHaveLength(2)
  expect(run.stderr).toMatch(/^tokenkeeper check: .+\n$/)
  expect(run.stderr).toMatch(reason)
  expect(run.stderr).not.toMatch(/\bat .+:\d+:\d+/)
  expect(run.stderr).not.toContain('wonderland')
}

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('tokenkeeper check: bad input is one line and exit 2', () => {
  it('an unreachable URL', async () => {
    const port = await closedPort()
    expectOneLine(
      await runCheck(['--base-url', `http://127.0.0.1:${port}`, ...credentials]),
      new RegExp(`cannot reach http://127.0.0.1:${port} \\(ECONNREFUSED\\)`),
    )
  })

  it('wrong credentials', async () => {
    demo = await startDemoServer({ port: 0 })
    expectOneLine(
      await runCheck(['--base-url', demo.url, '--username', 'alice', '--password', 'nope']),
      /sign-in refused \(401\): check the username and password/,
    )
  })

  it('a backend that answers HTML', async () => {
    broken = await startBrokenBackend({ mode: 'html' })
    expectOneLine(await runCheck(['--base-url', broken.url, ...credentials]), /POST \/auth\/login answered HTML \(200\), not JSON/)
  })

  it('a redirect to a login page', async () => {
    broken = await startBrokenBackend({ mode: 'redirect' })
    expectOneLine(await runCheck(['--base-url', broken.url, ...credentials]), /POST \/auth\/login redirects \(302\) to \/login, a login page\?/)
  })

  it('no login endpoint (404)', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"error":"not_found"}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      expectOneLine(await runCheck(['--base-url', `http://127.0.0.1:${port}`, ...credentials]), /no login endpoint: POST \/auth\/login answered 404/)
    } finally {
      server.close()
    }
  })

  it.each([
    [['--username', 'alice', '--password', 'x'], /--base-url is required/],
    [['--base-url', 'not a url', ...credentials], /--base-url is not a URL/],
    [['--base-url', 'ftp://example.com', ...credentials], /--base-url must be http or https/],
    [['--base-url', 'http://localhost:1', '--username', 'alice'], /a password is required: --password or TOKENKEEPER_PASSWORD/],
    [['--base-url', 'http://localhost:1', '--password', 'wonderland'], /a username is required/],
    [['--base-url', 'http://localhost:1', ...credentials, '--nope'], /Unknown option '--nope'/],
    [['--base-url', 'http://localhost:1', ...credentials, '--backend', 'simplejwt'], /cannot reach http:\/\/localhost:1 \(/],
    [['--base-url', 'http://localhost:1', ...credentials, '--backend', 'simplejwt', '--prefix', 'api/token'], /--prefix must be a path starting with \//],
    [['--backend', 'oauth2', '--client-id', 'app', '--refresh-token', 'x'], /--backend oauth2 needs --issuer/],
    [['--backend', 'oauth2', '--issuer', 'http://localhost:1', '--refresh-token', 'x'], /--backend oauth2 needs --client-id/],
    [['--backend', 'oauth2', '--issuer', 'http://localhost:1', '--client-id', 'app'], /cannot sign in by itself \(no password grant\): pass --refresh-token/],
    [['--base-url', 'http://localhost:1', ...credentials, '--backend', 'firebase'], /--backend must be one of default, simplejwt, oauth2/],
    [['--base-url', 'http://localhost:1', ...credentials, '--max-grace=-1'], /--max-grace must be a non-negative number/],
    [['--base-url', 'http://localhost:1', ...credentials, '--foreign-origin', 'http://localhost:1'], /--foreign-origin must differ/],
  ])('bad arguments %j', async (args, reason) => {
    expectOneLine(await runCheck(args), reason)
  })

  it('--help prints the usage and exits 0', async () => {
    const run = await runCheck(['--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Usage: tokenkeeper check --base-url URL/)
  })
})

import { describe, expect, it } from 'vitest'
import { joinDashValues, parseCheckArgs } from '../../src/cli/args'

const oauth = ['--backend', 'oauth2', '--issuer', 'http://localhost:3000', '--client-id', 'app']

describe('check arguments', () => {
  it('a refresh token (or password) that starts with a dash is a value, not an option', () => {
    // base64url tokens start with "-" about once in 64: oidc-provider's did, and parseArgs called it ambiguous.
    const parsed = parseCheckArgs([...oauth, '--refresh-token', '-abc_DEF', '--refresh-token', '--xyz'], {})
    expect(parsed.help === false && parsed.options.refreshTokens).toEqual(['-abc_DEF', '--xyz'])
    const login = parseCheckArgs(['--base-url', 'http://localhost:1', '--username', 'carol', '--password', '-secret'], {})
    expect(login.help === false && login.options.password).toBe('-secret')
  })

  it('an option after a value-taking option is still an option', () => {
    expect(joinDashValues(['--refresh-token', '--json'])).toEqual(['--refresh-token', '--json'])
    expect(joinDashValues(['--prefix', '--timeout=5'])).toEqual(['--prefix', '--timeout=5'])
    expect(() => parseCheckArgs([...oauth, '--refresh-token', '--json'], {})).toThrow(/--refresh-token/)
  })

  it('leaves other words alone', () => {
    expect(joinDashValues(['--json', '-h', '--timeout', '5'])).toEqual(['--json', '-h', '--timeout', '5'])
  })
})

import { describe, expect, it } from 'vitest'
import { classifyRefreshFailure, readServerError, type BackendReply } from '../../src/http/backend'

const reply = (status: number, body?: unknown): BackendReply => ({ status, headers: new Headers(), body, receivedAt: 0 })

describe('classifyRefreshFailure (the default reading)', () => {
  it.each([
    [401, undefined, 'ended'],
    [403, undefined, 'ended'],
    [403, { error: 'csrf' }, 'misconfigured'],
    [403, { error: 'origin_not_allowed' }, 'misconfigured'],
    [400, { error: 'invalid_grant' }, 'ended'],
    [400, { detail: 'Token is invalid', code: 'token_not_valid' }, 'ended'],
    [400, undefined, 'misconfigured'],
    [400, { error: 'invalid_request' }, 'misconfigured'],
    [400, { refresh: ['This field is required.'] }, 'misconfigured'],
    [404, undefined, 'misconfigured'],
    [405, undefined, 'misconfigured'],
    [408, undefined, 'transient'],
    [425, undefined, 'transient'],
    [429, undefined, 'transient'],
    [500, '<html>oops</html>', 'transient'],
    [503, undefined, 'transient'],
  ] as const)('%i %j → %s', (status, body, kind) => {
    expect(classifyRefreshFailure(reply(status, body))).toBe(kind)
  })
})

describe('readServerError', () => {
  it('reads OAuth error/error_description, and the common alternatives', () => {
    expect(readServerError({ error: 'invalid_client', error_description: 'unknown client' })).toEqual({
      error: 'invalid_client',
      errorDescription: 'unknown client',
    })
    expect(readServerError({ detail: 'Token is invalid or expired', code: 'token_not_valid' })).toEqual({
      error: 'token_not_valid',
      errorDescription: 'Token is invalid or expired',
    })
    expect(readServerError({ error: 'csrf', message: 'Origin http://a is not allowed' })).toEqual({
      error: 'csrf',
      errorDescription: 'Origin http://a is not allowed',
    })
  })

  it('ignores non-strings, HTML and empty bodies, and caps long text', () => {
    expect(readServerError('<html>502</html>')).toEqual({})
    expect(readServerError(undefined)).toEqual({})
    expect(readServerError({ error: 42, message: { nested: true } })).toEqual({})
    expect(readServerError({ error: 'x'.repeat(5000) }).error).toHaveLength(200)
  })
})

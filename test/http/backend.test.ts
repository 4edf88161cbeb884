import { describe, expect, it } from 'vitest'
import { classifyRefreshFailure, readServerError, redactTokens, type BackendReply } from '../../src/http/backend'

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

  it('redacts token text a server quotes: the SDK errors carry none', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSIsImV4cCI6MTc2NDg2NDAwMH0.c2lnbmF0dXJlLWJ5dGVzLTEyMw'
    const opaque = 'Qm9keS1tb2RlLXJlZnJlc2gtdG9rZW4tNDI4ODE2MTAw'
    expect(readServerError({ error: 'invalid_grant', error_description: `Token ${jwt} is blacklisted` })).toEqual({
      error: 'invalid_grant',
      errorDescription: 'Token [redacted] is blacklisted',
    })
    expect(readServerError({ detail: `refresh token '${opaque}' was already used` }).errorDescription).toBe("refresh token '[redacted]' was already used")
  })
})

describe('redactTokens', () => {
  it('keeps words, error codes and short identifiers', () => {
    for (const text of [
      'refresh_token_reuse_detected',
      'Token is invalid or expired',
      'client abc123 is not allowed',
      'Origin http://localhost:5173 is not allowed',
    ]) {
      expect(redactTokens(text)).toBe(text)
    }
  })

  it('replaces long runs of token characters that contain a digit, JWTs and padded base64 included', () => {
    expect(redactTokens('a.b.c eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.sig tail')).toBe('a.b.c [redacted] tail')
    expect(redactTokens('x YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY3ODk= y')).toBe('x [redacted] y')
  })
})

import { describe, expect, it } from 'vitest'
import {
  DestroyedError,
  InvalidTokenError,
  isDestroyedError,
  isInvalidTokenError,
  isLoginError,
  isSessionsApiError,
  SessionsApiError,
  isRefreshError,
  isSessionExpiredError,
  isTokenKeeperError,
  LoginError,
  RefreshError,
  SessionExpiredError,
  TokenKeeperError,
} from '../src'

describe('errors', () => {
  it('are classes with a code, a name and the right prototype chain', () => {
    const cases: [TokenKeeperError, string, string][] = [
      [new SessionExpiredError('idle'), 'SESSION_EXPIRED', 'SessionExpiredError'],
      [new RefreshError('x', { status: 503 }), 'REFRESH_FAILED', 'RefreshError'],
      [new InvalidTokenError('x'), 'INVALID_TOKEN', 'InvalidTokenError'],
      [new LoginError('x', { status: 401 }), 'LOGIN_FAILED', 'LoginError'],
      [new DestroyedError(), 'DESTROYED', 'DestroyedError'],
    ]
    for (const [error, code, name] of cases) {
      expect(error).toBeInstanceOf(TokenKeeperError)
      expect(error).toBeInstanceOf(Error)
      expect(error.code).toBe(code)
      expect(error.name).toBe(name)
      expect(isTokenKeeperError(error)).toBe(true)
    }
  })

  it('carry status, cause and reason', () => {
    const cause = new TypeError('offline')
    const refresh = new RefreshError('x', { status: 503, cause, retryAt: 5 })
    expect(refresh).toMatchObject({ status: 503, cause, retryAt: 5 })
    expect(new SessionExpiredError('max_age').reason).toBe('max_age')
    expect(new LoginError('x', { status: 429, retryAfter: 30 })).toMatchObject({ status: 429, retryAfter: 30 })
  })

  it('guards work across realms (plain objects with the same name and code)', () => {
    const foreign = { name: 'SessionExpiredError', code: 'SESSION_EXPIRED', message: 'x' }
    expect(isSessionExpiredError(foreign)).toBe(true)
    expect(isTokenKeeperError(foreign)).toBe(true)
    expect(isRefreshError({ name: 'RefreshError', code: 'REFRESH_FAILED' })).toBe(true)
    expect(isInvalidTokenError({ name: 'InvalidTokenError', code: 'INVALID_TOKEN' })).toBe(true)
    expect(isLoginError({ name: 'LoginError', code: 'LOGIN_FAILED' })).toBe(true)
    expect(isDestroyedError({ name: 'DestroyedError', code: 'DESTROYED' })).toBe(true)
    expect(isSessionsApiError({ name: 'SessionsApiError', code: 'SESSIONS_API_FAILED', status: 404 })).toBe(true)
    expect(isDestroyedError(new DestroyedError())).toBe(true)
    expect(isSessionsApiError(new SessionsApiError('x', 500))).toBe(true)
  })

  it('guards reject look-alikes', () => {
    expect(isSessionExpiredError(new RefreshError('x'))).toBe(false)
    expect(isSessionExpiredError({ name: 'SessionExpiredError', code: 'OTHER' })).toBe(false)
    expect(isTokenKeeperError(new Error('x'))).toBe(false)
    expect(isTokenKeeperError(null)).toBe(false)
    expect(isTokenKeeperError('SessionExpiredError')).toBe(false)
  })
})

import { describe, expect, it, vi } from 'vitest'

describe('importing in Node without a DOM', () => {
  it('does not throw, touches no globals and runs nothing', async () => {
    expect(typeof window).toBe('undefined')
    const before = new Set(Object.getOwnPropertyNames(globalThis))
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const mod = await import('../src/index')
    expect(Object.getOwnPropertyNames(globalThis).filter((k) => !before.has(k))).toEqual([])
    expect(setTimeoutSpy).not.toHaveBeenCalled()
    expect(Object.keys(mod).sort()).toEqual([
      'DestroyedError',
      'InvalidTokenError',
      'LoginError',
      'RefreshError',
      'SessionExpiredError',
      'SessionsApiError',
      'TokenKeeperError',
      'TokenManager',
      'decodeJwt',
      'defaultBackend',
      'isDestroyedError',
      'isInvalidTokenError',
      'isLoginError',
      'isRefreshError',
      'isSessionExpiredError',
      'isSessionsApiError',
      'isTokenKeeperError',
      'oauth2',
      'simplejwt',
    ])
  })

  it('requires baseUrl outside a browser, with a clear TypeError', async () => {
    const { TokenManager } = await import('../src/index')
    expect(() => new TokenManager()).toThrow(TypeError)
    expect(() => new TokenManager({ baseUrl: 'http://localhost', crossTab: false })).not.toThrow()
  })
})

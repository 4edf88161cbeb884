import { describe, expect, it } from 'vitest'
import { resolveOptions as resolveUrls } from '../../src/options'

describe('resolveUrls', () => {
  it('resolves default endpoints against baseUrl', () => {
    const { endpoints, authorizedOrigins } = resolveUrls({ baseUrl: 'https://app.example.com' })
    expect(endpoints).toEqual({
      login: 'https://app.example.com/auth/login',
      refresh: 'https://app.example.com/auth/refresh',
      logout: 'https://app.example.com/auth/logout',
      sessions: 'https://app.example.com/auth/sessions',
    })
    expect([...authorizedOrigins]).toEqual(['https://app.example.com'])
  })

  it('takes custom endpoints, relative to a base path or absolute', () => {
    const { endpoints } = resolveUrls({
      baseUrl: 'https://api.example.com/v1/',
      endpoints: { refresh: 'token/refresh', logout: 'https://auth.example.com/out' },
    })
    expect(endpoints.refresh).toBe('https://api.example.com/v1/token/refresh')
    expect(endpoints.logout).toBe('https://auth.example.com/out')
    expect(endpoints.login).toBe('https://api.example.com/auth/login')
  })

  it('normalizes authorized origins', () => {
    const { authorizedOrigins } = resolveUrls({ baseUrl: 'https://a.test', authorizedOrigins: ['https://API.example.com/path', 'http://localhost:8080'] })
    expect([...authorizedOrigins]).toEqual(['https://api.example.com', 'http://localhost:8080'])
  })

  it('throws a clear TypeError without baseUrl outside a browser, or with a bad URL', () => {
    expect(() => resolveUrls({})).toThrow(TypeError)
    expect(() => resolveUrls({})).toThrow(/baseUrl/)
    expect(() => resolveUrls({ baseUrl: 'not a url' })).toThrow(TypeError)
    expect(() => resolveUrls({ baseUrl: 'https://a.test', authorizedOrigins: ['nope'] })).toThrow(TypeError)
  })
})

describe('origins of custom schemes (issue 15: every non-special scheme\'s origin is "null")', () => {
  it('compares capacitor://localhost by scheme and host, and never matches another scheme, data: or "null"', async () => {
    const { originKey } = await import('../../src/http/urls')
    const { authorizedOrigins } = resolveUrls({ baseUrl: 'capacitor://localhost', authorizedOrigins: ['capacitor://localhost'] })
    expect([...authorizedOrigins]).toEqual(['capacitor://localhost'])
    expect(authorizedOrigins.has(originKey(new URL('capacitor://localhost/api/me')) ?? '')).toBe(true)
    expect(authorizedOrigins.has(originKey(new URL('evilscheme://attacker/x')) ?? '')).toBe(false)
    expect(originKey(new URL('data:text/plain,hi'))).toBeNull()
    expect(authorizedOrigins.has('null')).toBe(false)
  })

  it('refuses entries with no comparable origin with a TypeError', () => {
    expect(() => resolveUrls({ baseUrl: 'https://a.test', authorizedOrigins: ['null'] })).toThrow(TypeError)
    expect(() => resolveUrls({ baseUrl: 'https://a.test', authorizedOrigins: ['data:text/plain,x'] })).toThrow(/no comparable origin/)
  })
})

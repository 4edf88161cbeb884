// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { resolveOptions as resolveUrls } from '../../src/options'

describe('resolveUrls in a browser', () => {
  it('defaults baseUrl to location.origin', () => {
    const { endpoints, authorizedOrigins } = resolveUrls({})
    expect(endpoints.refresh).toBe(`${location.origin}/auth/refresh`)
    expect([...authorizedOrigins]).toEqual([location.origin])
  })
})

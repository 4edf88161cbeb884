import { describe, expect, it } from 'vitest'
import { browserEnvironment } from '../../src/util/environment'

describe('browserEnvironment without a DOM', () => {
  it('is a no-op', () => {
    expect(typeof window).toBe('undefined')
    const off = browserEnvironment.onWake(() => {})
    const off2 = browserEnvironment.onActivity(['keydown'], () => {})
    expect(() => {
      off()
      off2()
    }).not.toThrow()
  })
})

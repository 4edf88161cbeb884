import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { TokenManager } from '../src'
import { DEFAULTS, resolveOptions } from '../src/options'

const base = { baseUrl: 'https://app.example.com', crossTab: false } as const

/** `name -> @default text` of the members of one interface in src/types.ts, read from the source. */
function jsdocDefaults(interfaceName: string): Map<string, string> {
  const source = readFileSync(new URL('../src/types.ts', import.meta.url), 'utf8')
  const start = source.indexOf(`export interface ${interfaceName} {`)
  expect(start).toBeGreaterThan(-1)
  const body = source.slice(start, source.indexOf('\n}\n', start))
  const found = new Map<string, string>()
  // A doc comment followed by the member it documents (top-level members: two-space indent).
  for (const match of body.matchAll(/\n  \/\*\*((?:(?!\*\/)[\s\S])*)\*\/\n  (\w+)\??:/g)) {
    const tag = /@default (.+)/.exec(match[1]!)
    if (tag) found.set(match[2]!, tag[1]!.trim())
  }
  return found
}

/** The literal a `@default` starts with: backticked or bare. */
function literal(text: string): unknown {
  const code = text.startsWith('`') ? text.slice(1, text.indexOf('`', 1)) : text
  return new Function(`return (${code})`)()
}

// Defaults that depend on the host or are code, not values: the JSDoc describes them in words.
const HOST_DEFAULTS = ['baseUrl', 'authorizedOrigins', 'fetch', 'parseTokenResponse', 'backend', 'clock', 'environment', 'locks', 'logger', 'channelFactory']

describe('options: the JSDoc @default values match DEFAULTS', () => {
  const documented = jsdocDefaults('TokenManagerOptions')

  it('every option has a @default, and every default value is documented', () => {
    for (const name of HOST_DEFAULTS) expect(documented.has(name), name).toBe(true)
    for (const name of Object.keys(DEFAULTS)) if (name !== 'channel') expect(documented.has(name), name).toBe(true)
    expect(documented.size).toBe(Object.keys(DEFAULTS).length - 1 + HOST_DEFAULTS.length)
  })

  it('each value @default equals DEFAULTS', () => {
    for (const [name, text] of documented) {
      if (HOST_DEFAULTS.includes(name)) continue
      expect(literal(text), name).toEqual(DEFAULTS[name as keyof typeof DEFAULTS])
    }
  })

  it('the endpoint paths and the channel name too', () => {
    for (const [name, text] of jsdocDefaults('Endpoints')) expect(literal(text), name).toBe(DEFAULTS.endpoints[name as keyof typeof DEFAULTS.endpoints])
    expect(Object.keys(DEFAULTS.endpoints)).toEqual([...jsdocDefaults('Endpoints').keys()])
    const source = readFileSync(new URL('../src/types.ts', import.meta.url), 'utf8')
    expect(/channel\?: string/.test(source)).toBe(true)
    expect(/name shared by the tabs that cooperate\. @default '([^']+)'/.exec(source)?.[1]).toBe(DEFAULTS.channel)
  })

  it('DEFAULTS and the resolved options are frozen', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true)
    expect(Object.isFrozen(DEFAULTS.endpoints)).toBe(true)
    const resolved = resolveOptions(base)
    expect(Object.isFrozen(resolved)).toBe(true)
    expect(Object.isFrozen(resolved.idle)).toBe(true)
    expect(Object.isFrozen(resolved.retryPolicy)).toBe(true)
  })
})

describe('resolveOptions', () => {
  it('applies the defaults', () => {
    const resolved = resolveOptions({ baseUrl: 'https://app.example.com' })
    expect(resolved.timeout).toBe(10_000)
    expect(resolved.retryPolicy).toEqual({ retries: 3, baseDelay: 1000, maxDelay: 30_000 })
    expect(resolved.idle).toEqual({ idleTimeout: 0, idleWarningTime: 60_000, maxSessionAge: 0 })
    expect(resolved.csrfHeaders).toEqual({ 'X-TokenKeeper': '1' })
    expect(resolved.cookieMode).toBe(true)
    expect(resolved.crossTab?.channel).toBe('tokenkeeper')
    expect(resolved.logger).toBeNull()
    expect(resolved.lockTimeout).toBe(4 * 10_000 + 3 * 30_000 + 5000)
  })

  it('undefined means the default', () => {
    const resolved = resolveOptions({ ...base, timeout: undefined, retry: undefined, csrfHeader: undefined } as never)
    expect(resolved.timeout).toBe(10_000)
    expect(resolved.retryPolicy.retries).toBe(3)
    expect(resolved.csrfHeaders).toEqual({ 'X-TokenKeeper': '1' })
  })

  it.each([
    ['timeout', -1],
    ['timeout', Number.NaN],
    ['timeout', Number.POSITIVE_INFINITY],
    ['timeout', 0],
    ['timeout', 3e9],
    ['timeout', 2 ** 31],
    ['retry', Number.NaN],
    ['retry', -1],
    ['retry', 1.5],
    ['refreshCooldown', Number.NaN],
    ['refreshCooldown', -5],
    ['refreshLeadTime', -1],
    ['idleTimeout', Number.POSITIVE_INFINITY],
    ['idleWarningTime', -1],
    ['maxSessionAge', Number.NaN],
    ['reuseGrace', -1],
    ['reuseGrace', Number.POSITIVE_INFINITY],
  ])('%s: %s is a RangeError naming the option', (name, value) => {
    expect(() => resolveOptions({ ...base, [name]: value })).toThrow(RangeError)
    expect(() => resolveOptions({ ...base, [name]: value })).toThrow(`\`${name}\``)
  })

  it('reuseGrace: 10 s (the backend contract) unless given, a string is a TypeError', () => {
    expect(resolveOptions(base).reuseGrace).toBe(10_000)
    expect(resolveOptions({ ...base, reuseGrace: 0 }).reuseGrace).toBe(0)
    expect(resolveOptions({ ...base, reuseGrace: 5000 }).reuseGrace).toBe(5000)
    expect(() => resolveOptions({ ...base, reuseGrace: '5000' as unknown as number })).toThrow(TypeError)
  })

  it('a request timeout up to 2^31−1 ms is valid, and long deadlines too (timers are chained)', () => {
    expect(resolveOptions({ ...base, timeout: 2 ** 31 - 1 }).timeout).toBe(2 ** 31 - 1)
    const ninetyDays = 90 * 24 * 3600_000
    expect(resolveOptions({ ...base, maxSessionAge: ninetyDays, idleTimeout: ninetyDays / 2 }).idle.maxSessionAge).toBe(ninetyDays)
  })

  it.each([
    ['timeout', '10000'],
    ['retry', true],
    ['baseUrl', 42],
    ['endpoints', 'x'],
    ['endpoints', { refresh: 7 }],
    ['refreshTokenTransport', 'header'],
    ['authorizedOrigins', 'https://api.example.com'],
    ['authorizedOrigins', [1]],
    ['fetch', {}],
    ['parseTokenResponse', 'json'],
    ['csrfHeader', true],
    ['csrfHeader', { name: '', value: '1' }],
    ['csrfHeader', { name: 'X', value: 1 }],
    ['activityEvents', 'keydown'],
    ['crossTab', 'yes'],
    ['crossTab', { channel: 1 }],
    ['clock', { now: () => 0 }],
    ['environment', {}],
    ['locks', {}],
    ['logger', console],
    ['debug', 1],
    ['channelFactory', {}],
  ])('%s: %j is a TypeError naming the option', (name, value) => {
    expect(() => resolveOptions({ ...base, [name]: value } as never)).toThrow(TypeError)
    expect(() => resolveOptions({ ...base, [name]: value } as never)).toThrow(`\`${name}\``)
  })

  it('options that are not an object are a TypeError', () => {
    expect(() => resolveOptions(null as never)).toThrow(TypeError)
    expect(() => resolveOptions('https://a.test' as never)).toThrow(TypeError)
  })

  it('idleWarningTime ≥ idleTimeout, given or the default, is clamped to half the timeout (never an error)', () => {
    expect(resolveOptions({ ...base, idleTimeout: 30_000, idleWarningTime: 30_000 }).idle.idleWarningTime).toBe(15_000)
    expect(resolveOptions({ ...base, idleTimeout: 30_000, idleWarningTime: 45_000 }).idle.idleWarningTime).toBe(15_000)
    expect(resolveOptions({ ...base, idleTimeout: 30_000 }).idle.idleWarningTime).toBe(15_000)
    expect(resolveOptions({ ...base, idleTimeout: 30_000, idleWarningTime: 10_000 }).idle.idleWarningTime).toBe(10_000)
    // Idle tracking off: the warning is irrelevant.
    expect(resolveOptions({ ...base, idleWarningTime: 120_000 }).idle.idleWarningTime).toBe(120_000)
  })

  it('refreshLeadTime ≥ maxSessionAge is rejected when both are given', () => {
    expect(() => resolveOptions({ ...base, maxSessionAge: 60_000, refreshLeadTime: 60_000 })).toThrow(/refreshLeadTime/)
    expect(resolveOptions({ ...base, maxSessionAge: 30_000 }).refreshLeadTime).toBe(60_000)
    expect(resolveOptions({ ...base, maxSessionAge: 120_000, refreshLeadTime: 60_000 }).refreshLeadTime).toBe(60_000)
  })

  it('unknown options are left alone (other layers may read them)', () => {
    expect(() => resolveOptions({ ...base, somethingElse: 1 } as never)).not.toThrow()
  })

  it('reads the options once: changing the object later changes nothing', () => {
    const options: { baseUrl: string; crossTab: false; fetch?: typeof fetch } = { ...base }
    const resolved = resolveOptions(options)
    const mine = (async () => new Response('')) as typeof fetch
    options.fetch = mine
    expect(resolved.getFetch()).not.toBe(mine)
  })

  it('the constructor validates: new TokenManager({ timeout: 3e9 }) throws before any request', () => {
    let calls = 0
    const fetch = (async () => (calls++, new Response(''))) as typeof globalThis.fetch
    expect(() => new TokenManager({ ...base, fetch, timeout: 3e9 })).toThrow(RangeError)
    expect(() => new TokenManager({ ...base, fetch, refreshCooldown: Number.NaN })).toThrow(/refreshCooldown/)
    expect(calls).toBe(0)
  })
})

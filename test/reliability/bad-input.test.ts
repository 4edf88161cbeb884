import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  isInvalidTokenError,
  isLoginError,
  isTokenKeeperError,
  TokenManager,
  type TokenManagerEvents,
  type TokenManagerOptions,
  type TokenResponse,
} from '../../src'
import { ORIGIN } from '../helpers/browser'
import { b64url, makeJwt } from '../helpers/jwt'
import { createTabs } from '../helpers/tabs'

/**
 * The bad-input catalogue of README's Security section, through the public API: each input gets
 * a typed error or is ignored, never crashes, never leaves an unhandled rejection, never starts
 * a refresh loop, and loses nothing (the session is kept when it should be).
 */

const nowSec = () => Math.floor(Date.now() / 1000)
const goodJwt = (lifetime = 300) => makeJwt({ sub: 'u', iat: nowSec(), exp: nowSec() + lifetime })

let unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)

beforeEach(() => {
  vi.useFakeTimers()
  unhandled = []
  process.on('unhandledRejection', onUnhandled)
})
afterEach(async () => {
  vi.useRealTimers()
  // Give stray promises a real turn to surface as unhandled rejections.
  await new Promise((resolve) => setImmediate(resolve))
  process.off('unhandledRejection', onUnhandled)
  expect(unhandled).toEqual([])
})

/** A backend whose refresh and login endpoints answer whatever the test says; `/api` is 200 with a Bearer. */
function scriptedBackend(reply: { refresh?: () => Response; login?: () => Response } = {}) {
  const calls = { refresh: 0, login: 0, api: 0 }
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init)
    const path = new URL(request.url).pathname
    if (path === '/auth/refresh') {
      calls.refresh++
      return reply.refresh ? reply.refresh() : Response.json({ accessToken: goodJwt(), expiresIn: 300 })
    }
    if (path === '/auth/login') {
      calls.login++
      return reply.login ? reply.login() : Response.json({ accessToken: goodJwt(), expiresIn: 300 })
    }
    if (path === '/auth/logout') return new Response(null, { status: 204 })
    calls.api++
    return new Response('ok', { status: request.headers.has('authorization') ? 200 : 401 })
  }
  return { fetch, calls }
}

function manager(fetch: typeof globalThis.fetch, options: Partial<TokenManagerOptions> = {}) {
  const tm = new TokenManager({ baseUrl: ORIGIN, fetch, crossTab: false, ...options })
  const events: { type: keyof TokenManagerEvents; payload: unknown }[] = []
  for (const type of ['signedIn', 'tokenRefreshed', 'signedOut', 'sessionExpired', 'error'] as const) {
    tm.on(type, (payload) => events.push({ type, payload }))
  }
  return { tm, events }
}

// ---------------------------------------------------------------------------------- JWTs

type Verdict = 'rejected' | 'accepted'
const JWT_CASES: [name: string, tokens: () => TokenResponse, verdict: Verdict][] = [
  ['empty string', () => ({ accessToken: '', expiresIn: 300 }), 'rejected'],
  ['not a string (a number from untyped JS)', () => ({ accessToken: 42 as unknown as string, expiresIn: 300 }), 'rejected'],
  ['1 part: an opaque token without expiresIn', () => ({ accessToken: 'opaque-token' }), 'rejected'],
  ['1 part: an opaque token with expiresIn', () => ({ accessToken: 'opaque-token', expiresIn: 300 }), 'accepted'],
  ['2 parts', () => ({ accessToken: `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify({ exp: nowSec() + 300 }))}` }), 'rejected'],
  ['4 parts', () => ({ accessToken: `${goodJwt()}.extra`, expiresIn: 300 }), 'rejected'],
  ['bad base64url (characters outside the alphabet)', () => ({ accessToken: 'aGVhZGVy.p@y!oad.sig', expiresIn: 300 }), 'rejected'],
  ['bad base64url (impossible length)', () => ({ accessToken: 'aGVhZGVy.abcde.sig', expiresIn: 300 }), 'rejected'],
  ['non-UTF-8 payload', () => ({ accessToken: `${b64url('{}')}.${b64url(new Uint8Array([0xff, 0xfe, 0xfd]))}.sig`, expiresIn: 300 }), 'rejected'],
  ['non-JSON payload', () => ({ accessToken: `${b64url('{}')}.${b64url('not json')}.sig`, expiresIn: 300 }), 'rejected'],
  ['JSON payload that is not an object', () => ({ accessToken: `${b64url('{}')}.${b64url('[1,2]')}.sig`, expiresIn: 300 }), 'rejected'],
  ['exp missing, no expiresIn', () => ({ accessToken: makeJwt({ sub: 'u' }) }), 'rejected'],
  ['exp missing, expiresIn given', () => ({ accessToken: makeJwt({ sub: 'u' }), expiresIn: 300 }), 'accepted'],
  ['exp a string', () => ({ accessToken: makeJwt({ exp: String(nowSec() + 300) }), expiresIn: 300 }), 'rejected'],
  ['exp in milliseconds', () => ({ accessToken: makeJwt({ exp: Date.now() + 300_000 }) }), 'rejected'],
  ['exp in the past (no iat, no expiresIn)', () => ({ accessToken: makeJwt({ exp: nowSec() - 10 }) }), 'rejected'],
  ['exp null (NaN has no JSON form)', () => ({ accessToken: makeJwt({ exp: null }), expiresIn: 300 }), 'rejected'],
  ['exp negative', () => ({ accessToken: makeJwt({ exp: -1 }) }), 'rejected'],
  ['exp huge (year 2286: a lifetime over 10 years)', () => ({ accessToken: makeJwt({ exp: 9_999_999_999 }) }), 'rejected'],
  [
    'iat in the future, exp − iat = 300 s (skew: accepted, lifetime measured locally)',
    () => ({ accessToken: makeJwt({ iat: nowSec() + 3600, exp: nowSec() + 3900 }) }),
    'accepted',
  ],
  ['iat after exp', () => ({ accessToken: makeJwt({ iat: nowSec() + 3600, exp: nowSec() + 100 }) }), 'rejected'],
  ['characters a header cannot carry (newline)', () => ({ accessToken: 'abc\ndef', expiresIn: 300 }), 'rejected'],
  ['characters a header cannot carry (non-Latin-1)', () => ({ accessToken: 'tøkén✓', expiresIn: 300 }), 'rejected'],
]

describe('bad input: JWTs and tokens', () => {
  it.each(JWT_CASES.map(([name, tokens, verdict]) => [name, verdict, tokens] as const))('setSession(%s) is %s', (_name, verdict, tokens) => {
    const { tm, events } = manager(scriptedBackend().fetch)
    let thrown: unknown = null
    try {
      tm.setSession(tokens())
    } catch (error) {
      thrown = error
    }
    if (verdict === 'rejected') {
      expect(isInvalidTokenError(thrown)).toBe(true)
      expect(tm.getSnapshot().status).toBe('unknown')
      expect(events).toEqual([])
    } else {
      expect(thrown).toBeNull()
      expect(tm.getSnapshot().status).toBe('active')
    }
    tm.destroy()
  })

  it('an iat in the future does not shorten or lengthen the lifetime: expiry is local receipt + (exp − iat)', () => {
    const { tm } = manager(scriptedBackend().fetch)
    tm.setSession({ accessToken: makeJwt({ iat: nowSec() + 3600, exp: nowSec() + 3900 }) })
    expect(tm.getSnapshot().expiresAt).toBe(Date.now() + 300_000)
    tm.destroy()
  })

  it.each(JWT_CASES.filter(([, , verdict]) => verdict === 'rejected'))(
    'a refresh reply carrying %s: InvalidTokenError, session kept, no loop',
    async (_name, tokens) => {
      const backend = scriptedBackend({ refresh: () => Response.json(tokens()) })
      const { tm, events } = manager(backend.fetch)
      const original = goodJwt()
      tm.setSession({ accessToken: original, expiresIn: 300 })
      await expect(tm.refresh()).rejects.toSatisfy(isInvalidTokenError)
      expect(tm.getSnapshot().status).toBe('active')
      expect(await tm.getAccessToken()).toBe(original)
      expect(events.filter((e) => e.type === 'error')).toHaveLength(1)
      expect(backend.calls.refresh).toBe(1)
      tm.destroy()
    },
  )
})

// ---------------------------------------------------------------------------------- token replies

const REPLY_CASES: [name: string, reply: () => Response][] = [
  ['HTML 200 (a login page)', () => new Response('<!doctype html><title>Login</title>', { status: 200, headers: { 'content-type': 'text/html' } })],
  ['empty 200', () => new Response('', { status: 200 })],
  ['204 No Content', () => new Response(null, { status: 204 })],
  ['JSON without a token', () => Response.json({ ok: true })],
  ['JSON null', () => new Response('null', { status: 200, headers: { 'content-type': 'application/json' } })],
  ['a JSON array', () => Response.json([{ accessToken: 'x' }])],
  ['token not a string', () => Response.json({ accessToken: 42, expiresIn: 300 })],
  ['token an empty string', () => Response.json({ accessToken: '', expiresIn: 300 })],
  ['expiresIn negative', () => Response.json({ accessToken: goodJwt(), expiresIn: -5 })],
  ['expiresIn zero', () => Response.json({ accessToken: goodJwt(), expiresIn: 0 })],
  ['expiresIn a string', () => Response.json({ accessToken: goodJwt(), expiresIn: '300' })],
  ['expiresIn huge', () => Response.json({ accessToken: goodJwt(), expiresIn: 1e12 })],
  ['truncated JSON', () => new Response('{"accessToken":"eyJhbGciOi', { status: 200, headers: { 'content-type': 'application/json' } })],
  ['a malformed JWT', () => Response.json({ accessToken: 'a.b', expiresIn: 300 })],
  ['refreshToken not a string', () => Response.json({ accessToken: goodJwt(), expiresIn: 300, refreshToken: { nested: true } })],
]

describe('bad input: token replies', () => {
  it.each(REPLY_CASES)('refresh answers %s: InvalidTokenError, session kept, cooldown instead of a loop', async (_name, reply) => {
    const backend = scriptedBackend({ refresh: reply })
    const { tm, events } = manager(backend.fetch, { refreshCooldown: 5000 })
    const original = goodJwt()
    tm.setSession({ accessToken: original, expiresIn: 300 })

    // Forced refresh: typed error, an error event, the token kept.
    await expect(tm.refresh()).rejects.toSatisfy(isInvalidTokenError)
    expect(events.filter((e) => e.type === 'error').map((e) => (e.payload as { error: unknown }).error)).toEqual([expect.toSatisfy(isInvalidTokenError)])
    expect(await tm.getAccessToken()).toBe(original)

    // The token expires: a burst of requests makes at most one call, and fails typed.
    vi.setSystemTime(Date.now() + 301_000)
    const burst = await Promise.allSettled(Array.from({ length: 5 }, () => tm.fetch(`${ORIGIN}/api/me`)))
    expect(burst.every((r) => r.status === 'rejected' && isTokenKeeperError(r.reason))).toBe(true)
    expect(backend.calls.refresh).toBe(2)
    // Within the cooldown: fail fast, no call.
    await expect(tm.fetch(`${ORIGIN}/api/me`)).rejects.toSatisfy(isInvalidTokenError)
    expect(backend.calls.refresh).toBe(2)
    // Left alone: at most the one retry scheduled for the end of the first cooldown, then silence.
    await vi.advanceTimersByTimeAsync(120_000)
    const settled = backend.calls.refresh
    expect(settled).toBeLessThanOrEqual(3)
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(backend.calls.refresh).toBe(settled)
    // Nothing lost: the session is still there and recovers once the server answers properly.
    expect(tm.getSnapshot().status).toBe('active')
    expect(events.filter((e) => e.type === 'sessionExpired' || e.type === 'signedOut')).toEqual([])
    tm.destroy()
  })

  it.each(REPLY_CASES)('login answers %s: a typed error and no session', async (_name, reply) => {
    const backend = scriptedBackend({ login: reply })
    const { tm, events } = manager(backend.fetch)
    const error = await tm.login({ username: 'u', password: 'p' }).catch((e: unknown) => e)
    expect(isInvalidTokenError(error) || isLoginError(error)).toBe(true)
    expect(tm.getSnapshot().status).not.toBe('active')
    expect(await tm.getAccessToken()).toBeNull()
    expect(events.filter((e) => e.type === 'signedIn')).toEqual([])
    tm.destroy()
  })

  it('after the bad replies stop, the next request after the cooldown refreshes and works (nothing lost)', async () => {
    let bad = true
    const backend = scriptedBackend({
      refresh: () => (bad ? new Response('<html>', { status: 200 }) : Response.json({ accessToken: goodJwt(), expiresIn: 300 })),
    })
    const { tm } = manager(backend.fetch, { refreshCooldown: 5000 })
    tm.setSession({ accessToken: goodJwt(30), expiresIn: 30 })
    vi.setSystemTime(Date.now() + 31_000)
    await expect(tm.fetch(`${ORIGIN}/api/me`)).rejects.toSatisfy(isInvalidTokenError)
    bad = false
    vi.setSystemTime(Date.now() + 5000)
    expect((await tm.fetch(`${ORIGIN}/api/me`)).status).toBe(200)
    expect(backend.calls.refresh).toBe(2)
    tm.destroy()
  })
})

// ---------------------------------------------------------------------------------- channel messages

describe('bad input: cross-tab messages', () => {
  /** The sign-in the pair shares: its session id and sequence number. */
  let signIn: { session: string; seq: number; sessionSeq: number } = { session: '', seq: 0, sessionSeq: 0 }

  async function signedInPair() {
    const world = createTabs()
    const spy = world.rawChannel()
    const seen: Record<string, unknown>[] = []
    spy.addEventListener('message', (m: unknown) => seen.push(m as Record<string, unknown>))
    const a = world.open()
    const b = world.open()
    await a.tm.login({ username: 'alice', password: 'wonderland' })
    await vi.advanceTimersByTimeAsync(50)
    expect(b.tm.getSnapshot().status).toBe('active')
    const aId = seen.find((m) => m.type === 'signedIn')!.from as string
    signIn = seen.find((m) => m.type === 'signedIn') as typeof signIn
    return { world, spy, a, b, aId }
  }

  const shared = (overrides: Record<string, unknown> = {}) => ({
    accessToken: goodJwt(),
    expiresAt: Date.now() + 300_000,
    lifetime: 300_000,
    receivedAt: Date.now(),
    sessionStartedAt: Date.now(),
    session: signIn.session,
    seq: signIn.seq + 1,
    sessionSeq: signIn.sessionSeq,
    ...overrides,
  })

  const MESSAGES: [name: string, message: () => unknown][] = [
    ['null', () => null],
    ['a number', () => 42],
    ['a string', () => 'signedOut'],
    ['an array', () => [{ v: 2, from: 'x', type: 'signedOut', everywhere: true }]],
    ['wrong version (1)', () => ({ v: 1, from: 'x', type: 'signedOut', everywhere: true, session: null, seq: Number.MAX_SAFE_INTEGER })],
    ['a version-1 logout with a wall-clock time', () => ({ v: 2, from: 'x', type: 'signedOut', everywhere: true, at: Date.now() })],
    ['version as a string', () => ({ v: '2', from: 'x', type: 'signedOut', everywhere: true, session: null, seq: signIn.seq + 1 })],
    ['no sender', () => ({ v: 2, type: 'signedOut', everywhere: true, session: null, seq: signIn.seq + 1 })],
    ['sender not a string', () => ({ v: 2, from: 7, type: 'signedOut', everywhere: true, session: null, seq: signIn.seq + 1 })],
    ['unknown type', () => ({ v: 2, from: 'x', type: 'explode' })],
    ['signedOut with everywhere as a string', () => ({ v: 2, from: 'x', type: 'signedOut', everywhere: 'yes', session: null, seq: signIn.seq + 1 })],
    ['signedOut with a fractional sequence number', () => ({ v: 2, from: 'x', type: 'signedOut', everywhere: true, session: null, seq: signIn.seq + 1.5 })],
    [
      'signedOut of another session, numbered before our sign-in',
      () => ({ v: 2, from: 'x', type: 'signedOut', everywhere: true, session: 'another', seq: signIn.sessionSeq - 1 }),
    ],
    [
      'signedOut with a sequence number too far ahead to believe',
      () => ({ v: 2, from: 'x', type: 'signedOut', everywhere: true, session: signIn.session, seq: Number.MAX_SAFE_INTEGER }),
    ],
    ['expired with an unknown reason', () => ({ v: 2, from: 'x', type: 'expired', reason: 'because', session: signIn.session, seq: signIn.seq + 1 })],
    [
      'expired of another session, numbered before our sign-in',
      () => ({ v: 2, from: 'x', type: 'expired', reason: 'idle', session: 'another', seq: signIn.sessionSeq - 1 }),
    ],
    ['activity with a string time', () => ({ v: 2, from: 'x', type: 'activity', at: 'now' })],
    ['activity with NaN', () => ({ v: 2, from: 'x', type: 'activity', at: Number.NaN })],
    ['token with a number for the token', () => ({ v: 2, from: 'x', type: 'token', ...shared({ accessToken: 42 }) })],
    ['token with an empty token', () => ({ v: 2, from: 'x', type: 'token', ...shared({ accessToken: '' }) })],
    ['token without receivedAt', () => ({ v: 2, from: 'x', type: 'token', ...shared({ receivedAt: undefined }) })],
    ['token with Infinity for expiresAt', () => ({ v: 2, from: 'x', type: 'token', ...shared({ expiresAt: Infinity }) })],
    ['token with a zero lifetime', () => ({ v: 2, from: 'x', type: 'token', ...shared({ lifetime: 0 }) })],
    ['token that is huge (100 kB)', () => ({ v: 2, from: 'x', type: 'token', ...shared({ accessToken: `${'x'.repeat(50_000)}.${'y'.repeat(50_000)}.z` }) })],
    ['token that is a malformed JWT', () => ({ v: 2, from: 'x', type: 'token', ...shared({ accessToken: 'a.b.c' }) })],
    ['token already expired', () => ({ v: 2, from: 'x', type: 'token', ...shared({ expiresAt: Date.now() - 1 }) })],
    [
      'token of our session numbered as ours (even received later)',
      () => ({ v: 2, from: 'x', type: 'token', ...shared({ seq: signIn.seq, receivedAt: Date.now() + 60_000 }) }),
    ],
    ['token without a session id', () => ({ v: 2, from: 'x', type: 'token', ...shared({ session: undefined }) })],
    ['token numbered before its sign-in', () => ({ v: 2, from: 'x', type: 'token', ...shared({ seq: signIn.sessionSeq - 1 }) })],
    ['token with a sequence number too far ahead to believe', () => ({ v: 2, from: 'x', type: 'token', ...shared({ seq: Number.MAX_SAFE_INTEGER }) })],
    [
      'signedIn of another session numbered before ours',
      () => ({ v: 2, from: 'x', type: 'signedIn', ...shared({ session: 'another', seq: signIn.sessionSeq - 1, sessionSeq: signIn.sessionSeq - 1 }) }),
    ],
    ['welcome with a malformed token', () => ({ v: 2, from: 'x', type: 'welcome', token: { accessToken: 1 }, lastActivityAt: null, seq: 1 })],
    ['welcome with lastActivityAt as a string', () => ({ v: 2, from: 'x', type: 'welcome', token: shared(), lastActivityAt: 'now', seq: 1 })],
    ['a __proto__ payload', () => JSON.parse('{"v":2,"from":"x","type":"activity","at":"x","__proto__":{"polluted":true}}')],
  ]

  it.each(MESSAGES)('%s is ignored: no state change, no event, no refresh', async (_name, message) => {
    const { world, spy, a, b } = await signedInPair()
    const before = [a.tm.getSnapshot(), b.tm.getSnapshot()]
    const eventsBefore = [a.events.length, b.events.length]
    const refreshes = world.browser.count('/auth/refresh')
    void spy.postMessage(message())
    await vi.advanceTimersByTimeAsync(50)
    expect([a.tm.getSnapshot(), b.tm.getSnapshot()]).toEqual(before)
    expect([a.tm.getSnapshot(), b.tm.getSnapshot()].map((s, i) => s === before[i])).toEqual([true, true])
    expect([a.events.length, b.events.length]).toEqual(eventsBefore)
    expect(world.browser.count('/auth/refresh')).toBe(refreshes)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    await spy.close()
    world.destroyAll()
  })

  it('a tab ignores its own echo (a message stamped with its own id)', async () => {
    const { world, spy, a, b, aId } = await signedInPair()
    void spy.postMessage({ v: 2, from: aId, type: 'signedOut', everywhere: true, session: signIn.session, seq: signIn.seq + 1 })
    await vi.advanceTimersByTimeAsync(50)
    expect(a.tm.getSnapshot().status).toBe('active')
    // The other tab takes it for a message from A (tabs of one origin trust each other).
    expect(b.tm.getSnapshot().status).toBe('signedOut')
    await spy.close()
    world.destroyAll()
  })

  it('a flood of junk (1000 messages) changes nothing and triggers no refresh', async () => {
    const { world, spy, a, b } = await signedInPair()
    const before = [a.tm.getSnapshot(), b.tm.getSnapshot()]
    const refreshes = world.browser.count('/auth/refresh')
    for (let i = 0; i < 1000; i++) void spy.postMessage(MESSAGES[i % MESSAGES.length]![1]())
    await vi.advanceTimersByTimeAsync(100)
    expect([a.tm.getSnapshot() === before[0], b.tm.getSnapshot() === before[1]]).toEqual([true, true])
    expect(world.browser.count('/auth/refresh')).toBe(refreshes)
    await spy.close()
    world.destroyAll()
  })
})

import { describe, expect, it, vi } from 'vitest'
import { defaultChannelFactory, parseTabMessage, TabChannel, type ChannelLike } from '../../src/tabs/protocol'

const token = {
  accessToken: 'a.b.c',
  expiresAt: 2e12,
  lifetime: 60_000,
  receivedAt: 2e12 - 60_000,
  sessionStartedAt: 1e12,
  session: 's1',
  seq: 12,
  sessionSeq: 10,
}

function fakeChannel() {
  let listener: ((data: unknown) => void) | null = null
  const posted: unknown[] = []
  const channel: ChannelLike = {
    postMessage: (m) => void posted.push(m),
    addEventListener: (_t, l) => (listener = l),
    removeEventListener: () => (listener = null),
    close: vi.fn(),
  }
  return {
    channel,
    posted,
    deliver: (data: unknown) => listener?.(data),
    get listening() {
      return listener !== null
    },
  }
}

describe('parseTabMessage', () => {
  it.each([
    { v: 2, from: 't', type: 'token', ...token },
    { v: 2, from: 't', type: 'signedIn', ...token },
    { v: 2, from: 't', type: 'hello' },
    { v: 2, from: 't', type: 'welcome', token, lastActivityAt: 5, seq: 12 },
    { v: 2, from: 't', type: 'welcome', token: null, lastActivityAt: null, seq: 0 },
    { v: 2, from: 't', type: 'welcome', token: null, lastActivityAt: null, session: true, seq: 3 },
    {
      v: 2,
      from: 't',
      type: 'welcome',
      token: null,
      lastActivityAt: 7,
      session: true,
      seq: 3,
      joinable: { session: 's1', sessionSeq: 2, sessionStartedAt: 5 },
    },
    { v: 2, from: 't', type: 'signedOut', everywhere: false, session: null, seq: 5 },
    { v: 2, from: 't', type: 'signedOut', everywhere: true, session: 's1', seq: 5 },
    { v: 2, from: 't', type: 'expired', reason: 'idle', session: 's1', seq: 13 },
    { v: 2, from: 't', type: 'expired', reason: 'max_age', session: null, seq: 13 },
    { v: 2, from: 't', type: 'revoked' },
    { v: 2, from: 't', type: 'logoutDone' },
    { v: 2, from: 't', type: 'signedIn', ...token, resumed: true },
    { v: 2, from: 't', type: 'welcome', token: null, lastActivityAt: null, seq: 3, logoutPending: true },
    { v: 2, from: 't', type: 'activity', at: 5 },
    { v: 2, from: 't', type: 'refreshRequest' },
    { v: 2, from: 't', type: 'refreshFailed' },
    { v: 2, from: 't', type: 'refreshFailed', lost: true },
    { v: 2, from: 't', type: 'lock', op: 'claim', id: 'c1', rank: 0.5 },
    { v: 2, from: 't', type: 'lock', op: 'held', id: 'c1', rank: 0.5 },
    { v: 2, from: 't', type: 'lock', op: 'released', id: 'c1', rank: 0.5 },
    { v: 2, from: 't', type: 'lock', op: 'probe', id: 'c1', rank: 0 },
  ])('accepts %o', (message) => {
    expect(parseTabMessage(message)).toBe(message)
  })

  it.each([
    ['null', null],
    ['a string', 'hello'],
    ['another version', { v: 1, from: 't', type: 'hello' }],
    ['a refreshFailed whose lost flag is not true', { v: 2, from: 't', type: 'refreshFailed', lost: 'yes' }],
    [
      'a version-1 token (no session, no sequence number)',
      { v: 1, from: 't', type: 'token', ...token, session: undefined, seq: undefined, sessionSeq: undefined },
    ],
    ['a logout without a sequence number', { v: 2, from: 't', type: 'signedOut', everywhere: false, session: null }],
    ['a logout with a wall-clock time only (version 1)', { v: 2, from: 't', type: 'signedOut', everywhere: false, at: 5 }],
    ['a logout sequence number that is a string', { v: 2, from: 't', type: 'signedOut', everywhere: false, session: null, seq: '5' }],
    ['a logout sequence number that is fractional', { v: 2, from: 't', type: 'signedOut', everywhere: false, session: null, seq: 5.5 }],
    ['a negative logout sequence number', { v: 2, from: 't', type: 'signedOut', everywhere: false, session: null, seq: -1 }],
    ['a logout sequence number past the safe integers', { v: 2, from: 't', type: 'signedOut', everywhere: false, session: null, seq: 2 ** 53 }],
    ['a logout whose session is a number', { v: 2, from: 't', type: 'signedOut', everywhere: false, session: 1, seq: 5 }],
    ['a logout whose session is empty', { v: 2, from: 't', type: 'signedOut', everywhere: false, session: '', seq: 5 }],
    ['an expiry without a session', { v: 2, from: 't', type: 'expired', reason: 'idle', seq: 5 }],
    ['an expiry without a sequence number', { v: 2, from: 't', type: 'expired', reason: 'idle', session: 's1' }],
    ['a welcome without a sequence number', { v: 2, from: 't', type: 'welcome', token: null, lastActivityAt: null }],
    ['a welcome whose session flag is not a boolean', { v: 2, from: 't', type: 'welcome', token: null, lastActivityAt: null, session: 'yes', seq: 1 }],
    [
      'a welcome whose joinable session has no id',
      { v: 2, from: 't', type: 'welcome', token: null, lastActivityAt: null, seq: 1, joinable: { sessionSeq: 1, sessionStartedAt: 5 } },
    ],
    [
      'a welcome whose joinable session has a NaN start',
      { v: 2, from: 't', type: 'welcome', token: null, lastActivityAt: null, seq: 1, joinable: { session: 's1', sessionSeq: 1, sessionStartedAt: Number.NaN } },
    ],
    ['a token without a session', { v: 2, from: 't', type: 'token', ...token, session: undefined }],
    ['a token with a huge session id', { v: 2, from: 't', type: 'token', ...token, session: 's'.repeat(200) }],
    ['a token without a sequence number', { v: 2, from: 't', type: 'token', ...token, seq: undefined }],
    ['a token with an infinite sequence number', { v: 2, from: 't', type: 'token', ...token, seq: Number.POSITIVE_INFINITY }],
    ['a token numbered before its own sign-in', { v: 2, from: 't', type: 'signedIn', ...token, seq: 9, sessionSeq: 10 }],
    ['a token without a sign-in sequence number', { v: 2, from: 't', type: 'token', ...token, sessionSeq: undefined }],
    ['no sender', { v: 2, type: 'hello' }],
    ['an unknown type', { v: 2, from: 't', type: 'gossip' }],
    ['a token that is a number', { v: 2, from: 't', type: 'token', ...token, accessToken: 1 }],
    ['a huge token', { v: 2, from: 't', type: 'token', ...token, accessToken: 'x'.repeat(20_000) }],
    // The header-safety check of replies applies to the channel too: such a token would make every tm.fetch throw.
    ['a token with a newline', { v: 2, from: 't', type: 'token', ...token, accessToken: 'a.b\nc' }],
    ['a token with a character above U+00FF', { v: 2, from: 't', type: 'signedIn', ...token, accessToken: 'a.b.\u0100' }],
    ['a token with a space', { v: 2, from: 't', type: 'token', ...token, accessToken: 'a b' }],
    [
      'a welcome token with a control character',
      { v: 2, from: 't', type: 'welcome', token: { ...token, accessToken: 'a\u0007' }, lastActivityAt: null, seq: 1 },
    ],
    ['a NaN expiry', { v: 2, from: 't', type: 'token', ...token, expiresAt: Number.NaN }],
    ['a string expiry', { v: 2, from: 't', type: 'token', ...token, expiresAt: '2e12' }],
    ['a zero lifetime', { v: 2, from: 't', type: 'token', ...token, lifetime: 0 }],
    ['no receipt time', { v: 2, from: 't', type: 'token', ...token, receivedAt: undefined }],
    ['a bad welcome token', { v: 2, from: 't', type: 'welcome', token: { accessToken: 1 }, lastActivityAt: null, seq: 1 }],
    ['a non-boolean everywhere', { v: 2, from: 't', type: 'signedOut', everywhere: 1, session: null, seq: 1 }],
    ['an unknown reason', { v: 2, from: 't', type: 'expired', reason: 'boredom', session: null, seq: 1 }],
    ['a string activity time', { v: 2, from: 't', type: 'activity', at: 'now' }],
    ['a sign-in whose resumed flag is not a boolean', { v: 2, from: 't', type: 'signedIn', ...token, resumed: 'yes' }],
    ['a welcome whose logoutPending is not a boolean', { v: 2, from: 't', type: 'welcome', token: null, lastActivityAt: null, seq: 3, logoutPending: 1 }],
    ['a lock message with an unknown op', { v: 2, from: 't', type: 'lock', op: 'steal', id: 'c1', rank: 0 }],
    ['a lock message without an id', { v: 2, from: 't', type: 'lock', op: 'claim', id: '', rank: 0 }],
    ['a lock message with a huge id', { v: 2, from: 't', type: 'lock', op: 'claim', id: 'x'.repeat(65), rank: 0 }],
    ['a lock message with a NaN rank', { v: 2, from: 't', type: 'lock', op: 'claim', id: 'c1', rank: Number.NaN }],
    ['the retired noSession message', { v: 2, from: 't', type: 'noSession' }],
  ])('rejects %s', (_name, message) => {
    expect(parseTabMessage(message)).toBeNull()
  })
})

describe('TabChannel', () => {
  it('stamps version and sender, filters its own echo and counts what it ignores', async () => {
    const fake = fakeChannel()
    const received = vi.fn()
    const tab = new TabChannel(fake.channel, received, 'me')
    await tab.post({ type: 'hello' })
    expect(fake.posted).toEqual([{ type: 'hello', v: 2, from: 'me' }])
    fake.deliver(fake.posted[0])
    fake.deliver({ v: 2, from: 'other', type: 'hello' })
    fake.deliver({ junk: true })
    expect(received).toHaveBeenCalledTimes(1)
    expect(tab.ignored).toBe(2)
  })

  it('a channel whose postMessage throws does not break the caller', async () => {
    const fake = fakeChannel()
    fake.channel.postMessage = () => {
      throw new Error('DataCloneError')
    }
    const tab = new TabChannel(fake.channel, vi.fn(), 'me')
    await expect(tab.post({ type: 'hello' })).resolves.toBeUndefined()
  })

  it('close() detaches and closes once; later posts are dropped', async () => {
    const fake = fakeChannel()
    const tab = new TabChannel(fake.channel, vi.fn(), 'me')
    tab.close()
    tab.close()
    await Promise.resolve()
    expect(fake.listening).toBe(false)
    expect(fake.channel.close).toHaveBeenCalledTimes(1)
    await tab.post({ type: 'hello' })
    expect(fake.posted).toEqual([])
  })
})

describe('defaultChannelFactory (native BroadcastChannel)', () => {
  it('delivers message data (not events) to the other end, and stops after removeEventListener and close', async () => {
    const factory = defaultChannelFactory()
    expect(factory).not.toBeNull()
    const name = `native-${Math.random()}`
    const a = factory!(name)
    const b = factory!(name)
    const first: unknown[] = []
    const removed = (data: unknown) => first.push(data)
    b.addEventListener('message', removed)
    const got = new Promise<unknown>((resolve) => b.addEventListener('message', resolve))
    await a.postMessage({ type: 'hello', n: 1 })
    expect(await got).toEqual({ type: 'hello', n: 1 })
    expect(first).toEqual([{ type: 'hello', n: 1 }])

    b.removeEventListener('message', removed)
    const second = new Promise<unknown>((resolve) => b.addEventListener('message', resolve))
    await a.postMessage({ type: 'hello', n: 2 })
    expect(await second).toEqual({ type: 'hello', n: 2 })
    expect(first).toHaveLength(1)
    await a.close()
    await b.close()
    expect(() => a.postMessage({})).toThrow()
  })

  it('is null where there is no BroadcastChannel (SSR without it, old browsers)', () => {
    vi.stubGlobal('BroadcastChannel', undefined)
    try {
      expect(defaultChannelFactory()).toBeNull()
    } finally {
      vi.unstubAllGlobals()
    }
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../src/util/clock'
import { fakeTabs } from '../helpers/fake-tabs'
import { TabBridge } from '../../src/tabs/bridge'
import type { SharedToken, TabMessage } from '../../src/tabs/protocol'
import { createSession, tokenFor } from '../helpers/session'
import { makeJwt } from '../helpers/jwt'

let tokenCount = 0

/** A token another tab shares: `seq` orders it (default: after everything so far), the times are informational. */
function shared(
  sub: string,
  order: { seq?: number; session?: string; sessionSeq?: number; receivedAt?: number; seconds?: number; sessionStartedAt?: number } = {},
): SharedToken {
  const receivedAt = order.receivedAt ?? Date.now()
  const seconds = order.seconds ?? 600
  const iat = Math.floor(receivedAt / 1000)
  const seq = order.seq ?? Date.now() + 1000 + ++tokenCount
  return {
    accessToken: makeJwt({ sub, iat, exp: iat + seconds, jti: ++tokenCount }),
    expiresAt: receivedAt + seconds * 1000,
    lifetime: seconds * 1000,
    receivedAt,
    sessionStartedAt: order.sessionStartedAt ?? receivedAt,
    session: order.session ?? `s-${sub}`,
    seq,
    sessionSeq: order.sessionSeq ?? seq,
  }
}

function setup(options: { cookieMode?: boolean } = {}) {
  const world = createSession({ cookieMode: options.cookieMode ?? true })
  const { tabs, posted: sent } = fakeTabs()
  const run = vi.fn(async () => 'fresh')
  const heardLost = vi.fn()
  const onRemoteActivity = vi.fn()
  const bridge = new TabBridge({
    session: world.session,
    refresh: { run, holdingBack: false, heardLost },
    clock: systemClock,
    tabs,
    onRemoteActivity,
  })
  const deliver = (body: Record<string, unknown>) => bridge.onMessage({ v: 2, from: 'other-tab', ...body } as TabMessage)
  return { ...world, bridge, deliver, sent, run, heardLost, onRemoteActivity }
}

describe('TabBridge', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_800_000_000_000)
  })
  afterEach(() => vi.useRealTimers())

  it('a sign-in elsewhere signs this tab in (remote, not re-posted); a later rotation of the session replaces ours, an earlier or equal one does not', () => {
    const { session, deliver, events, sent } = setup()
    const now = Date.now()
    const signIn = shared('alice', { seq: 100 })
    deliver({ type: 'signedIn', ...signIn })
    expect(session.status).toBe('active')
    expect(events.filter((e) => e.type === 'signedIn')).toHaveLength(1)
    expect(sent).toEqual([])
    // Order is the sequence number, never the receipt time: a later receipt time with a lower number is older.
    deliver({ type: 'token', ...shared('alice', { seq: 99, sessionSeq: 100, receivedAt: now + 60_000 }) })
    deliver({ type: 'token', ...shared('alice', { seq: 100, sessionSeq: 100, receivedAt: now + 60_000 }) })
    expect(session.token!.value).toBe(signIn.accessToken)
    const newer = shared('alice', { seq: 101, sessionSeq: 100, receivedAt: now - 1000 })
    deliver({ type: 'token', ...newer })
    expect(session.token!.value).toBe(newer.accessToken)
    expect(events.filter((e) => e.type === 'tokenRefreshed').map((e) => e.payload)).toEqual([{ expiresAt: newer.expiresAt, source: 'remote' }])
  })

  it('a far-future receivedAt does not freeze the tab: the next rotation and a logout still apply', () => {
    const { session, deliver } = setup()
    deliver({ type: 'signedIn', ...shared('alice', { seq: 10 }) })
    const hostile = shared('alice', { seq: 11, sessionSeq: 10, receivedAt: 8e15 - 600_000 })
    deliver({ type: 'token', ...hostile })
    const next = shared('alice', { seq: 12, sessionSeq: 10 })
    deliver({ type: 'token', ...next })
    expect(session.token!.value).toBe(next.accessToken)
    deliver({ type: 'signedOut', everywhere: false, session: 's-alice', seq: 13 })
    expect(session.status).toBe('signedOut')
  })

  it('a far-ahead sequence number is believed within bounds (the tabs count on from it) and ignored beyond them', () => {
    const { session, deliver } = setup()
    deliver({ type: 'signedIn', ...shared('alice', { seq: 10 }) })
    // Beyond any believable jump: the message is dropped, and cannot push the sequence to the end of the safe integers.
    deliver({ type: 'signedIn', ...shared('mallory', { seq: Number.MAX_SAFE_INTEGER }) })
    expect(session.token!.claims?.sub).toBe('alice')
    expect(session.order.current).toBeLessThan(2 ** 50)
    // Far ahead but believable: this tab's next numbers are above it, so what it does next still orders after.
    deliver({ type: 'token', ...shared('alice', { seq: Date.now() + 2 ** 39, sessionSeq: 10 }) })
    expect(session.order.next()).toBeGreaterThan(Date.now() + 2 ** 39)
  })

  it('an expired token update is ignored; an expired sign-in still signs in (it expired on the way)', () => {
    const { session, deliver } = setup()
    const stale = shared('alice', { receivedAt: Date.now() - 700_000 })
    deliver({ type: 'token', ...stale })
    expect(session.status).toBe('unknown')
    deliver({ type: 'signedIn', ...stale })
    expect(session.status).toBe('active')
    expect(session.hasValidToken()).toBe(false)
  })

  it('a token update never revives a session that ended here; a sign-in does, unless it is numbered below our logout', () => {
    const { session, deliver } = setup()
    session.install(tokenFor('alice').token, null, 'local', { newSession: true })
    session.noteLogout()
    session.end('signedOut')
    const logout = session.loggedOutSeq
    // Received later but numbered below the logout (it crossed it): the logout's server call ended it.
    deliver({ type: 'signedIn', ...shared('alice', { seq: logout - 1, receivedAt: Date.now() + 60_000 }) })
    expect(session.status).toBe('signedOut')
    deliver({ type: 'token', ...shared('alice', { seq: logout + 5 }) })
    expect(session.status).toBe('signedOut')
    deliver({ type: 'signedIn', ...shared('bob', { seq: logout + 10, receivedAt: Date.now() - 3_600_000 + 600_000 }) })
    expect(session.status).toBe('active')
    expect(session.token!.claims?.sub).toBe('bob')
  })

  it("while signed in: another account's token update is ignored, another account's sign-in is a new session", () => {
    const { session, deliver, events } = setup()
    session.install(tokenFor('alice').token, null, 'local', { newSession: true })
    session.store.flush()
    events.length = 0
    deliver({ type: 'token', ...shared('bob') })
    expect(session.token!.claims?.sub).toBe('alice')
    // A sign-in numbered below ours crossed it: ours is the later one, in every tab.
    deliver({ type: 'signedIn', ...shared('bob', { seq: session.sessionSeq - 1 }) })
    expect(session.token!.claims?.sub).toBe('alice')
    deliver({ type: 'signedIn', ...shared('bob') })
    expect(session.token!.claims?.sub).toBe('bob')
    expect(events.filter((e) => e.type === 'signedIn').map((e) => e.payload)).toEqual([{ claims: expect.objectContaining({ sub: 'bob' }) }])
  })

  it('signedOut ends the session (remote) unless it is a logout of another session, numbered below our sign-in, that crossed it', () => {
    const { session, deliver, events } = setup()
    session.install(tokenFor('alice').token, null, 'local', { newSession: true })
    deliver({ type: 'signedOut', everywhere: false, session: 'an-earlier-session', seq: session.sessionSeq - 1 })
    deliver({ type: 'signedOut', everywhere: false, session: null, seq: session.sessionSeq - 1 })
    expect(session.status).toBe('active')
    deliver({ type: 'signedOut', everywhere: true, session: null, seq: session.sessionSeq })
    expect(session.status).toBe('signedOut')
    expect(events.filter((e) => e.type === 'signedOut').map((e) => e.payload)).toEqual([{ source: 'remote', everywhere: true }])
    // A logout naming this session ends it whatever its number.
    session.install(tokenFor('alice').token, null, 'local', { newSession: true })
    deliver({ type: 'signedOut', everywhere: false, session: session.sessionId, seq: 0 })
    expect(session.status).toBe('signedOut')
  })

  it('expired ends the session with the same reason and is not echoed back', () => {
    const { session, deliver, events, sent } = setup()
    session.install(tokenFor('alice').token, null, 'remote', { newSession: true, order: { session: 's1', seq: 50, sessionSeq: 50 } })
    // The end of an earlier session that crossed this one's sign-in is not the end of this one.
    deliver({ type: 'expired', reason: 'idle', session: 's0', seq: 49 })
    expect(session.status).toBe('active')
    deliver({ type: 'expired', reason: 'max_age', session: 's1', seq: 60 })
    expect(session.status).toBe('expired')
    expect(events.filter((e) => e.type === 'sessionExpired').map((e) => e.payload)).toEqual([{ reason: 'max_age' }])
    expect(sent).toEqual([])
  })

  it('answers hello with its token (never a refresh token) and last activity; passes activity on', () => {
    const { session, deliver, sent, onRemoteActivity } = setup({ cookieMode: false })
    const { token, reply } = tokenFor('alice')
    session.install(token, reply, 'local', { newSession: true })
    deliver({ type: 'hello' })
    expect(sent).toEqual([
      {
        type: 'welcome',
        token: expect.objectContaining({ accessToken: token.value, session: session.sessionId, seq: session.tokenSeq }),
        lastActivityAt: expect.any(Number),
        session: true,
        seq: session.order.current,
        // The session itself, so a joining tab that refreshes with the cookie continues it.
        joinable: { session: session.sessionId, sessionSeq: session.sessionSeq, sessionStartedAt: expect.any(Number) },
      },
    ])
    expect(JSON.stringify(sent)).not.toContain('rt-alice')
    deliver({ type: 'activity', at: 42 })
    expect(onRemoteActivity).toHaveBeenCalledWith(42)
    // Tabs share the wall clock: activity stamped in the future counts as now, it cannot hold the idle deadline off.
    deliver({ type: 'activity', at: Date.now() + 3_600_000 })
    expect(onRemoteActivity).toHaveBeenLastCalledWith(Date.now())
  })

  it('a welcome with a token signs a joining tab in; one without changes nothing', () => {
    const { session, deliver } = setup()
    deliver({ type: 'welcome', token: null, lastActivityAt: null, seq: 5000 })
    expect(session.status).toBe('unknown')
    // A tab that just opened counts on from what the others have numbered.
    expect(session.order.next()).toBeGreaterThan(5000)
    deliver({ type: 'welcome', token: shared('alice'), lastActivityAt: Date.now(), seq: 1 })
    expect(session.status).toBe('active')
  })

  it('refreshRequest (body mode): the refresh-token holder re-posts a token it just got, or refreshes; other tabs ignore it', () => {
    const holder = setup({ cookieMode: false })
    const { token, reply } = tokenFor('alice')
    holder.session.install(token, reply, 'local', { newSession: true })
    holder.sent.length = 0
    holder.deliver({ type: 'refreshRequest' })
    expect(holder.sent).toEqual([expect.objectContaining({ type: 'token' })])
    expect(holder.run).not.toHaveBeenCalled()
    vi.advanceTimersByTime(5000)
    holder.deliver({ type: 'refreshRequest' })
    expect(holder.run).toHaveBeenCalledWith(holder.session.token!.value)

    // Without the refresh token (it came over the channel), or in cookie mode, there is nothing to answer with.
    for (const other of [setup({ cookieMode: false }), setup({ cookieMode: true })]) {
      other.session.install(tokenFor('alice').token, null, 'local', { newSession: true })
      other.sent.length = 0
      vi.advanceTimersByTime(5000)
      other.deliver({ type: 'refreshRequest' })
      expect(other.sent).toEqual([])
      expect(other.run).not.toHaveBeenCalled()
    }
  })

  it('refreshFailed: only a reply another tab may have lost tells this tab its refresh token may be spent', () => {
    const { deliver, heardLost } = setup()
    deliver({ type: 'refreshFailed' })
    expect(heardLost).not.toHaveBeenCalled()
    deliver({ type: 'refreshFailed', lost: true })
    expect(heardLost).toHaveBeenCalledTimes(1)
  })

  it('O5: a logout heard here is pending until acknowledged: resumed sign-ins are refused meanwhile, welcomes say so, sign-ins by login are adopted', () => {
    const { session, deliver, sent } = setup()
    deliver({ type: 'signedOut', everywhere: false, session: null, seq: Date.now() })
    expect(session.logoutPending).toBe(true)
    // A session another tab found with the cookie while the logout is unacknowledged: the one that logout ends.
    deliver({ type: 'signedIn', ...shared('alice'), resumed: true })
    expect(session.status).not.toBe('active')
    deliver({ type: 'hello' })
    expect(sent).toEqual([expect.objectContaining({ type: 'welcome', logoutPending: true })])
    // A new login elsewhere is a new cookie: adopted, and nothing is pending any more.
    deliver({ type: 'signedIn', ...shared('bob') })
    expect(session.status).toBe('active')
    expect(session.logoutPending).toBe(false)
    // logoutDone clears it too; a welcome saying a logout is pending sets it.
    deliver({ type: 'welcome', token: null, lastActivityAt: null, seq: 1, logoutPending: true })
    expect(session.logoutPending).toBe(true)
    deliver({ type: 'logoutDone' })
    expect(session.logoutPending).toBe(false)
  })

  it('does nothing once the manager is destroyed', () => {
    const { session, deliver } = setup()
    session.destroy()
    deliver({ type: 'signedIn', ...shared('alice') })
    expect(session.status).toBe('unknown')
  })
})

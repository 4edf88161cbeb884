import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../src/util/clock'
import type { RefreshCoordinator } from '../../src/refresh/coordinator'
import type { TabSync } from '../../src/tabs/tab-sync'
import { TabBridge } from '../../src/tabs/bridge'
import type { SharedToken, TabMessage } from '../../src/tabs/protocol'
import { createSession, tokenFor } from '../helpers/session'
import { makeJwt } from '../helpers/jwt'

function shared(sub: string, receivedAt: number, seconds = 600, sessionStartedAt = receivedAt): SharedToken {
  const iat = Math.floor(receivedAt / 1000)
  return {
    accessToken: makeJwt({ sub, iat, exp: iat + seconds }),
    expiresAt: receivedAt + seconds * 1000,
    lifetime: seconds * 1000,
    receivedAt,
    sessionStartedAt,
  }
}

function setup(options: { cookieMode?: boolean; leader?: boolean } = {}) {
  const world = createSession({ cookieMode: options.cookieMode ?? true })
  const sent: unknown[] = []
  const sync = { post: vi.fn(async (m: unknown) => void sent.push(m)), isLeader: options.leader ?? false } as unknown as TabSync
  const run = vi.fn(async () => 'fresh')
  const onRemoteActivity = vi.fn()
  const bridge = new TabBridge({
    session: world.session,
    refresh: { run } as unknown as RefreshCoordinator,
    clock: systemClock,
    sync: () => sync,
    onRemoteActivity,
  })
  const deliver = (body: Record<string, unknown>) => bridge.onMessage({ v: 1, from: 'other-tab', ...body } as TabMessage)
  return { ...world, bridge, deliver, sent, run, onRemoteActivity }
}

describe('TabBridge', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_800_000_000_000)
  })
  afterEach(() => vi.useRealTimers())

  it('a sign-in elsewhere signs this tab in (remote, not re-posted); a newer token replaces ours, an older or equal one does not', () => {
    const { session, deliver, events, sent } = setup()
    const now = Date.now()
    deliver({ type: 'signedIn', ...shared('alice', now) })
    expect(session.status).toBe('active')
    expect(events.filter((e) => e.type === 'signedIn')).toHaveLength(1)
    expect(sent).toEqual([])
    const older = shared('alice', now - 1000)
    deliver({ type: 'token', ...older })
    expect(session.token!.receivedAt).toBe(now)
    const newer = shared('alice', now + 1000)
    deliver({ type: 'token', ...newer })
    expect(session.token!.value).toBe(newer.accessToken)
    expect(events.filter((e) => e.type === 'tokenRefreshed').map((e) => e.payload)).toEqual([{ expiresAt: newer.expiresAt, source: 'remote' }])
  })

  it('an expired token update is ignored; an expired sign-in still signs in (it expired on the way)', () => {
    const { session, deliver } = setup()
    const stale = shared('alice', Date.now() - 700_000)
    deliver({ type: 'token', ...stale })
    expect(session.status).toBe('unknown')
    deliver({ type: 'signedIn', ...stale })
    expect(session.status).toBe('active')
    expect(session.hasValidToken()).toBe(false)
  })

  it('a token update never revives a session that ended here; a sign-in does, unless it is older than our logout', () => {
    const { session, deliver } = setup()
    session.install(tokenFor('alice').token, null, 'local', { newSession: true })
    session.loggedOutAt = Date.now()
    session.end('signedOut')
    deliver({ type: 'signedIn', ...shared('alice', Date.now() - 5) })
    expect(session.status).toBe('signedOut')
    deliver({ type: 'token', ...shared('alice', Date.now() + 5) })
    expect(session.status).toBe('signedOut')
    deliver({ type: 'signedIn', ...shared('bob', Date.now() + 10) })
    expect(session.status).toBe('active')
    expect(session.token!.claims?.sub).toBe('bob')
  })

  it("while signed in: another account's token update is ignored, another account's sign-in is a new session", () => {
    const { session, deliver, events } = setup()
    session.install(tokenFor('alice').token, null, 'local', { newSession: true })
    session.store.flush()
    events.length = 0
    deliver({ type: 'token', ...shared('bob', Date.now() + 10) })
    expect(session.token!.claims?.sub).toBe('alice')
    deliver({ type: 'signedIn', ...shared('bob', Date.now() + 20) })
    expect(session.token!.claims?.sub).toBe('bob')
    expect(events.filter((e) => e.type === 'signedIn').map((e) => e.payload)).toEqual([{ claims: expect.objectContaining({ sub: 'bob' }) }])
  })

  it('signedOut ends the session (remote) unless it is a logout older than our sign-in that crossed it', () => {
    const { session, deliver, events } = setup()
    session.install(tokenFor('alice').token, null, 'local', { newSession: true })
    deliver({ type: 'signedOut', everywhere: false, at: session.signedInAt - 1 })
    expect(session.status).toBe('active')
    deliver({ type: 'signedOut', everywhere: true, at: session.signedInAt + 1 })
    expect(session.status).toBe('signedOut')
    expect(events.filter((e) => e.type === 'signedOut').map((e) => e.payload)).toEqual([{ source: 'remote', everywhere: true }])
    // Without a time (older tabs), a logout is obeyed as before.
    session.install(tokenFor('alice').token, null, 'local', { newSession: true })
    deliver({ type: 'signedOut', everywhere: false })
    expect(session.status).toBe('signedOut')
  })

  it('expired ends the session with the same reason and is not echoed back', () => {
    const { session, deliver, events, sent } = setup()
    session.install(tokenFor('alice').token, null, 'remote', { newSession: true })
    deliver({ type: 'expired', reason: 'max_age' })
    expect(session.status).toBe('expired')
    expect(events.filter((e) => e.type === 'sessionExpired').map((e) => e.payload)).toEqual([{ reason: 'max_age' }])
    expect(sent).toEqual([])
  })

  it('answers hello with its token (never a refresh token) and last activity; passes activity on', () => {
    const { session, deliver, sent, onRemoteActivity } = setup({ cookieMode: false })
    const { token, reply } = tokenFor('alice')
    session.install(token, reply, 'local', { newSession: true })
    deliver({ type: 'hello' })
    expect(sent).toEqual([{ type: 'welcome', token: expect.objectContaining({ accessToken: token.value }), lastActivityAt: expect.any(Number), session: true }])
    expect(JSON.stringify(sent)).not.toContain('rt-alice')
    deliver({ type: 'activity', at: 42 })
    expect(onRemoteActivity).toHaveBeenCalledWith(42)
  })

  it('a welcome with a token signs a joining tab in; one without changes nothing', () => {
    const { session, deliver } = setup()
    deliver({ type: 'welcome', token: null, lastActivityAt: null })
    expect(session.status).toBe('unknown')
    deliver({ type: 'welcome', token: shared('alice', Date.now()), lastActivityAt: Date.now() })
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

  it('does nothing once the manager is destroyed', () => {
    const { session, deliver } = setup()
    session.destroyed = true
    deliver({ type: 'signedIn', ...shared('alice', Date.now()) })
    expect(session.status).toBe('unknown')
  })
})

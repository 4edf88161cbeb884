import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSession, tokenFor } from '../helpers/session'

describe('Session', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_800_000_000_000)
  })
  afterEach(() => vi.useRealTimers())

  it('a new local session: active, signedIn with the claims, epoch bumped, token shared as signedIn, refresh armed at expiry - lead', () => {
    const { session, posted, events, refreshTimer, attachWake } = createSession()
    const { token, reply } = tokenFor('alice', 600)
    const epoch = session.epoch
    session.install(token, reply, 'local', { newSession: true })
    session.store.flush()
    expect(session.status).toBe('active')
    expect(session.epoch).toBe(epoch + 1)
    expect(session.sessionId).toEqual(expect.any(String))
    expect(session.sessionSeq).toBe(session.tokenSeq)
    expect(events.map((e) => e.type)).toEqual(['signedIn', 'change'])
    expect(events[0]!.payload).toEqual({ claims: expect.objectContaining({ sub: 'alice' }) })
    expect(posted).toEqual([expect.objectContaining({ type: 'signedIn', accessToken: token.value, expiresAt: token.expiresAt })])
    expect(refreshTimer.dueAt).toBe(token.expiresAt - 60_000)
    expect(attachWake).toHaveBeenCalled()
  })

  it('a refreshed token: tokenRefreshed with its source, shared as `token`; a remote one is not re-posted', () => {
    const { session, posted, events } = createSession()
    session.install(tokenFor().token, null, 'local', { newSession: true })
    posted.length = 0
    events.length = 0
    const next = tokenFor('alice', 900).token
    session.install(next, null, 'local', { newSession: false })
    session.install(tokenFor('alice', 1200).token, null, 'remote', { newSession: false })
    session.store.flush()
    expect(events.filter((e) => e.type === 'tokenRefreshed').map((e) => (e.payload as { source: string }).source)).toEqual(['local', 'remote'])
    expect(posted.map((m) => m.type)).toEqual(['token'])
  })

  it('body mode: keeps the refresh token from its own replies, drops it when another tab rotated it', () => {
    const { session } = createSession({ cookieMode: false })
    const first = tokenFor()
    session.install(first.token, first.reply, 'local', { newSession: true })
    expect(session.refreshToken).toBe('rt-alice')
    session.install(tokenFor().token, { refreshToken: undefined }, 'local', { newSession: false })
    expect(session.refreshToken).toBe('rt-alice') // a reply without a new one keeps the old
    session.install(tokenFor().token, null, 'remote', { newSession: false })
    expect(session.refreshToken).toBeNull()
  })

  it('cookie mode never holds a refresh token, even if the server sends one', () => {
    const { session } = createSession({ cookieMode: true })
    const { token, reply } = tokenFor()
    session.install(token, reply, 'local', { newSession: true })
    expect(session.refreshToken).toBeNull()
    expect(session.credentials()).toEqual({ accessToken: token.value, refreshToken: null })
  })

  it('end(): clears memory and timers, aborts the refresh signal of the ended session and starts a fresh one', () => {
    const { session, refreshTimer } = createSession({ cookieMode: false })
    const { token, reply } = tokenFor()
    session.install(token, reply, 'local', { newSession: true })
    const signal = session.refreshAbort.signal
    const epoch = session.epoch
    session.end('signedOut')
    expect(signal.aborted).toBe(true)
    expect(session.refreshAbort.signal.aborted).toBe(false)
    expect(session.token).toBeNull()
    expect(session.refreshToken).toBeNull()
    expect(session.status).toBe('signedOut')
    expect(session.epoch).toBe(epoch + 1)
    expect(refreshTimer.dueAt).toBeNull()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('expire(): sessionExpired with the reason, posted to the other tabs only when it happened here', () => {
    const local = createSession()
    local.session.install(tokenFor().token, null, 'local', { newSession: true })
    local.posted.length = 0
    local.session.expire('idle', 'local')
    local.session.store.flush()
    expect(local.session.status).toBe('expired')
    expect(local.events.filter((e) => e.type === 'sessionExpired')).toEqual([{ type: 'sessionExpired', payload: { reason: 'idle' } }])
    expect(local.posted).toEqual([{ type: 'expired', reason: 'idle', session: expect.any(String), seq: expect.any(Number) }])

    const remote = createSession()
    remote.session.install(tokenFor().token, null, 'remote', { newSession: true })
    remote.session.expire('refresh_rejected', 'remote')
    expect(remote.session.status).toBe('expired')
    expect(remote.posted).toEqual([])
    // Nothing to expire: no event, no message.
    remote.session.expire('idle', 'local')
    expect(remote.posted).toEqual([])
  })

  it('share(): the access token and times only, null once it expired', () => {
    const { session } = createSession({ cookieMode: false })
    const { token, reply } = tokenFor('alice', 120)
    session.install(token, reply, 'local', { newSession: true })
    const shared = session.share()!
    expect(Object.keys(shared).sort()).toEqual(['accessToken', 'expiresAt', 'lifetime', 'receivedAt', 'seq', 'session', 'sessionSeq', 'sessionStartedAt'])
    expect(JSON.stringify(shared)).not.toContain('rt-alice')
    vi.setSystemTime(token.expiresAt)
    expect(session.share()).toBeNull()
    expect(session.hasValidToken()).toBe(false)
    expect(session.hasSession()).toBe(true)
  })

  it('with idle tracking, the refresh timer waits for activity since the token', () => {
    const { session, refreshTimer, idle } = createSession({ idleTimeout: 15 * 60_000 })
    const { token } = tokenFor('alice', 600)
    session.install(token, null, 'local', { newSession: true })
    expect(refreshTimer.dueAt).toBeNull()
    vi.advanceTimersByTime(1000)
    idle.activity(Date.now())
    session.scheduleRefresh()
    expect(refreshTimer.dueAt).toBe(token.expiresAt - 60_000)
  })

  it('staggers the refresh of tabs that know peers exist, never later than the lead time', () => {
    const { session, refreshTimer } = createSession({ peers: true })
    const { token } = tokenFor('alice', 600)
    session.install(token, null, 'local', { newSession: true })
    const due = token.expiresAt - 60_000
    expect(refreshTimer.dueAt).toBeLessThanOrEqual(due)
    expect(refreshTimer.dueAt).toBeGreaterThanOrEqual(due - 2000)
  })

  it('is the only writer of its state: other modules cannot assign it (the type check fails), they call transitions', () => {
    const { session } = createSession()
    const assignments = () => {
      // @ts-expect-error readonly outside Session
      session.status = 'active'
      // @ts-expect-error readonly outside Session
      session.token = null
      // @ts-expect-error readonly outside Session
      session.logoutPending = true
      // @ts-expect-error readonly outside Session
      session.loggedOutSeq = 1
      // @ts-expect-error readonly outside Session
      session.epoch++
      // @ts-expect-error private to Session
      session.joining = null
    }
    expect(assignments).toBeTypeOf('function')
    // 'refreshing' is its own axis: the status is derived from it, and ending the session clears it.
    session.install(tokenFor('alice').token, null, 'local', { newSession: true })
    expect(session.beginRefresh()).toBe(true)
    expect([session.status, session.snapshot.status, session.hasSession()]).toEqual(['refreshing', 'refreshing', true])
    expect(session.endRefresh()).toBe(true)
    expect(session.status).toBe('active')
    session.beginRefresh()
    session.end('signedOut')
    expect(session.endRefresh()).toBe(false)
    expect(session.status).toBe('signedOut')
    expect(session.beginRefresh()).toBe(false)
  })
})

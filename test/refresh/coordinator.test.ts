import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../src/util/clock'
import { InvalidTokenError, RefreshError, SessionExpiredError } from '../../src/errors'
import type { RefreshLock } from '../../src/refresh/refresh-lock'
import { RefreshCoordinator } from '../../src/refresh/coordinator'
import { noTabs } from '../../src/tabs/tab-sync'
import type { TabLink } from '../../src/session/tab-link'
import type { AuthOutcome } from '../../src/http/transport'
import { createSession, tokenFor } from '../helpers/session'

function setup(options: { outcomes?: AuthOutcome[]; tabs?: TabLink; cookieMode?: boolean; idleTimeout?: number } = {}) {
  const world = createSession({ cookieMode: options.cookieMode ?? true, idleTimeout: options.idleTimeout ?? 0, tabs: false })
  const outcomes = [...(options.outcomes ?? [])]
  const refresh = vi.fn(async (): Promise<AuthOutcome> => {
    const next = outcomes.shift()
    if (next) return next
    const { reply } = tokenFor('alice', 600)
    return { kind: 'ok', tokens: reply, receivedAt: Date.now() }
  })
  const coordinator = new RefreshCoordinator({
    session: world.session,
    transport: { refresh },
    clock: systemClock,
    cooldown: world.cooldown,
    retryPolicy: { retries: 0, baseDelay: 1000, maxDelay: 30_000 },
    refreshTimer: world.refreshTimer,
    lockTimeout: 10_000,
    reuseGrace: 0,
    tabs: options.tabs ?? noTabs,
    log: world.log,
  })
  return { ...world, coordinator, refresh }
}

describe('RefreshCoordinator', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_800_000_000_000)
  })
  afterEach(() => vi.useRealTimers())

  it('concurrent runs share one request and install the new token', async () => {
    const { coordinator, refresh, session } = setup()
    session.install(tokenFor('alice', 60).token, null, 'local', { newSession: true })
    const stale = session.token!.value
    const results = await Promise.all([coordinator.run(stale), coordinator.run(stale), coordinator.run(stale)])
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(new Set(results).size).toBe(1)
    expect(results[0]).toBe(session.token!.value)
    expect(results[0]).not.toBe(stale)
    expect(session.status).toBe('active')
  })

  it('a rejected refresh ends a session as expired (refresh_rejected)', async () => {
    const { coordinator, session, events } = setup({ outcomes: [{ kind: 'rejected', status: 401 }] })
    session.install(tokenFor().token, null, 'local', { newSession: true })
    await expect(coordinator.run(session.token!.value)).rejects.toMatchObject({ code: 'SESSION_EXPIRED', reason: 'refresh_rejected' })
    expect(session.status).toBe('expired')
    expect(events.filter((e) => e.type === 'sessionExpired')).toHaveLength(1)
  })

  it('without a session (start(), no cookie) a rejection signs out quietly', async () => {
    const { coordinator, session, events } = setup({ outcomes: [{ kind: 'rejected', status: 401 }] })
    await expect(coordinator.run(null)).rejects.toBeInstanceOf(SessionExpiredError)
    expect(session.status).toBe('signedOut')
    expect(events.filter((e) => e.type === 'sessionExpired')).toHaveLength(0)
  })

  it('a transient failure keeps a still-valid session, reports an error event, and cools down (no refresh loop)', async () => {
    const { coordinator, session, events, refresh, refreshTimer } = setup({ outcomes: [{ kind: 'transient', status: 503 }] })
    session.install(tokenFor('alice', 600).token, null, 'local', { newSession: true })
    await expect(coordinator.run(session.token!.value)).rejects.toBeInstanceOf(RefreshError)
    session.store.flush()
    expect(session.status).toBe('active')
    expect(events.filter((e) => e.type === 'error')).toHaveLength(1)
    await expect(coordinator.run(session.token!.value)).rejects.toBeInstanceOf(RefreshError)
    expect(refresh).toHaveBeenCalledTimes(1) // the second attempt hit the cooldown, not the server
    expect(refreshTimer.dueAt).toBe(Date.now() + 5000) // and is retried when it ends
  })

  it('a reply that is not a usable token becomes InvalidTokenError and keeps the session', async () => {
    const { coordinator, session } = setup({ outcomes: [{ kind: 'ok', tokens: { accessToken: 'not.a.jwt', expiresIn: 60 }, receivedAt: Date.now() }] })
    session.install(tokenFor().token, null, 'local', { newSession: true })
    await expect(coordinator.run(session.token!.value)).rejects.toBeInstanceOf(InvalidTokenError)
    expect(session.status).toBe('active')
  })

  it('makes no request when a newer token is already here (another tab refreshed)', async () => {
    const { coordinator, session, refresh } = setup()
    session.install(tokenFor().token, null, 'local', { newSession: true })
    await expect(coordinator.run('an-older-token')).resolves.toBe(session.token!.value)
    expect(refresh).not.toHaveBeenCalled()
  })

  it("under a contended lock, waits for the holder's token and adopts it", async () => {
    const waitFor = vi.fn<TabLink['waitFor']>(async (match) => {
      // The holder's token arrives while we wait.
      session.install(tokenFor('alice', 900).token, null, 'remote', { newSession: false })
      return match({ type: 'token' }) ? { type: 'token' } : null
    })
    const lock: RefreshLock = { run: (task) => task(true) }
    const tabs: TabLink = { crossTab: true, peersSeen: true, lock, waitFor, post: vi.fn(async () => undefined) }
    const { coordinator, session, refresh } = setup({ tabs })
    session.install(tokenFor('alice', 60).token, null, 'local', { newSession: true })
    const stale = session.token!.value
    const token = await coordinator.run(stale)
    expect(waitFor).toHaveBeenCalledTimes(1)
    expect(refresh).not.toHaveBeenCalled()
    expect(token).not.toBe(stale)
  })

  it('a sign-out while the refresh is in flight rejects its callers with SessionExpiredError(signed_out) and installs nothing', async () => {
    let answer!: (o: AuthOutcome) => void
    const { coordinator, session, refresh } = setup()
    refresh.mockImplementationOnce(() => new Promise<AuthOutcome>((resolve) => (answer = resolve)))
    session.install(tokenFor('alice', 60).token, null, 'local', { newSession: true })
    const pending = coordinator.run(session.token!.value)
    await vi.advanceTimersByTimeAsync(0)
    session.end('signedOut')
    answer({ kind: 'ok', tokens: tokenFor('alice').reply, receivedAt: Date.now() })
    await expect(pending).rejects.toMatchObject({ reason: 'signed_out' })
    expect(session.status).toBe('signedOut')
    expect(session.token).toBeNull()
  })

  it('recover(): a newer token without a request; null when signed out; a refresh otherwise', async () => {
    const { coordinator, session, refresh } = setup()
    session.install(tokenFor().token, null, 'local', { newSession: true })
    await expect(coordinator.recover('sent-before')).resolves.toBe(session.token!.value)
    expect(refresh).not.toHaveBeenCalled()
    const fresh = await coordinator.recover(session.token!.value)
    expect(fresh).toBe(session.token!.value)
    expect(refresh).toHaveBeenCalledTimes(1)
    session.end('signedOut')
    await expect(coordinator.recover('x')).resolves.toBeNull()
    expect(refresh).toHaveBeenCalledTimes(1)
  })

  it('body mode without a session or refresh token: recover() hands the 401 back', async () => {
    const { coordinator, refresh } = setup({ cookieMode: false })
    await expect(coordinator.recover(null)).resolves.toBeNull()
    expect(refresh).not.toHaveBeenCalled()
  })

  it('onDue(): skips an idle user (no activity since the token) and remembers it; refreshes an active one', async () => {
    const { coordinator, session, refresh, idle } = setup({ idleTimeout: 15 * 60_000 })
    session.install(tokenFor().token, null, 'local', { newSession: true })
    coordinator.onDue()
    expect(session.proactiveSkipped).toBe(true)
    expect(refresh).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1000)
    idle.activity(Date.now())
    coordinator.onDue()
    await vi.advanceTimersByTimeAsync(0)
    expect(refresh).toHaveBeenCalledTimes(1)
  })

  it('force (refresh()): after a session ended here only a sign-in starts another; a tab that never had one may look', async () => {
    const fresh = setup()
    await expect(fresh.coordinator.force()).resolves.toEqual(expect.any(String))
    expect(fresh.refresh).toHaveBeenCalledTimes(1)
    const { coordinator, session, refresh } = setup()
    session.install(tokenFor('alice').token, null, 'local', { newSession: true })
    session.expire('idle', 'local')
    await expect(coordinator.force()).rejects.toMatchObject({ reason: 'idle' })
    session.end('signedOut')
    await expect(coordinator.force()).rejects.toMatchObject({ reason: 'signed_out' })
    expect(refresh).not.toHaveBeenCalled()
  })

  it('rejects with DestroyedError after destroy', async () => {
    const { coordinator, session } = setup()
    session.destroy()
    await expect(coordinator.run(null)).rejects.toMatchObject({ code: 'DESTROYED' })
  })
})

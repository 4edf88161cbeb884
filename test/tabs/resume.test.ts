import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DestroyedError, RefreshError, SessionExpiredError } from '../../src/errors'
import { systemClock } from '../../src/util/clock'
import { Resume, settleSignedOut } from '../../src/tabs/resume'
import type { TabMessage } from '../../src/tabs/protocol'
import { fakeTabs } from '../helpers/fake-tabs'
import { createSession, tokenFor } from '../helpers/session'

function setup(options: { cookieMode?: boolean; peers?: boolean; redirect?: boolean } = {}) {
  const world = createSession({ cookieMode: options.cookieMode ?? true })
  const { tabs, posted } = fakeTabs()
  tabs.mayHavePeers.mockResolvedValue(options.peers ?? false)
  const prepare = vi.fn(async () => undefined)
  const completeRedirect = vi.fn(async () => options.redirect ?? false)
  const run = vi.fn(async (_stale: string | null): Promise<string> => {
    throw new SessionExpiredError('refresh_rejected')
  })
  const resume = new Resume({
    session: world.session,
    tabs,
    transport: { prepare },
    signIn: { completeRedirect },
    refresh: { run },
    clock: systemClock,
    window: 150,
    lockTimeout: 10_000,
  })
  return { ...world, tabs, posted, resume, prepare, completeRedirect, run }
}

const welcome = (body: Partial<Extract<TabMessage, { type: 'welcome' }>>): TabMessage => ({
  v: 2,
  from: 'peer',
  type: 'welcome',
  token: null,
  lastActivityAt: null,
  seq: 1,
  ...body,
})

describe('Resume (start())', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_800_000_000_000)
  })
  afterEach(() => vi.useRealTimers())

  it('a redirect callback signs in: no join handshake, no refresh', async () => {
    const { resume, prepare, completeRedirect, posted, run } = setup({ redirect: true, peers: true })
    await resume.run()
    expect(prepare).toHaveBeenCalledBefore(completeRedirect)
    expect(posted).toEqual([])
    expect(run).not.toHaveBeenCalled()
  })

  it("a peer's token ends the join wait: adopted (by the bridge), no refresh", async () => {
    const { resume, session, tabs, posted, run } = setup({ peers: true })
    tabs.waitFor.mockImplementation(async (match) => {
      // The bridge adopts the welcome's token as it arrives.
      const { token } = tokenFor()
      session.install(token, null, 'remote', { newSession: true })
      const answer = welcome({ session: true, token: session.share() })
      return match(answer) ? answer : null
    })
    await resume.run()
    expect(posted).toEqual([{ type: 'hello' }])
    expect(run).not.toHaveBeenCalled()
    expect(session.status).toBe('active')
  })

  it('a welcome naming a joinable session: the refresh with the cookie continues it', async () => {
    const { resume, session, tabs, run } = setup({ peers: true })
    const joinable = { session: 's-1', sessionSeq: 3, sessionStartedAt: Date.now() - 1000 }
    tabs.waitFor.mockImplementation(async (match) => (match(welcome({ session: true, joinable, lastActivityAt: 5 })), null))
    await resume.run()
    expect(run).toHaveBeenCalledWith(null)
    // The token that refresh brings continues the joined session: its id, sequence, start and activity.
    session.install(tokenFor().token, null, 'local', { newSession: true, resumed: true })
    expect([session.sessionId, session.sessionSeq]).toEqual(['s-1', 3])
    expect([session.idle.sessionStartedAt, session.idle.lastActivityAt]).toEqual([joinable.sessionStartedAt, 5])
  })

  it('a login in a tab that was joining is a new session, not the joined one (R36)', async () => {
    const { resume, session, tabs } = setup({ peers: true })
    const joinable = { session: 's-1', sessionSeq: 3, sessionStartedAt: Date.now() - 1000 }
    tabs.waitFor.mockImplementation(async (match) => (match(welcome({ session: true, joinable, lastActivityAt: 5 })), null))
    await resume.run()
    session.install(tokenFor().token, null, 'local', { newSession: true })
    expect(session.sessionId).not.toBe('s-1')
    expect(session.idle.lastActivityAt).not.toBe(5)
  })

  it('alone, cookie mode: one refresh; a rejection leaves it signed out and retries nothing', async () => {
    const { resume, session, tabs, run } = setup()
    await resume.run()
    expect(tabs.waitFor).not.toHaveBeenCalled()
    expect(run).toHaveBeenCalledTimes(1)
    expect(session.status).toBe('signedOut')
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(run).toHaveBeenCalledTimes(1)
  })

  it('a transient failure: signed out at once, and the session looked for again 5 s later', async () => {
    const { resume, session, run } = setup()
    run.mockRejectedValueOnce(new RefreshError('offline', { transient: true }))
    await resume.run()
    expect(session.status).toBe('signedOut')
    await vi.advanceTimersByTimeAsync(5000)
    expect(run).toHaveBeenCalledTimes(2)
  })

  it('body mode without a refresh token: asks the holder when a peer holds a session, else signed out with no request', async () => {
    const lone = setup({ cookieMode: false })
    await lone.resume.run()
    expect(lone.run).not.toHaveBeenCalled()
    expect(lone.session.status).toBe('signedOut')

    const { resume, session, tabs, posted, run } = setup({ cookieMode: false, peers: true })
    tabs.waitFor.mockImplementation(async (match) => (match(welcome({ session: true })), null))
    await resume.run()
    expect(posted).toEqual([{ type: 'hello' }, { type: 'refreshRequest' }])
    expect(tabs.waitFor).toHaveBeenLastCalledWith(expect.any(Function), 10_000)
    expect(run).not.toHaveBeenCalled()
    expect(session.status).toBe('signedOut')
  })

  it('destroyed during the join wait: rejects with DestroyedError', async () => {
    const { resume, session, tabs } = setup({ peers: true })
    tabs.waitFor.mockImplementation(async () => {
      session.destroy()
      return null
    })
    await expect(resume.run()).rejects.toBeInstanceOf(DestroyedError)
  })

  it('settleSignedOut: only an unknown status, never after destroy', () => {
    const { session } = setup()
    expect(settleSignedOut(session)).toBe(true)
    expect(session.status).toBe('signedOut')
    expect(settleSignedOut(session)).toBe(false)
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RefreshLock } from '../../src/refresh/refresh-lock'
import { Logout } from '../../src/tabs/logout'
import { fakeTabs } from '../helpers/fake-tabs'
import { createSession, tokenFor } from '../helpers/session'

function setup(options: { cookieMode?: boolean; status?: number | undefined; lock?: RefreshLock; logged?: boolean } = {}) {
  const world = createSession({ cookieMode: options.cookieMode ?? true })
  const { tabs, posted } = fakeTabs(options.lock ? { lock: options.lock } : {})
  const logout = vi.fn(async () => ('status' in options ? options.status : 204))
  const log = vi.fn()
  const transport = { logout, backend: { logoutEverywhere: false } }
  const flow = new Logout({ session: world.session, tabs, transport, log: options.logged === false ? null : log })
  return { ...world, flow, tabs, posted, logout, log }
}

describe('Logout', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_800_000_000_000)
  })
  afterEach(() => vi.useRealTimers())

  it('ends the session at once, tells the tabs, then one server call with the tokens of then; acknowledged: logoutDone', async () => {
    const { session, flow, posted, logout, events } = setup({ cookieMode: false })
    const { token, reply } = tokenFor('alice')
    session.install(token, reply, 'local', { newSession: true })
    const ended = session.sessionId
    posted.length = 0
    const done = flow.run(false)
    expect(session.status).toBe('signedOut')
    expect(session.logoutPending).toBe(true)
    expect(events.map((e) => e.type)).toContain('signedOut')
    await done
    expect(logout).toHaveBeenCalledWith({ everywhere: false, accessToken: token.value, refreshToken: 'rt-alice' })
    expect(posted).toEqual([{ type: 'signedOut', everywhere: false, session: ended, seq: session.loggedOutSeq }, { type: 'logoutDone' }])
    expect(session.logoutPending).toBe(false)
    expect(session.everHadSession).toBe(true)
  })

  it.each([500, 408, 429, undefined])('a server answer of %s is no acknowledgement: the logout stays pending (O5)', async (status) => {
    const { flow, posted, session } = setup({ status })
    await flow.run(false)
    expect(session.logoutPending).toBe(true)
    expect(posted.map((m) => m.type)).toEqual(['signedOut'])
  })

  it("the server call is not queued on the cross-tab lock: behind another tab's login it would carry that new session's cookie (R37)", async () => {
    const run = vi.fn(async () => {
      throw new Error('the lock must not be taken')
    })
    const { flow, logout } = setup({ lock: { run } })
    await flow.run(false)
    expect(run).not.toHaveBeenCalled()
    expect(logout).toHaveBeenCalledTimes(1)
  })

  it('an acknowledgement heard meanwhile (logoutDone from another tab) is not said again', async () => {
    const { flow, posted, session } = setup()
    const done = flow.run(false)
    session.logoutAcknowledged()
    await done
    expect(posted.map((m) => m.type)).toEqual(['signedOut'])
  })

  it('everywhere on a backend that cannot: logged when there is a logger, else a console warning', async () => {
    const logged = setup()
    await logged.flow.run(true)
    expect(logged.log).toHaveBeenCalledWith('logout.everywhere_unsupported')
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const silent = setup({ logged: false })
    await silent.flow.run(true)
    expect(warn).toHaveBeenCalledTimes(1)
    warn.mockRestore()
  })
})

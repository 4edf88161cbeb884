import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DeadlineExpiry } from '../../src/tabs/deadline-expiry'
import { createSession, tokenFor } from '../helpers/session'

function setup(cookieMode = true) {
  const world = createSession({ cookieMode })
  const logout = vi.fn(async () => 204)
  const revoke = vi.fn(async (_tabs: unknown, _held: unknown, call: () => Promise<unknown>) => void (await call()))
  const log = vi.fn()
  const expiry = new DeadlineExpiry({ session: world.session, tabs: world.tabs, transport: { logout }, revocation: { revoke }, log })
  return { ...world, expiry, logout, revoke, log }
}

describe('DeadlineExpiry', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_800_000_000_000)
  })
  afterEach(() => vi.useRealTimers())

  it('expires the session here and in every tab, then revokes it with the tokens of then', async () => {
    const { session, expiry, logout, revoke, posted, events, log } = setup(false)
    const { token, reply } = tokenFor('alice')
    session.install(token, reply, 'local', { newSession: true })
    expiry.expire('idle')
    expect(session.status).toBe('expired')
    expect(session.endReason).toBe('idle')
    expect(log).toHaveBeenCalledWith('idle.expired', { reason: 'idle' })
    expect(posted.at(-1)).toMatchObject({ type: 'expired', reason: 'idle' })
    expect(events.find((e) => e.type === 'sessionExpired')?.payload).toEqual({ reason: 'idle' })
    expect(revoke).toHaveBeenCalledWith(expect.anything(), { cookieMode: false, holdsRefreshToken: true }, expect.any(Function))
    await vi.advanceTimersByTimeAsync(0)
    expect(logout).toHaveBeenCalledWith({ everywhere: false, accessToken: token.value, refreshToken: 'rt-alice' })
  })

  it('without a session: nothing (no event, no server call)', () => {
    const { expiry, revoke, events } = setup()
    expiry.expire('max_age')
    expect(revoke).not.toHaveBeenCalled()
    expect(events).toEqual([])
  })

  it('a failed revocation is swallowed: the session is over here either way', async () => {
    const { session, expiry, revoke } = setup()
    revoke.mockRejectedValueOnce(new Error('offline'))
    session.install(tokenFor('alice').token, null, 'local', { newSession: true })
    expiry.expire('max_age')
    await vi.advanceTimersByTimeAsync(0)
    expect(session.status).toBe('expired')
  })
})

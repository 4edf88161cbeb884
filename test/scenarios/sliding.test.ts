// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TokenManager, type TokenManagerEvents, type TokenManagerOptions } from '../../src'
import { createBrowser, ORIGIN } from '../helpers/browser'
import { createFakeEnvironment } from '../helpers/environment'

const ALICE = { username: 'alice', password: 'wonderland' }
const MIN = 60_000

function setup(options: Partial<TokenManagerOptions> = {}) {
  // Access tokens live 5 minutes; the session idles out after 15.
  const browser = createBrowser({ accessTokenLifetime: 300 })
  const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, idleTimeout: 15 * MIN, ...options })
  const events: { type: keyof TokenManagerEvents; payload: unknown; at: number }[] = []
  for (const type of ['signedIn', 'tokenRefreshed', 'signedOut', 'sessionExpired', 'error', 'idleWarning'] as const) {
    tm.on(type, (payload) => events.push({ type, payload, at: Date.now() }))
  }
  const ofType = (type: keyof TokenManagerEvents) => events.filter((e) => e.type === type)
  return { tm, browser, events, ofType }
}

const move = () => window.dispatchEvent(new Event('pointermove'))

/** The system clock, counting the timers that fire (wake-ups). */
function countingClock() {
  const clock = {
    fired: 0,
    now: () => Date.now(),
    setTimeout: (fn: () => void, ms: number) =>
      setTimeout(() => {
        clock.fired++
        fn()
      }, ms) as unknown,
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  }
  return clock
}

describe('sliding sessions', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('activity keeps the session alive across several token lifetimes with proactive refreshes', async () => {
    const { tm, browser, ofType } = setup()
    await tm.login(ALICE)
    for (let minute = 0; minute < 30; minute++) {
      await vi.advanceTimersByTimeAsync(MIN)
      move()
    }
    expect(tm.getSnapshot().status).toBe('active')
    // 30 minutes of 5-minute tokens refreshed 60 s before expiry: one refresh every 4 minutes.
    expect(browser.count('/auth/refresh')).toBeGreaterThanOrEqual(7)
    expect(ofType('sessionExpired')).toHaveLength(0)
    expect(browser.controls.counters.reuseDetections).toBe(0)
    tm.destroy()
  })

  it('an idle tab wakes only for the idle warning and the idle deadline: the refresh timer waits for activity', async () => {
    const clock = countingClock()
    const { tm, browser, ofType } = setup({ clock })
    await tm.login(ALICE)
    expect(tm.getDeadlines().refreshAt).toBeNull()
    clock.fired = 0
    await vi.advanceTimersByTimeAsync(15 * MIN)
    expect(ofType('sessionExpired')).toHaveLength(1)
    expect(clock.fired).toBe(2) // the warning at 14 min, the end at 15 min
    expect(browser.count('/auth/refresh')).toBe(0)
    tm.destroy()
  })

  it('the first activity since the token arms the proactive refresh at its usual time', async () => {
    const { tm, browser, ofType } = setup()
    await tm.login(ALICE)
    const expiresAt = tm.getSnapshot().expiresAt!
    await vi.advanceTimersByTimeAsync(MIN)
    expect(tm.getDeadlines().refreshAt).toBeNull()
    move()
    expect(tm.getDeadlines().refreshAt).toBe(expiresAt - MIN)
    await vi.advanceTimersByTimeAsync(3 * MIN)
    expect(browser.count('/auth/refresh')).toBe(1)
    expect(ofType('tokenRefreshed')).toHaveLength(1)
    // Activity long after the refresh time (the tab was idle through it) refreshes at once.
    await vi.advanceTimersByTimeAsync(5 * MIN)
    move()
    await vi.advanceTimersByTimeAsync(10)
    expect(browser.count('/auth/refresh')).toBe(2)
    expect(tm.getSnapshot().status).toBe('active')
    tm.destroy()
  })

  it('no activity: no proactive refresh, a warning at the right time, expiry at the deadline with one server logout', async () => {
    const { tm, browser, ofType } = setup()
    await tm.login(ALICE)
    const start = Date.now()
    await vi.advanceTimersByTimeAsync(14 * MIN - 1)
    expect(ofType('idleWarning')).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(ofType('idleWarning')).toEqual([{ type: 'idleWarning', payload: { expiresAt: start + 15 * MIN, remainingMs: MIN }, at: start + 14 * MIN }])
    await vi.advanceTimersByTimeAsync(MIN)
    expect(browser.count('/auth/refresh')).toBe(0)
    expect(ofType('sessionExpired')).toEqual([{ type: 'sessionExpired', payload: { reason: 'idle' }, at: start + 15 * MIN }])
    expect(browser.count('/auth/logout')).toBe(1)
    expect(tm.getSnapshot().status).toBe('expired')
    expect(await tm.getAccessToken()).toBeNull()
    // The server revoked the refresh token: the cookie cannot revive the session.
    expect(browser.controls.sessions('alice')).toHaveLength(0)
    tm.destroy()
  })

  it('once the warning is up, passive activity no longer extends the session; it idles out at the deadline', async () => {
    const { tm, ofType } = setup()
    await tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(14 * MIN + 10_000)
    expect(ofType('idleWarning')).toHaveLength(1)
    const deadline = tm.getSnapshot().idleDeadline
    for (let i = 0; i < 40; i++) {
      move()
      window.dispatchEvent(new Event('scroll'))
      window.dispatchEvent(new Event('wheel'))
      document.dispatchEvent(new Event('visibilitychange'))
      await vi.advanceTimersByTimeAsync(1200)
      expect(tm.getSnapshot().idleDeadline).toBe(deadline)
    }
    expect(ofType('idleWarning')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(deadline! - Date.now())
    expect(ofType('sessionExpired')).toEqual([expect.objectContaining({ payload: { reason: 'idle' }, at: deadline })])
    tm.destroy()
  })

  it('before the warning, passive activity extends the session as before', async () => {
    const { tm } = setup()
    await tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(10 * MIN)
    move()
    expect(tm.getSnapshot().idleDeadline).toBe(Date.now() + 15 * MIN)
    tm.destroy()
  })

  it('deliberateActivityEvents chooses what answers the warning', async () => {
    const { tm, ofType } = setup({ deliberateActivityEvents: ['touchstart'] })
    await tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(14 * MIN + 10_000)
    expect(ofType('idleWarning')).toHaveLength(1)
    const deadline = tm.getSnapshot().idleDeadline
    window.dispatchEvent(new Event('pointerdown'))
    expect(tm.getSnapshot().idleDeadline).toBe(deadline)
    window.dispatchEvent(new Event('touchstart'))
    expect(tm.getSnapshot().idleDeadline).toBe(Date.now() + 15 * MIN)
    tm.destroy()
  })

  it('a deliberate action after the warning (a click right after a pointer move) cancels it and moves the deadline', async () => {
    const { tm, ofType } = setup()
    await tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(14 * MIN + 10_000)
    expect(ofType('idleWarning')).toHaveLength(1)
    const before = tm.getSnapshot()
    move()
    expect(tm.getSnapshot()).toBe(before)
    // Within the activity throttle of the move: the click must still count.
    window.dispatchEvent(new Event('pointerdown'))
    const after = tm.getSnapshot()
    expect(after).not.toBe(before)
    expect(after.idleDeadline).toBe(Date.now() + 15 * MIN)
    await vi.advanceTimersByTimeAsync(2 * MIN)
    expect(ofType('sessionExpired')).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(12 * MIN)
    expect(ofType('idleWarning')).toHaveLength(2)
    tm.destroy()
  })

  it('touch() records activity by hand', async () => {
    const { tm, ofType } = setup()
    await tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(14 * MIN + 30_000)
    tm.touch()
    await vi.advanceTimersByTimeAsync(10 * MIN)
    expect(ofType('sessionExpired')).toHaveLength(0)
    expect(tm.getSnapshot().lastActivityAt).toBe(Date.now() - 10 * MIN)
    tm.destroy()
  })

  it('an idle user whose token lapsed still refreshes on demand while the session is not over', async () => {
    const { tm, browser } = setup()
    await tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(6 * MIN)
    expect(browser.count('/auth/refresh')).toBe(0)
    const response = await tm.fetch(`${ORIGIN}/api/me`)
    expect(response.status).toBe(200)
    expect(browser.count('/auth/refresh')).toBe(1)
    tm.destroy()
  })

  it('1000 pointermove events in one second cause at most one snapshot change', async () => {
    const { tm } = setup()
    await tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(5000)
    const changes = vi.fn()
    tm.subscribe(changes)
    for (let i = 0; i < 1000; i++) {
      move()
      vi.advanceTimersByTime(0.999)
    }
    expect(changes).toHaveBeenCalledTimes(1)
    tm.destroy()
  })

  it('maxSessionAge ends an active session', async () => {
    const { tm, browser, ofType } = setup({ maxSessionAge: 20 * MIN })
    await tm.login(ALICE)
    for (let minute = 0; minute < 25; minute++) {
      await vi.advanceTimersByTimeAsync(MIN)
      move()
    }
    expect(ofType('sessionExpired')).toEqual([expect.objectContaining({ payload: { reason: 'max_age' } })])
    expect(browser.count('/auth/logout')).toBe(1)
    expect(tm.getSnapshot().status).toBe('expired')
    tm.destroy()
  })

  it('sleep past the idle deadline expires at once on visibilitychange', async () => {
    const { tm, ofType } = setup()
    await tm.login(ALICE)
    // The laptop sleeps: the wall clock jumps an hour, no timer fires.
    vi.setSystemTime(Date.now() + 60 * MIN)
    expect(ofType('sessionExpired')).toHaveLength(0)
    document.dispatchEvent(new Event('visibilitychange'))
    expect(ofType('sessionExpired')).toEqual([expect.objectContaining({ payload: { reason: 'idle' } })])
    expect(ofType('idleWarning')).toHaveLength(0)
    tm.destroy()
  })

  it.each([
    ['focus', () => window.dispatchEvent(new Event('focus'))],
    ['online', () => window.dispatchEvent(new Event('online'))],
    ['pageshow (a page shown again, not from the back/forward cache)', () => window.dispatchEvent(new Event('pageshow'))],
  ])('sleep past the idle deadline expires at once on %s', async (_name, wake) => {
    const { tm, ofType } = setup()
    await tm.login(ALICE)
    vi.setSystemTime(Date.now() + 60 * MIN)
    wake()
    expect(ofType('sessionExpired')).toEqual([expect.objectContaining({ payload: { reason: 'idle' } })])
    tm.destroy()
  })

  it('a request after sleep past the idle deadline does not resume the session', async () => {
    const { tm, browser } = setup()
    await tm.login(ALICE)
    vi.setSystemTime(Date.now() + 60 * MIN)
    const response = await tm.fetch(`${ORIGIN}/api/me`)
    expect(response.status).toBe(401)
    expect(browser.count('/auth/refresh')).toBe(0)
    expect(tm.getSnapshot().status).toBe('expired')
    tm.destroy()
  })

  it('sleep past the token expiry but within the idle limit refreshes at once on wake', async () => {
    const { tm, browser, ofType } = setup({ idleTimeout: 60 * MIN })
    await tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(1000)
    move()
    vi.setSystemTime(Date.now() + 10 * MIN)
    window.dispatchEvent(new Event('focus'))
    await vi.advanceTimersByTimeAsync(0)
    expect(browser.count('/auth/refresh')).toBe(1)
    expect(ofType('tokenRefreshed')).toHaveLength(1)
    expect(tm.getSnapshot().expiresAt).toBeGreaterThan(Date.now())
    tm.destroy()
  })

  it('listeners are gone after sign-out and after destroy()', async () => {
    const fake = createFakeEnvironment()
    const { tm } = setup({ environment: fake.environment })
    await tm.login(ALICE)
    expect(fake.activityListeners).toBe(1)
    expect(fake.activityEvents).toEqual(['pointerdown', 'pointermove', 'keydown', 'wheel', 'scroll', 'touchstart'])
    await tm.logout()
    expect(fake.activityListeners).toBe(0)
    await tm.login(ALICE)
    expect(fake.activityListeners).toBe(1)
    tm.destroy()
    expect(fake.listenerCount).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('idleTimeout: 0 attaches no activity listeners', async () => {
    const fake = createFakeEnvironment()
    const { tm } = setup({ environment: fake.environment, idleTimeout: 0 })
    await tm.login(ALICE)
    expect(fake.activityListeners).toBe(0)
    expect(tm.getSnapshot().idleDeadline).toBeNull()
    tm.destroy()
  })

  it('happy-dom: real DOM listeners are removed on destroy', async () => {
    const add = vi.spyOn(window, 'addEventListener')
    const remove = vi.spyOn(window, 'removeEventListener')
    const { tm } = setup()
    await tm.login(ALICE)
    const added = add.mock.calls.length
    expect(added).toBeGreaterThan(0)
    expect(add.mock.calls.every(([, , opts]) => typeof opts !== 'object' || (opts as AddEventListenerOptions).passive !== false)).toBe(true)
    tm.destroy()
    expect(remove.mock.calls.length).toBe(added)
  })

  it('no polling: an idle signed-in tab wakes only when a deadline is due', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const { tm } = setup({ idleTimeout: 0 })
    await tm.login(ALICE)
    const armed = setTimeoutSpy.mock.calls.length
    await vi.advanceTimersByTimeAsync(4 * MIN - 1)
    expect(setTimeoutSpy.mock.calls.length).toBe(armed)
    tm.destroy()
  })
})

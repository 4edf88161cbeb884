import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TokenManager, type TokenManagerEvents, type TokenManagerOptions } from '../../src'
import { createBrowser, ORIGIN, type TestBrowser } from '../helpers/browser'
import { createFakeEnvironment } from '../helpers/environment'

/**
 * Bugs found by the model-based test (test/reliability/model.test.ts), each reduced to a
 * scenario through the public API. Every test here failed before its fix; see RELIABILITY.md.
 */

const ALICE = { username: 'alice', password: 'wonderland' }

function setup(options: Partial<TokenManagerOptions> = {}, browser: TestBrowser = createBrowser()) {
  const env = createFakeEnvironment()
  const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, environment: env.environment, ...options })
  const events: { type: keyof TokenManagerEvents; payload: unknown }[] = []
  for (const type of ['signedIn', 'tokenRefreshed', 'signedOut', 'sessionExpired', 'error', 'idleWarning'] as const) {
    tm.on(type, (payload) => events.push({ type, payload }))
  }
  const ofType = (type: keyof TokenManagerEvents) => events.filter((e) => e.type === type).map((e) => e.payload)
  return { tm, browser, env, events, ofType }
}

describe('regressions found by the model', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('R1: a wake before the idle deadline re-arms timers that sleep delayed, so the session still ends on time', async () => {
    const { tm, env, ofType } = setup({ idleTimeout: 120_000, idleWarningTime: 30_000 })
    await tm.login(ALICE)
    const signedInAt = Date.now()
    await vi.advanceTimersByTimeAsync(10_000)
    // The lid closes for 40 s: the wall clock moves, suspended timers do not fire (they resume late).
    vi.setSystemTime(Date.now() + 40_000)
    env.wake('visible') // opened again well before the 120 s deadline
    await vi.advanceTimersByTimeAsync(signedInAt + 120_000 - Date.now() + 1)
    expect(ofType('sessionExpired')).toEqual([expect.objectContaining({ reason: 'idle' })])
    expect(tm.getSnapshot().status).toBe('expired')
    // The warning came 30 s before the deadline, not after it.
    expect(ofType('idleWarning')).toEqual([expect.objectContaining({ remainingMs: 30_000 })])
    tm.destroy()
  })
})

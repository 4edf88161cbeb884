import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ActivityRecorder } from '../../src/session/activity-recorder'
import { createSession, tokenFor } from '../helpers/session'

function setup() {
  const world = createSession({ idleTimeout: 600_000 })
  const run = vi.fn(async () => 'fresh')
  const refresh = { run, inFlight: null as Promise<string> | null }
  const shareActivity = vi.fn()
  const recorder = new ActivityRecorder({ session: world.session, idle: world.idle, refreshTimer: world.refreshTimer, refresh, shareActivity })
  return { ...world, recorder, refresh, run, shareActivity }
}

describe('ActivityRecorder', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_800_000_000_000)
  })
  afterEach(() => vi.useRealTimers())

  it('without a session: ignored (not shared, no refresh)', () => {
    const { recorder, shareActivity, idle } = setup()
    recorder.record(Date.now(), 'local')
    expect(shareActivity).not.toHaveBeenCalled()
    expect(idle.lastActivityAt).toBeNull()
  })

  it('slides the idle deadline; local activity is shared, remote is not; the first since the token arms the proactive refresh', () => {
    const { session, recorder, shareActivity, idle, refreshTimer } = setup()
    session.install(tokenFor('alice').token, null, 'local', { newSession: true })
    expect(refreshTimer.dueAt).toBeNull()
    vi.advanceTimersByTime(5000)
    recorder.record(Date.now(), 'remote')
    expect(shareActivity).not.toHaveBeenCalled()
    expect(idle.lastActivityAt).toBe(Date.now())
    expect(refreshTimer.dueAt).not.toBeNull()
    vi.advanceTimersByTime(5000)
    recorder.record(Date.now(), 'local')
    expect(shareActivity).toHaveBeenCalledWith(Date.now())
  })

  it('makes up a proactive refresh skipped while idle, once', () => {
    const { session, recorder, run } = setup()
    const { token } = tokenFor('alice')
    session.install(token, null, 'local', { newSession: true })
    session.skipProactive()
    vi.advanceTimersByTime(5000)
    recorder.record(Date.now(), 'local')
    expect(run).toHaveBeenCalledWith(token.value)
    expect(session.proactiveSkipped).toBe(false)
    vi.advanceTimersByTime(5000)
    recorder.record(Date.now(), 'local')
    expect(run).toHaveBeenCalledTimes(1)
  })

  it('checks the deadlines before the activity counts (activity on waking must not revive a session that idled out)', () => {
    const { session, recorder, idle } = setup()
    session.install(tokenFor('alice', 3600).token, null, 'local', { newSession: true })
    const check = vi.spyOn(idle, 'check')
    const activity = vi.spyOn(idle, 'activity')
    recorder.record(Date.now(), 'local')
    expect(check.mock.invocationCallOrder[0]).toBeLessThan(activity.mock.invocationCallOrder[0]!)
  })
})

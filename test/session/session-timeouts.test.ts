import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../src/util/clock'
import { SessionTimeouts } from '../../src/session/session-timeouts'

describe('SessionTimeouts', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  function monitor(policy: Partial<{ idleTimeout: number; idleWarningTime: number; maxSessionAge: number }> = {}) {
    const callbacks = { onWarning: vi.fn(), onIdle: vi.fn(), onMaxAge: vi.fn(), log: vi.fn() }
    const m = new SessionTimeouts(systemClock, { idleTimeout: 10_000, idleWarningTime: 3000, maxSessionAge: 0, ...policy }, callbacks)
    return { m, ...callbacks }
  }

  it('warns once, then ends at the deadline', () => {
    const { m, onWarning, onIdle } = monitor()
    const start = Date.now()
    m.begin(start, start)
    expect(m.deadline).toBe(start + 10_000)
    vi.advanceTimersByTime(7000)
    expect(onWarning).toHaveBeenCalledWith(start + 10_000)
    expect(m.warningAt).toBeNull()
    vi.advanceTimersByTime(3000)
    expect(onIdle).toHaveBeenCalledTimes(1)
    expect(onWarning).toHaveBeenCalledTimes(1)
  })

  it('activity moves the deadline and re-arms the warning; stale activity is ignored', () => {
    const { m, onWarning, onIdle } = monitor()
    m.begin(Date.now(), Date.now())
    vi.advanceTimersByTime(8000)
    expect(m.activity(Date.now())).toBe(true)
    expect(m.warningAt).toBe(Date.now() + 7000)
    expect(m.activity(Date.now() - 5000)).toBe(false)
    vi.advanceTimersByTime(9999)
    expect(onIdle).not.toHaveBeenCalled()
    expect(onWarning).toHaveBeenCalledTimes(2)
  })

  it('no warning with idleWarningTime 0 (the policy arrives resolved: see resolveOptions), and off with idleTimeout 0', () => {
    const silent = monitor({ idleTimeout: 2000, idleWarningTime: 0 })
    silent.m.begin(Date.now(), Date.now())
    vi.advanceTimersByTime(2000)
    expect(silent.onWarning).not.toHaveBeenCalled()
    expect(silent.onIdle).toHaveBeenCalledTimes(1)
    const off = monitor({ idleTimeout: 0 })
    off.m.begin(Date.now(), Date.now())
    expect(off.m.deadline).toBeNull()
    expect(off.m.enabled).toBe(false)
    vi.advanceTimersByTime(1e9)
    expect(off.onIdle).not.toHaveBeenCalled()
  })

  it('max age ends the session whatever the activity', () => {
    const { m, onMaxAge } = monitor({ idleTimeout: 0, maxSessionAge: 60_000 })
    m.begin(Date.now() - 10_000, Date.now())
    expect(m.maxAgeDeadline).toBe(Date.now() + 50_000)
    vi.advanceTimersByTime(50_000)
    expect(onMaxAge).toHaveBeenCalledTimes(1)
  })

  it('check() after sleep fires the most final deadline only', () => {
    const { m, onWarning, onIdle, onMaxAge } = monitor({ maxSessionAge: 20_000 })
    m.begin(Date.now(), Date.now())
    vi.setSystemTime(Date.now() + 3_600_000)
    m.check()
    expect(onMaxAge).toHaveBeenCalledTimes(1)
    expect(onIdle).not.toHaveBeenCalled()
    expect(onWarning).not.toHaveBeenCalled()
  })

  it('end() disarms everything', () => {
    const { m } = monitor({ maxSessionAge: 20_000 })
    m.begin(Date.now(), Date.now())
    expect(vi.getTimerCount()).toBe(3)
    m.end()
    expect(vi.getTimerCount()).toBe(0)
    expect(m.lastActivityAt).toBeNull()
    expect(m.activity(Date.now())).toBe(false)
  })
})

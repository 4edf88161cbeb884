import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MAX_TIMER_DELAY, systemClock } from '../../src/util/clock'
import { Deadline } from '../../src/util/deadline'

describe('Deadline', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('on the monotonic timebase, a wall clock set back does not postpone it', () => {
    const due = vi.fn()
    const d = new Deadline(systemClock, due, 'monotonic')
    d.arm(performance.now() + 5000)
    vi.setSystemTime(Date.now() - 3_600_000)
    vi.advanceTimersByTime(5000)
    expect(d.check()).toBe(false) // already fired by its timer
    expect(due).toHaveBeenCalledTimes(1)
  })

  it('fires once at the deadline', () => {
    const due = vi.fn()
    const d = new Deadline(systemClock, due)
    d.arm(Date.now() + 1000)
    vi.advanceTimersByTime(999)
    expect(due).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(due).toHaveBeenCalledTimes(1)
    expect(d.dueAt).toBeNull()
  })

  it('chunks waits longer than 2^31−1 ms instead of firing at once', () => {
    const due = vi.fn()
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const d = new Deadline(systemClock, due)
    const forty = 40 * 24 * 3600 * 1000
    d.arm(Date.now() + forty)
    expect(setTimeoutSpy.mock.calls.every(([, ms]) => (ms ?? 0) <= MAX_TIMER_DELAY)).toBe(true)
    vi.advanceTimersByTime(MAX_TIMER_DELAY)
    expect(due).not.toHaveBeenCalled()
    vi.advanceTimersByTime(forty - MAX_TIMER_DELAY)
    expect(due).toHaveBeenCalledTimes(1)
  })

  it('check() fires a deadline the wall clock has passed (sleep), once', () => {
    const due = vi.fn()
    const d = new Deadline(systemClock, due)
    d.arm(Date.now() + 60_000)
    vi.setSystemTime(Date.now() + 120_000) // slept; the timer has not fired
    expect(d.check()).toBe(true)
    expect(due).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(120_000)
    expect(due).toHaveBeenCalledTimes(1)
  })

  it('a timer that fires early by the wall clock re-arms instead of firing', () => {
    const due = vi.fn()
    let now = 0
    let pending: (() => void) | null = null
    const clock = {
      now: () => now,
      setTimeout: (cb: () => void) => {
        pending = cb
        return 1
      },
      clearTimeout: () => {
        pending = null
      },
    }
    const d = new Deadline(clock, due)
    d.arm(1000)
    now = 500 // the host fired the timer early (clock adjusted backwards)
    pending!()
    expect(due).not.toHaveBeenCalled()
    now = 1000
    pending!()
    expect(due).toHaveBeenCalledTimes(1)
  })

  it('disarm() cancels and leaves no timer behind', () => {
    const d = new Deadline(systemClock, vi.fn())
    d.arm(Date.now() + 1000)
    expect(vi.getTimerCount()).toBe(1)
    d.disarm()
    expect(vi.getTimerCount()).toBe(0)
    expect(d.check()).toBe(false)
  })

  it('re-arming replaces the previous deadline', () => {
    const due = vi.fn()
    const d = new Deadline(systemClock, due)
    d.arm(Date.now() + 1000)
    d.arm(Date.now() + 5000)
    vi.advanceTimersByTime(1000)
    expect(due).not.toHaveBeenCalled()
    expect(vi.getTimerCount()).toBe(1)
  })
})

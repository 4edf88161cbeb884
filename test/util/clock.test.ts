import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { elapsedSince, momentNow, monotonicNow, NEVER, sleep, systemClock, type Clock } from '../../src/util/clock'

describe('clock', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('systemClock looks the globals up at call time, so fake timers installed later apply', () => {
    vi.setSystemTime(123_456)
    expect(systemClock.now()).toBe(123_456)
    const fn = vi.fn()
    systemClock.setTimeout(fn, 10)
    vi.advanceTimersByTime(10)
    expect(fn).toHaveBeenCalledOnce()
  })

  it('systemClock.monotonic follows performance.now(): setting the wall clock does not move it', () => {
    const start = systemClock.monotonic!()
    vi.setSystemTime(Date.now() - 3_600_000)
    expect(systemClock.monotonic!()).toBe(start)
    vi.advanceTimersByTime(5000)
    expect(systemClock.monotonic!()).toBe(start + 5000)
  })

  it('a clock without monotonic() measures elapsed time on its now() (a test clock stays in charge)', () => {
    const clock = { now: () => 42, setTimeout: () => null, clearTimeout: () => undefined }
    expect(monotonicNow(clock)).toBe(42)
    expect(monotonicNow({ ...clock, monotonic: () => 7 })).toBe(7)
  })

  it('sleep resolves after the delay', async () => {
    const done = vi.fn()
    void sleep(systemClock, 100).then(done)
    await vi.advanceTimersByTimeAsync(99)
    expect(done).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(done).toHaveBeenCalledOnce()
  })

  it('sleep rejects with the abort reason and clears its timer', async () => {
    const controller = new AbortController()
    const slept = sleep(systemClock, 100, controller.signal)
    controller.abort(new Error('stop'))
    await expect(slept).rejects.toThrow('stop')
    expect(vi.getTimerCount()).toBe(0)
    await expect(sleep(systemClock, 1, controller.signal)).rejects.toThrow('stop')
  })
})

describe('elapsedSince (throttles)', () => {
  const clockAt = (time: { wall: number; mono: number }): Clock => ({
    now: () => time.wall,
    monotonic: () => time.mono,
    setTimeout: () => 0,
    clearTimeout: () => undefined,
  })

  it('counts what either clock says passed: a sleep that stopped the monotonic clock, a wall clock set back', () => {
    const time = { wall: 1_000_000, mono: 500 }
    const clock = clockAt(time)
    const then = momentNow(clock)
    time.wall += 40_000 // slept: the wall clock ran on, the monotonic one stood still (R36)
    expect(elapsedSince(clock, then)).toBe(40_000)
    time.wall -= 3_600_000 // set back an hour, while 2 s pass
    time.mono += 2000
    expect(elapsedSince(clock, then)).toBe(2000)
    expect(elapsedSince(clock, NEVER)).toBe(Number.POSITIVE_INFINITY)
  })
})

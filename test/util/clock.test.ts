import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { monotonicNow, sleep, systemClock } from '../../src/util/clock'

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

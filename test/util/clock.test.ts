import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { sleep, systemClock } from '../../src/util/clock'

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

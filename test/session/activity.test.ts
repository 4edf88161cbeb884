import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ActivityTracker } from '../../src/session/activity'
import { systemClock } from '../../src/util/clock'
import { createFakeEnvironment } from '../helpers/environment'

describe('ActivityTracker', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  function tracker() {
    const env = createFakeEnvironment()
    const onActivity = vi.fn()
    const t = new ActivityTracker({ clock: systemClock, environment: env.environment, events: ['keydown'], throttle: 1000, onActivity })
    return { env, t, onActivity }
  }

  it('attaches lazily and detaches', () => {
    const { env, t } = tracker()
    expect(env.activityListeners).toBe(0)
    t.attach()
    t.attach()
    expect(env.activityListeners).toBe(1)
    expect(env.activityEvents).toEqual(['keydown'])
    t.detach()
    expect(env.activityListeners).toBe(0)
    expect(t.attached).toBe(false)
  })

  it('throttles bursts to one report per second', () => {
    const { env, t, onActivity } = tracker()
    t.attach()
    for (let i = 0; i < 1000; i++) {
      env.act()
      vi.advanceTimersByTime(0.5)
    }
    expect(onActivity).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(1000)
    env.act()
    expect(onActivity).toHaveBeenCalledTimes(2)
    expect(onActivity).toHaveBeenLastCalledWith(Date.now())
  })

  it('activity right after a sleep is reported: the wall clock moved though the monotonic one stood still (R36)', () => {
    const time = { wall: 1_000_000, mono: 0 }
    const clock = { now: () => time.wall, monotonic: () => time.mono, setTimeout: () => 0, clearTimeout: () => undefined }
    const onActivity = vi.fn()
    const t = new ActivityTracker({ clock, environment: createFakeEnvironment().environment, events: ['keydown'], throttle: 1000, onActivity })
    t.record()
    time.wall += 40_000 // the laptop slept 40 s; performance.now() did not advance
    time.mono += 50
    t.record()
    expect(onActivity).toHaveBeenCalledTimes(2)
    expect(onActivity).toHaveBeenLastCalledWith(time.wall)
  })

  it('record(true) bypasses the throttle (touch)', () => {
    const { t, onActivity } = tracker()
    t.record()
    t.record(true)
    expect(onActivity).toHaveBeenCalledTimes(2)
  })

  it('while prompting, passive events are dropped and deliberate ones are reported at once', () => {
    const env = createFakeEnvironment()
    const onActivity = vi.fn()
    let prompting = false
    const t = new ActivityTracker({
      clock: systemClock,
      environment: env.environment,
      events: ['pointermove', 'scroll'],
      deliberateEvents: ['pointerdown', 'keydown'],
      isPrompting: () => prompting,
      throttle: 1000,
      onActivity,
    })
    t.attach()
    // Deliberate events are listened to as activity too, each type once.
    expect(env.activityEvents).toEqual(['pointermove', 'scroll', 'pointerdown', 'keydown'])
    prompting = true
    env.act('pointermove')
    env.act('scroll')
    env.act() // the page becoming visible
    expect(onActivity).not.toHaveBeenCalled()
    env.act('pointerdown')
    env.act('keydown') // not throttled while prompting
    expect(onActivity).toHaveBeenCalledTimes(2)
    prompting = false
    env.act('pointermove') // throttled again: the keydown just reported
    expect(onActivity).toHaveBeenCalledTimes(2)
    vi.advanceTimersByTime(1000)
    env.act('pointermove')
    expect(onActivity).toHaveBeenCalledTimes(3)
  })
})

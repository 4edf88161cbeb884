import { describe, expect, it } from 'vitest'
import { MAX_SEQ_JUMP, newSessionId, SequenceClock } from '../../src/util/sequence'
import { createJumpingClock } from '../helpers/clock'

describe('SequenceClock', () => {
  it('numbers keep rising when the wall clock is set back, and never fall below what was seen', () => {
    const time = createJumpingClock()
    const order = new SequenceClock(time.clock)
    const first = order.next()
    expect(first).toBe(1_800_000_000_000)
    time.setWall(1_800_000_000_000 - 3_600_000)
    expect(order.next()).toBe(first + 1)
    expect(order.observe(first + 100)).toBe(true)
    expect(order.next()).toBe(first + 101)
  })

  it('a tab that heard nobody yet starts at the wall clock, so it orders after what happened before it opened', () => {
    const time = createJumpingClock()
    const before = new SequenceClock(time.clock).next()
    time.advance(10)
    expect(new SequenceClock(time.clock).next()).toBeGreaterThan(before)
  })

  it('a number too far ahead to believe is refused and changes nothing; one within bounds is counted on from', () => {
    const time = createJumpingClock()
    const order = new SequenceClock(time.clock)
    const start = order.next()
    expect(order.observe(Number.MAX_SAFE_INTEGER)).toBe(false)
    expect(order.observe(start + MAX_SEQ_JUMP + 1)).toBe(false)
    expect(order.current).toBe(start)
    expect(order.observe(start + MAX_SEQ_JUMP - 1)).toBe(true)
    expect(order.next()).toBe(start + MAX_SEQ_JUMP)
  })

  it('session ids are random', () => {
    expect(newSessionId()).not.toBe(newSessionId())
  })
})

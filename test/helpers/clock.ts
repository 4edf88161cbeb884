import type { Clock } from '../../src/util/clock'

/** A hand-driven clock whose wall clock can be set (jump) while its monotonic time only moves with `advance`. */
export function createJumpingClock(start = 1_800_000_000_000) {
  let wall = start
  let mono = 0
  const clock: Clock = {
    now: () => wall,
    monotonic: () => mono,
    setTimeout: () => null,
    clearTimeout: () => undefined,
  }
  return {
    clock,
    /** Time passes: both clocks move. */
    advance(ms: number) {
      wall += ms
      mono += ms
    },
    /** The wall clock is set (by the user, NTP, a sleep that stopped the monotonic clock): only it moves. */
    setWall(ms: number) {
      wall = ms
    },
  }
}

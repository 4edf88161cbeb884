import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { InvalidTokenError, RefreshError } from '../../src'
import { sleep, systemClock } from '../../src/util/clock'
import { childSignal, Cooldown, refreshWithRetry, SingleFlight } from '../../src/refresh/refresh-with-retry'
import { BACKOFF } from '../../src/refresh/backoff'
import type { AuthOutcome } from '../../src/http/transport'
import { createJumpingClock } from '../helpers/clock'

const ok: AuthOutcome = { kind: 'ok', tokens: { accessToken: 't', expiresIn: 60 }, receivedAt: 0 }
const policy = { retries: 3, baseDelay: 1000, maxDelay: 30_000 }

function scripted(outcomes: AuthOutcome[]) {
  const attempt = vi.fn(async () => outcomes.shift() ?? ok)
  return attempt
}

describe('SingleFlight', () => {
  it('shares one run between concurrent callers and frees the slot after', async () => {
    const flight = new SingleFlight<number>()
    let runs = 0
    const task = () => new Promise<number>((r) => setTimeout(() => r(++runs), 0))
    const [a, b] = await Promise.all([flight.run(task), flight.run(task)])
    expect([a, b]).toEqual([1, 1])
    expect(flight.inFlight).toBeNull()
    expect(await flight.run(task)).toBe(2)
  })

  it('calls settled after the slot is free, even on failure', async () => {
    const flight = new SingleFlight<number>()
    let inFlightDuringSettled: unknown = 'unset'
    await flight
      .run(
        () => Promise.reject(new Error('x')),
        () => (inFlightDuringSettled = flight.inFlight),
      )
      .catch(() => {})
    expect(inFlightDuringSettled).toBeNull()
  })
})

describe('refreshWithRetry', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('returns ok at once', async () => {
    const attempt = scripted([ok])
    await expect(refreshWithRetry(attempt, { clock: systemClock, policy })).resolves.toEqual(ok)
    expect(attempt).toHaveBeenCalledTimes(1)
  })

  describe('after an attempt whose reply may have been lost (the token may be spent)', () => {
    const lost: AuthOutcome = { kind: 'transient', mayHaveRotated: true }

    it('without a reuse grace window: not retried, a transient RefreshError saying why', async () => {
      const attempt = scripted([lost, ok])
      const result = await refreshWithRetry(attempt, { clock: systemClock, policy, random: () => 0 })
      expect(attempt).toHaveBeenCalledTimes(1)
      expect(result).toMatchObject({ kind: 'error', mayHaveRotated: true, error: { code: 'REFRESH_FAILED', transient: true } })
      expect(result.kind === 'error' && result.error.message).toMatch(/reply may have been lost.*reuseGrace/)
    })

    it('with one: retried, each retry sent within half the window of the first such attempt', async () => {
      const sent: number[] = []
      const start = Date.now()
      const attempt = vi.fn(async () => {
        sent.push(Date.now() - start)
        await sleep(systemClock, 400) // fake time: each lost reply fails 400 ms after its request
        return lost
      })
      const result = refreshWithRetry(attempt, { clock: systemClock, policy, random: () => 1, reuseGrace: 6000 })
      await vi.advanceTimersByTimeAsync(20_000)
      // 0; 400 + 1000; 1800 + 2000 = 3800 is past half the window (3000), so the wait is cut to it; then none is left.
      expect(sent).toEqual([0, 1400, 3000])
      expect(await result).toMatchObject({ kind: 'error', mayHaveRotated: true })
    })

    it('a later answer within the window is taken', async () => {
      const attempt = scripted([lost, { kind: 'transient', status: 503 }, ok])
      const result = refreshWithRetry(attempt, { clock: systemClock, policy, random: () => 0, reuseGrace: 10_000 })
      await vi.advanceTimersByTimeAsync(2000)
      await expect(result).resolves.toEqual(ok)
      expect(attempt).toHaveBeenCalledTimes(3)
    })

    it('a timeout longer than half the window is not retried', async () => {
      const attempt = vi.fn(async () => {
        await new Promise((resolve) => setTimeout(resolve, 10_000)) // the request timed out after 10 s
        return lost
      })
      const result = refreshWithRetry(attempt, { clock: systemClock, policy, reuseGrace: 5000 })
      await vi.advanceTimersByTimeAsync(60_000)
      expect(await result).toMatchObject({ kind: 'error', mayHaveRotated: true })
      expect(attempt).toHaveBeenCalledTimes(1)
    })
  })

  it('retries transient failures with backoff, then succeeds', async () => {
    const attempt = scripted([{ kind: 'transient', status: 503 }, { kind: 'transient' }, ok])
    const result = refreshWithRetry(attempt, { clock: systemClock, policy, random: () => 0 })
    await vi.advanceTimersByTimeAsync(499)
    expect(attempt).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1) // 500 ms (half of 1 s)
    expect(attempt).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(1000) // 1 s (half of 2 s)
    await expect(result).resolves.toEqual(ok)
  })

  it('gives up after the retries with a RefreshError carrying the last status', async () => {
    const attempt = scripted(Array(4).fill({ kind: 'transient', status: 502 }))
    const result = refreshWithRetry(attempt, { clock: systemClock, policy })
    await vi.advanceTimersByTimeAsync(60_000)
    const outcome = await result
    expect(attempt).toHaveBeenCalledTimes(4)
    expect(outcome.kind).toBe('error')
    expect(outcome.kind === 'error' && outcome.error).toBeInstanceOf(RefreshError)
    expect(outcome.kind === 'error' && (outcome.error as RefreshError).status).toBe(502)
  })

  it('honours Retry-After exactly', async () => {
    const attempt = scripted([{ kind: 'transient', status: 429, retryAfter: 2000 }, ok])
    const result = refreshWithRetry(attempt, { clock: systemClock, policy, random: () => 1 })
    await vi.advanceTimersByTimeAsync(1999)
    expect(attempt).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    await expect(result).resolves.toEqual(ok)
  })

  it('keeps a minimum delay whatever Retry-After says (Retry-After: 0 gave 4 attempts in under a second)', async () => {
    const attempt = scripted(Array(4).fill({ kind: 'transient', status: 503, retryAfter: 0 }))
    const result = refreshWithRetry(attempt, { clock: systemClock, policy, random: () => 0 })
    await vi.advanceTimersByTimeAsync(999)
    expect(attempt.mock.calls.length).toBeLessThan(4)
    // Never shorter than the backoff the policy would have used without Retry-After.
    await vi.advanceTimersByTimeAsync(60_000)
    await result
    expect(attempt).toHaveBeenCalledTimes(4)
  })

  it('stops at once when Retry-After exceeds maxDelay, keeping the wait as retryAt', async () => {
    const attempt = scripted([{ kind: 'transient', status: 429, retryAfter: 3_600_000 }])
    const outcome = await refreshWithRetry(attempt, { clock: systemClock, policy })
    expect(attempt).toHaveBeenCalledTimes(1)
    expect(outcome.kind === 'error' && (outcome.error as RefreshError).retryAt).toBe(Date.now() + 3_600_000)
  })

  it('does not retry rejections, invalid replies or unexpected statuses', async () => {
    expect(await refreshWithRetry(scripted([{ kind: 'rejected', status: 401 }]), { clock: systemClock, policy })).toEqual({ kind: 'rejected', status: 401 })
    const invalid = await refreshWithRetry(scripted([{ kind: 'invalid', error: new InvalidTokenError('x') }]), { clock: systemClock, policy })
    expect(invalid.kind === 'error' && invalid.error).toBeInstanceOf(InvalidTokenError)
    const failed = scripted([{ kind: 'failed', status: 404 }])
    const outcome = await refreshWithRetry(failed, { clock: systemClock, policy })
    expect(failed).toHaveBeenCalledTimes(1)
    expect(outcome.kind === 'error' && (outcome.error as RefreshError).status).toBe(404)
  })

  it('an abort during backoff rejects', async () => {
    const controller = new AbortController()
    const result = refreshWithRetry(scripted([{ kind: 'transient' }]), { clock: systemClock, policy, signal: controller.signal })
    await vi.advanceTimersByTimeAsync(10)
    controller.abort(new Error('destroyed'))
    await expect(result).rejects.toThrow('destroyed')
  })
})

describe('Cooldown', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('fails fast with the last error until it ends', () => {
    const cooldown = new Cooldown(systemClock, 5000)
    const error = new RefreshError('x')
    expect(cooldown.active()).toBeNull()
    cooldown.start(error)
    expect(cooldown.active()).toBe(error)
    vi.advanceTimersByTime(5000)
    expect(cooldown.active()).toBeNull()
  })

  it('is extended by a longer Retry-After and ended by reset()', () => {
    const cooldown = new Cooldown(systemClock, 5000)
    cooldown.start(new RefreshError('x', { retryAt: Date.now() + 60_000 }))
    vi.advanceTimersByTime(30_000)
    expect(cooldown.active()).not.toBeNull()
    cooldown.reset()
    expect(cooldown.active()).toBeNull()
  })
})

describe('childSignal', () => {
  it('aborts with the parent, with its reason, until released', () => {
    const parent = new AbortController()
    const { signal, release } = childSignal(parent.signal)
    parent.abort(new Error('ended'))
    expect(signal?.aborted).toBe(true)
    expect((signal!.reason as Error).message).toBe('ended')
    release()

    const other = new AbortController()
    const second = childSignal(other.signal)
    second.release()
    other.abort()
    expect(second.signal?.aborted).toBe(false)
  })

  it('is aborted at once for an aborted parent, and absent without one', () => {
    const parent = new AbortController()
    parent.abort('gone')
    expect(childSignal(parent.signal).signal?.reason).toBe('gone')
    expect(childSignal(undefined).signal).toBeUndefined()
  })

  it('refreshWithRetry hands each attempt its own signal and unlinks it from the long-lived one afterwards', async () => {
    const parent = new AbortController()
    const add = vi.spyOn(parent.signal, 'addEventListener')
    const remove = vi.spyOn(parent.signal, 'removeEventListener')
    const seen: (AbortSignal | undefined)[] = []
    for (let i = 0; i < 3; i++) {
      await refreshWithRetry(
        async (signal) => {
          seen.push(signal)
          return { kind: 'rejected', status: 401 }
        },
        { clock: systemClock, policy: { retries: 3, ...BACKOFF }, signal: parent.signal },
      )
    }
    expect(new Set(seen).size).toBe(3)
    expect(seen).not.toContain(parent.signal)
    expect(add).toHaveBeenCalledTimes(3)
    expect(remove).toHaveBeenCalledTimes(3)
    expect(remove.mock.calls.map((c) => c[1])).toEqual(add.mock.calls.map((c) => c[1]))
  })
})

describe('Cooldown on a clock whose wall time jumps', () => {
  it('lasts its duration when the wall clock is set back an hour, and ends when either clock says it is over', () => {
    const time = createJumpingClock()
    const cooldown = new Cooldown(time.clock, 5000)
    const error = new RefreshError('down')
    cooldown.start(error)
    time.setWall(time.clock.now() - 3_600_000)
    expect(cooldown.active()).toBe(error)
    expect(cooldown.endsAt).toBe(time.clock.now() + 5000)
    time.advance(5000)
    expect(cooldown.active()).toBeNull()
    // A sleep that stopped the monotonic clock: the wall clock ends it.
    cooldown.reset()
    cooldown.start(error)
    time.setWall(time.clock.now() + 5000)
    expect(cooldown.active()).toBeNull()
  })

  it('doubles with each failure in a row, up to a minute, and starts over after a reset (a success)', () => {
    const time = createJumpingClock()
    const cooldown = new Cooldown(time.clock, 5000)
    const lengths: number[] = []
    for (let i = 0; i < 6; i++) {
      cooldown.start(new RefreshError('html'))
      lengths.push(cooldown.endsAt - time.clock.now())
      time.advance(lengths.at(-1)!)
    }
    expect(lengths).toEqual([5000, 10_000, 20_000, 40_000, 60_000, 60_000])
    cooldown.reset()
    cooldown.start(new RefreshError('html'))
    expect(cooldown.endsAt - time.clock.now()).toBe(5000)
  })

  it('a Retry-After (retryAt, wall-clock) lengthens it by its distance from now', () => {
    const time = createJumpingClock()
    const cooldown = new Cooldown(time.clock, 5000)
    cooldown.start(new RefreshError('busy', { retryAt: time.clock.now() + 20_000 }))
    time.advance(19_000)
    expect(cooldown.active()).not.toBeNull()
    time.advance(1000)
    expect(cooldown.active()).toBeNull()
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DestroyedError, RefreshError } from '../../src/errors'
import { TokenSource } from '../../src/session/token-source'
import { createSession, tokenFor } from '../helpers/session'

function setup() {
  const world = createSession()
  const refresh = { run: vi.fn(async () => 'fresh'), inFlight: null as Promise<string> | null, backingOff: null as Promise<void> | null }
  let rejoin: Promise<void> | null = null
  let start: Promise<unknown> | null = null
  const checkDeadlines = vi.fn()
  const source = new TokenSource({
    session: world.session,
    refresh,
    checkDeadlines,
    rejoining: () => rejoin,
    starting: () => start,
  })
  return {
    ...world,
    source,
    refresh,
    checkDeadlines,
    setRejoin: (p: Promise<void> | null) => {
      rejoin = p
    },
    setStart: (p: Promise<unknown> | null) => {
      start = p
    },
  }
}

describe('TokenSource', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_800_000_000_000)
  })
  afterEach(() => vi.useRealTimers())

  it('a valid token as is, after checking the deadlines; an expired one refreshed; none: null', async () => {
    const { session, source, refresh, checkDeadlines } = setup()
    await expect(source.get()).resolves.toBeNull()
    const { token } = tokenFor('alice', 60)
    session.install(token, null, 'local', { newSession: true })
    await expect(source.get()).resolves.toBe(token.value)
    expect(checkDeadlines).toHaveBeenCalledTimes(2)
    vi.setSystemTime(Date.now() + 61_000)
    await expect(source.get()).resolves.toBe('fresh')
    expect(refresh.run).toHaveBeenCalledWith(token.value)
  })

  it('waits for a refresh in flight; its failure matters only without a valid token', async () => {
    const { session, source, refresh } = setup()
    const { token } = tokenFor('alice')
    session.install(token, null, 'local', { newSession: true })
    refresh.inFlight = Promise.reject(new RefreshError('offline', { transient: true }))
    await expect(source.get()).resolves.toBe(token.value)
    session.end('signedOut')
    refresh.inFlight = Promise.reject(new RefreshError('offline', { transient: true }))
    await expect(source.get()).rejects.toBeInstanceOf(RefreshError)
  })

  it('does not wait out a refresh in backoff while the token is still valid; an expired one waits for the outcome', async () => {
    const { session, source, refresh } = setup()
    const { token } = tokenFor('alice', 60)
    session.install(token, null, 'local', { newSession: true })
    let settle!: (value: string) => void
    refresh.inFlight = new Promise<string>((resolve) => (settle = resolve))
    refresh.backingOff = Promise.resolve() // its first attempt failed: a retry is scheduled
    refresh.run.mockImplementation(() => refresh.inFlight!) // single flight: run() joins it
    await expect(source.get()).resolves.toBe(token.value)
    vi.setSystemTime(Date.now() + 61_000) // now the token has expired: only the refresh can help
    let got: string | null | undefined
    void source.get().then((value) => (got = value))
    await vi.advanceTimersByTimeAsync(10)
    expect(got).toBeUndefined()
    settle('fresh')
    await vi.advanceTimersByTimeAsync(0)
    expect(got).toBe('fresh')
  })

  it('waits for start() while the status is unknown, and for a rejoin; destroyed meanwhile: DestroyedError', async () => {
    const { session, source, setStart, setRejoin } = setup()
    const { token } = tokenFor('alice')
    setStart(Promise.resolve().then(() => session.install(token, null, 'remote', { newSession: true })))
    await expect(source.get()).resolves.toBe(token.value)
    let rejoined!: () => void
    setRejoin(
      new Promise<void>((resolve) => {
        rejoined = resolve
      }),
    )
    const waiting = source.get()
    session.destroy()
    rejoined()
    await expect(waiting).rejects.toBeInstanceOf(DestroyedError)
    await expect(source.get()).rejects.toBeInstanceOf(DestroyedError)
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBrowser } from '../helpers/browser'
import { createTabs } from '../helpers/tabs'

const ALICE = { username: 'alice', password: 'wonderland' }

describe.each([
  ['Web Locks', true],
  ['channel mutex, no Web Locks', false],
])('body mode, a tab without the refresh token (%s)', (_name, webLocks) => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  function bodyTabs() {
    return createTabs({ webLocks, browser: createBrowser({ bodyTransport: true }), tabOptions: { refreshTokenTransport: 'body' } })
  }

  it("R33: a forced refresh right after the holder's rotation resolves with the valid token the holder answers with", async () => {
    const world = bodyTabs()
    const holder = world.open()
    const follower = world.open()
    await Promise.all([holder.tm.login(ALICE), vi.advanceTimersByTimeAsync(200)])
    await vi.advanceTimersByTimeAsync(200)
    const [rotated] = await Promise.all([holder.tm.refresh(), vi.advanceTimersByTimeAsync(50)])
    await vi.advanceTimersByTimeAsync(50) // the follower adopts the rotation
    expect(await follower.tm.getAccessToken()).toBe(rotated)
    world.browser.requests.length = 0
    // Within a second of its rotation the holder answers with the token it has: the one the follower holds.
    const forced = follower.tm.refresh().then(
      (token) => ({ token }),
      (error: unknown) => ({ error }),
    )
    await vi.advanceTimersByTimeAsync(200)
    const result = await forced
    world.destroyAll()
    // Before the fix: RefreshError('No tab holding the refresh token answered').
    expect(result).toEqual({ token: rotated })
    expect(world.browser.count('/auth/refresh')).toBe(0)
    expect(follower.ofType('error')).toEqual([])
    expect(follower.tm.getSnapshot().status).toBe('active')
  })

  it('R33: with no answer at all the follower still fails with a transient RefreshError', async () => {
    const world = bodyTabs()
    const holder = world.open()
    const follower = world.open()
    await Promise.all([holder.tm.login(ALICE), vi.advanceTimersByTimeAsync(200)])
    await vi.advanceTimersByTimeAsync(200)
    holder.tm.destroy() // nobody holds the refresh token any more
    const forced = follower.tm.refresh().catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(200_000)
    const error = await forced
    world.destroyAll()
    expect(error).toMatchObject({ code: 'REFRESH_FAILED', message: 'No tab holding the refresh token answered' })
  })
})

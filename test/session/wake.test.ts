import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createWakeWatch } from '../../src/session/wake'
import { createSession, tokenFor } from '../helpers/session'

function setup() {
  const world = createSession()
  const idle = { check: vi.fn() }
  const refreshTimer = { check: vi.fn() }
  const cooldown = { reset: vi.fn() }
  const onBack = vi.fn()
  let rejoined!: () => void
  const rejoin = vi.fn(() => new Promise<void>((resolve) => (rejoined = resolve)))
  const watch = createWakeWatch({ session: world.session, environment: world.env.environment, idle, refreshTimer, cooldown, onBack, rejoin, log: world.log })
  return { ...world, watch, idle, refreshTimer, cooldown, onBack, rejoin, rejoined: () => rejoined() }
}

describe('createWakeWatch', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_800_000_000_000)
  })
  afterEach(() => vi.useRealTimers())

  it('listens once however often attached, and not after detach or destroy', () => {
    const { watch, env, session, onBack } = setup()
    watch.attach()
    watch.attach()
    env.wake('focus')
    expect(onBack).toHaveBeenCalledTimes(1)
    watch.detach()
    env.wake('focus')
    expect(onBack).toHaveBeenCalledTimes(1)
    session.destroy()
    watch.attach()
    env.wake('focus')
    expect(onBack).toHaveBeenCalledTimes(1)
  })

  it('a wake-up checks the deadlines at once, the refresh timer only with a session; online also ends the cooldown', () => {
    const { watch, env, session, idle, refreshTimer, cooldown } = setup()
    watch.attach()
    env.wake('visible')
    expect(idle.check).toHaveBeenCalledTimes(1)
    expect(refreshTimer.check).not.toHaveBeenCalled()
    expect(cooldown.reset).not.toHaveBeenCalled()
    session.install(tokenFor().token, null, 'local', { newSession: true })
    env.wake('online')
    expect(refreshTimer.check).toHaveBeenCalledTimes(1)
    expect(cooldown.reset).toHaveBeenCalledTimes(1)
  })

  it('back from the back/forward cache: its own deadlines at once, the refresh timer only once the other tabs were heard', async () => {
    const { watch, env, session, idle, refreshTimer, rejoin, rejoined } = setup()
    session.install(tokenFor().token, null, 'local', { newSession: true })
    watch.attach()
    env.wake('pageshow')
    expect(idle.check).toHaveBeenCalledTimes(1)
    expect(rejoin).toHaveBeenCalledTimes(1)
    expect(refreshTimer.check).not.toHaveBeenCalled()
    rejoined()
    await vi.advanceTimersByTimeAsync(0)
    expect(idle.check).toHaveBeenCalledTimes(2)
    expect(refreshTimer.check).toHaveBeenCalledTimes(1)
  })
})

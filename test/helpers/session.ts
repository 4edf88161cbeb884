import { vi } from 'vitest'
import { ActivityTracker } from '../../src/session/activity'
import { systemClock } from '../../src/util/clock'
import { SessionTimeouts } from '../../src/session/session-timeouts'
import { Cooldown } from '../../src/refresh/refresh-with-retry'
import { Deadline } from '../../src/util/deadline'
import { Session } from '../../src/session/session'
import { noTabs } from '../../src/tabs/tab-sync'
import { acceptToken } from '../../src/token/access-token'
import { createFakeEnvironment } from './environment'
import { fakeTabs } from './fake-tabs'
import { makeJwt } from './jwt'

/** A Session wired to real deadlines (fake timers), a fake environment and a fake tab channel. */
export function createSession(options: { cookieMode?: boolean; idleTimeout?: number; peers?: boolean; tabs?: boolean } = {}) {
  const env = createFakeEnvironment()
  const onDue = vi.fn()
  const refreshTimer = new Deadline(systemClock, () => onDue())
  const idle = new SessionTimeouts(
    systemClock,
    { idleTimeout: options.idleTimeout ?? 0, idleWarningTime: 60_000, maxSessionAge: 0 },
    { onWarning: vi.fn(), onIdle: vi.fn(), onMaxAge: vi.fn(), log: vi.fn() },
  )
  const activity = new ActivityTracker({ clock: systemClock, environment: env.environment, events: ['pointerdown'], throttle: 1000, onActivity: vi.fn() })
  const cooldown = new Cooldown(systemClock, 5000)
  const { tabs, posted } = fakeTabs({ peersSeen: options.peers ?? false })
  const log = vi.fn()
  const attachWake = vi.fn()
  const session = new Session({
    clock: systemClock,
    cookieMode: options.cookieMode ?? true,
    idle,
    activity,
    refreshTimer,
    cooldown,
    refreshLeadTime: 60_000,
    tabs: options.tabs === false ? noTabs : tabs,
    attachWake,
    log,
  })
  const events: { type: string; payload: unknown }[] = []
  for (const type of ['signedIn', 'tokenRefreshed', 'signedOut', 'sessionExpired', 'error', 'change'] as const) {
    session.store.events.on(type, (payload) => events.push({ type, payload }))
  }
  return { session, idle, activity, refreshTimer, cooldown, posted, tabs, log, attachWake, env, onDue, events }
}

/** A JWT access token accepted now, valid for `seconds`. */
export function tokenFor(sub = 'alice', seconds = 600) {
  const now = Math.floor(Date.now() / 1000)
  const reply = { accessToken: makeJwt({ sub, iat: now, exp: now + seconds }), expiresIn: seconds, refreshToken: `rt-${sub}` }
  return { reply, token: acceptToken(reply, Date.now()) }
}

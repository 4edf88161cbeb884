import fc from 'fast-check'
import type { WakeReason } from '../../../src'

/**
 * The model's vocabulary: plain data, so a failing sequence prints as JSON and can be pasted
 * into `regressions.ts` as it is. Tab numbers are taken modulo the tabs alive at that step,
 * so every sequence stays meaningful while fast-check shrinks it.
 */

export type Fault = 500 | 503 | 429 | 401 | 'network' | 'html' | 'empty'
export type Target = 'api' | 'sessions' | 'foreign' | 'lookalike'
export type User = 'alice' | 'bob'

export type Command =
  /** `n` concurrent requests from one tab; `abortAfter` ms aborts them through an AbortSignal. */
  | { c: 'request'; tab: number; n: number; target: Target; abortAfter: number | null }
  | { c: 'getToken'; tab: number }
  /** A forced `tm.refresh()`. */
  | { c: 'refresh'; tab: number }
  /** Let time pass with timers firing (the user is idle but the machine is awake). */
  | { c: 'advance'; ms: number }
  /** A DOM activity event through the fake environment, or `tm.touch()`. */
  | { c: 'activity'; tab: number; how: 'dom' | 'touch' }
  /** The next `n` refresh calls fail with `kind` (429 with `retryAfter` seconds). */
  | { c: 'fault'; kind: Fault; n: number; retryAfter: number | null }
  /** Server latency on every call from now on; 3000 ms is above the SDK's 2000 ms timeout. */
  | { c: 'latency'; ms: 0 | 300 | 3000 }
  | { c: 'open' }
  /** The tab closes (`destroy()`); `midRefresh`: while its refresh is at the server, and the browser frees its locks. */
  | { c: 'close'; tab: number; midRefresh: boolean }
  /** The laptop sleeps: the wall clock jumps (timers do not fire), then every tab gets a wake cue. */
  | { c: 'sleep'; ms: number; wake: WakeReason }
  | { c: 'wake'; tab: number; reason: WakeReason }
  | { c: 'login'; tab: number; user: User; good: boolean }
  | { c: 'logout'; tab: number; everywhere: boolean }
  /** Another device: revokes our session through the sessions API, logs out everywhere, or an admin revokes all. */
  | { c: 'remote'; how: 'revokeOthers' | 'logoutEverywhere' | 'revokeAll' }
  /** The server stops accepting the access tokens issued so far (next API call: 401, refresh, replay). */
  | { c: 'expireAccess' }
  /** An attacker replays a rotated refresh token: reuse detection revokes the family (the one excused reuse). */
  | { c: 'steal' }

export interface ModelConfig {
  /** Tabs open at the start (1–5; `open`/`close` change it, at most 5 alive). */
  tabs: number
  /** Web Locks, or the channel mutex (`locks: null`) as the cross-tab mutex. */
  webLocks: boolean
  transport: 'cookie' | 'body'
  /** 0 = off. */
  idleTimeout: 0 | 120_000
  /** 0 = off. */
  maxSessionAge: 0 | 600_000
  /** The server's grace window for a just-rotated refresh token. */
  reuseGrace: 0 | 5000
  /** Whether tab 0 signs in before the commands run. */
  signedIn: boolean
  /** Seeds `Math.random` (jitter, backoff, lock claim ranks) so a run replays exactly. */
  rngSeed: number
}

export interface Scenario {
  config: ModelConfig
  commands: Command[]
}

const tab = fc.nat({ max: 9 })
const wakeReason = fc.constantFrom<WakeReason>('visible', 'focus', 'online', 'pageshow')

export const configArb: fc.Arbitrary<ModelConfig> = fc.record({
  tabs: fc.integer({ min: 1, max: 5 }),
  // MODEL_LOCKS=off|on (the soak's --locks) runs every sequence without or with Web Locks.
  webLocks:
    process.env.MODEL_LOCKS === 'off' || process.env.MODEL_LOCKS === 'on'
      ? fc.constant(process.env.MODEL_LOCKS === 'on')
      : fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  transport: fc.oneof({ weight: 3, arbitrary: fc.constant('cookie' as const) }, { weight: 1, arbitrary: fc.constant('body' as const) }),
  idleTimeout: fc.constantFrom(0 as const, 120_000 as const),
  maxSessionAge: fc.constantFrom(0 as const, 600_000 as const),
  reuseGrace: fc.constantFrom(0 as const, 5000 as const),
  signedIn: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  rngSeed: fc.integer(),
})

export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      c: fc.constant('request' as const),
      tab,
      n: fc.integer({ min: 1, max: 6 }),
      target: fc.constantFrom<Target>('api', 'api', 'api', 'sessions', 'foreign', 'lookalike'),
      abortAfter: fc.option(fc.integer({ min: 0, max: 3000 }), { freq: 6, nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ c: fc.constant('getToken' as const), tab }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('refresh' as const), tab }) },
  {
    weight: 8,
    arbitrary: fc.record({
      c: fc.constant('advance' as const),
      // small steps, a proactive refresh, past expiry, past the idle timeout
      ms: fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.constantFrom(16_000, 31_000, 130_000)),
    }),
  },
  { weight: 4, arbitrary: fc.record({ c: fc.constant('activity' as const), tab, how: fc.constantFrom('dom' as const, 'touch' as const) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      c: fc.constant('fault' as const),
      kind: fc.constantFrom<Fault>(500, 503, 429, 401, 'network', 'html', 'empty'),
      n: fc.integer({ min: 1, max: 5 }),
      retryAfter: fc.option(fc.constantFrom(1, 2, 60), { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ c: fc.constant('latency' as const), ms: fc.constantFrom(0 as const, 300 as const, 3000 as const) }) },
  { weight: 2, arbitrary: fc.constant({ c: 'open' as const }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant('close' as const), tab, midRefresh: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant('sleep' as const),
      // past expiry, past the idle timeout, past the max session age
      ms: fc.constantFrom(40_000, 10 * 60_000, 2 * 3600_000),
      wake: wakeReason,
    }),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('wake' as const), tab, reason: wakeReason }) },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant('login' as const),
      tab,
      user: fc.constantFrom<User>('alice', 'alice', 'bob'),
      good: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('logout' as const), tab, everywhere: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      c: fc.constant('remote' as const),
      how: fc.constantFrom('revokeOthers' as const, 'logoutEverywhere' as const, 'revokeAll' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ c: 'expireAccess' as const }) },
  { weight: 1, arbitrary: fc.constant({ c: 'steal' as const }) },
)

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  config: configArb,
  commands: fc.array(commandArb, { minLength: 1, maxLength: 25 }),
})

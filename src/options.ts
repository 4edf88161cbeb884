import { MAX_TIMER_DELAY, systemClock, type Clock } from './util/clock'
import { browserEnvironment, type BrowserEnvironment } from './util/environment'
import { consoleLogger, type Logger } from './util/logger'
import { resolveUrls } from './http/urls'
import type { Backend, BackendContext } from './http/backend'
import { defaultBackend } from './http/default-backend'
import { BACKOFF, type RetryPolicy } from './refresh/backoff'
import type { IdlePolicy } from './session/session-timeouts'
import type { LockManagerLike } from './tabs/lock'
import type { ChannelFactory } from './tabs/protocol'
import type { Endpoints, TokenManagerOptions } from './types'

/**
 * Every default of {@link TokenManagerOptions} that is a value (the others depend on the host:
 * `baseUrl`, `authorizedOrigins`, `fetch`, `clock`, ...). The JSDoc `@default` tags in
 * `types.ts` are checked against this object by a test.
 */
export const DEFAULTS = Object.freeze({
  endpoints: Object.freeze({ login: '/auth/login', refresh: '/auth/refresh', logout: '/auth/logout', sessions: '/auth/sessions' }),
  refreshTokenTransport: 'cookie' as 'cookie' | 'body',
  refreshLeadTime: 60_000,
  timeout: 10_000,
  retry: 3,
  reuseGrace: 10_000,
  refreshCooldown: 5000,
  csrfHeader: Object.freeze({ name: 'X-TokenKeeper', value: '1' }) as TokenManagerOptions['csrfHeader'],
  idleTimeout: 0,
  idleWarningTime: 60_000,
  maxSessionAge: 0,
  activityEvents: Object.freeze(['pointerdown', 'pointermove', 'keydown', 'wheel', 'scroll', 'touchstart']) as readonly string[],
  deliberateActivityEvents: Object.freeze(['pointerdown', 'keydown']) as readonly string[],
  crossTab: true as TokenManagerOptions['crossTab'],
  channel: 'tokenkeeper',
  debug: false,
})

/** The options as every module reads them: validated, defaults applied, frozen. */
export interface ResolvedOptions {
  /** Absolute URLs. */
  readonly endpoints: Readonly<Endpoints>
  readonly authorizedOrigins: ReadonlySet<string>
  /** `refreshTokenTransport: 'cookie'`: the refresh token is never in memory. */
  readonly cookieMode: boolean
  readonly timeout: number
  readonly refreshLeadTime: number
  readonly refreshCooldown: number
  readonly retryPolicy: Readonly<RetryPolicy>
  /** The backend's reuse grace window (ms): retries after a possibly lost reply only within it. */
  readonly reuseGrace: number
  /** Longest one refresh may hold the cross-tab lock: every attempt timing out plus the backoff between. */
  readonly lockTimeout: number
  /** The CSRF header of every auth call as headers (`{}` with `csrfHeader: false`). */
  readonly csrfHeaders: Readonly<Record<string, string>>
  /** The `backend` option, built; the default contract's backend when none was given. */
  readonly backend: Backend
  /** The fetch to use, looked up at call time (a fetch patched later is honoured). */
  readonly getFetch: () => typeof fetch
  readonly idle: Readonly<IdlePolicy>
  readonly activityEvents: readonly string[]
  readonly deliberateActivityEvents: readonly string[]
  /** `null` when cross-tab sync is off. The channel factory and locks default at open time. */
  readonly crossTab: Readonly<{ channel: string; channelFactory: ChannelFactory | undefined; locks: LockManagerLike | null | undefined }> | null
  readonly clock: Clock
  readonly environment: BrowserEnvironment
  readonly logger: Logger | null
}

type Check = [keyof TokenManagerOptions, (value: any) => boolean, string]

const isString = (v: unknown) => typeof v === 'string'
const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null
const hasMethods =
  (...names: string[]) =>
  (v: any) =>
    isObject(v) && names.every((name) => typeof v[name] === 'function')
const isFunction = (v: unknown) => typeof v === 'function'
const isStringArray = (v: unknown) => Array.isArray(v) && v.every(isString)
type NumberOption = 'refreshLeadTime' | 'timeout' | 'retry' | 'reuseGrace' | 'refreshCooldown' | 'idleTimeout' | 'idleWarningTime' | 'maxSessionAge'
/** The number options (milliseconds, and `retry`): the defaults that are numbers. */
const NUMBERS = Object.keys(DEFAULTS).filter((name) => typeof DEFAULTS[name as keyof typeof DEFAULTS] === 'number') as NumberOption[]

// Types only; ranges are checked below.
const CHECKS: Check[] = [
  ['baseUrl', isString, 'a URL string'],
  ['endpoints', (v) => isObject(v) && Object.values(v).every((path) => path === undefined || isString(path)), 'an object of path strings'],
  ['refreshTokenTransport', (v) => v === 'cookie' || v === 'body', "'cookie' or 'body'"],
  ['authorizedOrigins', isStringArray, 'an array of origin strings'],
  ['fetch', isFunction, 'a function'],
  ['parseTokenResponse', isFunction, 'a function'],
  ['backend', (v) => isFunction(v) || isObject(v), 'a backend object or preset (simplejwt(), oauth2(), ...)'],
  ['csrfHeader', (v) => v === false || (isObject(v) && isString(v.name) && v.name !== '' && isString(v.value)), 'false or { name, value } strings'],
  ['activityEvents', isStringArray, 'an array of event names'],
  ['deliberateActivityEvents', isStringArray, 'an array of event names'],
  ['crossTab', (v) => typeof v === 'boolean' || (isObject(v) && (v.channel === undefined || isString(v.channel))), 'a boolean or { channel }'],
  [
    'clock',
    (v) => hasMethods('now', 'setTimeout', 'clearTimeout')(v) && (v.monotonic === undefined || isFunction(v.monotonic)),
    'a Clock ({ now, monotonic?, setTimeout, clearTimeout })',
  ],
  ['environment', hasMethods('onWake', 'onActivity'), 'a BrowserEnvironment ({ onWake, onActivity })'],
  ['locks', (v) => v === null || hasMethods('request')(v), 'null or a LockManager'],
  ['logger', isFunction, 'a function'],
  ['debug', (v) => typeof v === 'boolean', 'a boolean'],
  ['channelFactory', isFunction, 'a function'],
]

function fail(error: typeof TypeError, name: string, message: string): never {
  throw new error(`tokenkeeper: \`${name}\` ${message}`)
}

/**
 * Validates `options` once, at construction, and applies the defaults. Wrong types are a
 * `TypeError`; a negative or non-finite number, a `timeout` of 0 or beyond 2^31−1 ms, a
 * fractional `retry` and the contradictions below are a `RangeError`. Each message names the option.
 *
 * - `idleWarningTime` ≥ `idleTimeout` (idle tracking on): clamped to half of `idleTimeout`, given
 *   or the default (a warning that came with the idle period itself could not be answered).
 * - `refreshLeadTime` ≥ `maxSessionAge` (max age on): rejected when both were given. The lead
 *   time is always clamped to half of each token's lifetime when the token arrives.
 *
 * Long deadlines (`idleTimeout`, `maxSessionAge` of months) are fine: the SDK chains its timers.
 */
export function resolveOptions(options: TokenManagerOptions = {}): ResolvedOptions {
  if (!isObject(options)) throw new TypeError('tokenkeeper: options must be an object')
  const given = options as Record<string, unknown>
  for (const [name, valid, expected] of CHECKS) {
    if (given[name] !== undefined && !valid(given[name])) fail(TypeError, name, `must be ${expected}`)
  }
  const number = {} as Record<NumberOption, number>
  for (const name of NUMBERS) {
    const value = given[name] ?? DEFAULTS[name]
    if (typeof value !== 'number') fail(TypeError, name, 'must be a number of milliseconds')
    if (!Number.isFinite(value) || value < 0) fail(RangeError, name, `must be a finite number ≥ 0, got ${value}`)
    number[name] = value
  }
  const { timeout, retry, idleTimeout, maxSessionAge, refreshLeadTime } = number
  let { idleWarningTime } = number
  if (timeout === 0 || timeout > MAX_TIMER_DELAY) fail(RangeError, 'timeout', `must be between 1 and ${MAX_TIMER_DELAY} ms, got ${timeout}`)
  if (!Number.isInteger(retry)) fail(RangeError, 'retry', `must be a whole number, got ${retry}`)
  if (idleTimeout > 0 && idleWarningTime >= idleTimeout) idleWarningTime = idleTimeout / 2
  if (maxSessionAge > 0 && options.refreshLeadTime !== undefined && refreshLeadTime >= maxSessionAge) {
    fail(RangeError, 'refreshLeadTime', `must be below \`maxSessionAge\` (${maxSessionAge}), got ${refreshLeadTime}`)
  }
  const urls = resolveUrls({ ...options, endpoints: { ...DEFAULTS.endpoints, ...options.endpoints } })
  const csrf = options.csrfHeader ?? DEFAULTS.csrfHeader
  const crossTab = options.crossTab ?? DEFAULTS.crossTab
  const retryPolicy = Object.freeze({ ...BACKOFF, retries: retry })
  const customFetch = options.fetch
  const getFetch = () => customFetch ?? globalThis.fetch
  const environment = options.environment ?? browserEnvironment
  const backend = resolveBackend(options, urls, {
    baseUrl: options.baseUrl,
    resolve: urls.resolve,
    environment,
    fetch: (input, init) => getFetch()(input, init),
  })
  return Object.freeze({
    endpoints: Object.freeze(urls.endpoints),
    authorizedOrigins: urls.authorizedOrigins,
    cookieMode: backend.refreshTokenTransport === 'cookie',
    timeout,
    refreshLeadTime,
    refreshCooldown: number.refreshCooldown,
    retryPolicy,
    reuseGrace: number.reuseGrace,
    lockTimeout: (retry + 1) * timeout + retry * BACKOFF.maxDelay + 5000,
    csrfHeaders: Object.freeze(csrf ? { [csrf.name]: csrf.value } : {}),
    backend,
    getFetch,
    idle: Object.freeze({ idleTimeout, idleWarningTime, maxSessionAge }),
    activityEvents: Object.freeze([...(options.activityEvents ?? DEFAULTS.activityEvents)]),
    deliberateActivityEvents: Object.freeze([...(options.deliberateActivityEvents ?? DEFAULTS.deliberateActivityEvents)]),
    crossTab:
      crossTab === false
        ? null
        : Object.freeze({
            channel: (typeof crossTab === 'object' && crossTab.channel) || DEFAULTS.channel,
            channelFactory: options.channelFactory,
            locks: options.locks,
          }),
    clock: options.clock ?? systemClock,
    environment,
    logger: options.logger ?? ((options.debug ?? DEFAULTS.debug) ? consoleLogger : null),
  })
}

const BACKEND_METHODS = ['login', 'refresh', 'logout', 'readTokens', 'classifyRefreshFailure'] as const

/** The `backend` option built and checked; the shorthands (`endpoints`, ...) build the default one. */
function resolveBackend(options: TokenManagerOptions, urls: ReturnType<typeof resolveUrls>, context: BackendContext): Backend {
  const given = options.backend
  if (given === undefined) {
    return defaultBackend({
      endpoints: urls.endpoints,
      ...(options.refreshTokenTransport && { refreshTokenTransport: options.refreshTokenTransport }),
      ...(options.parseTokenResponse && { parseTokenResponse: options.parseTokenResponse }),
    })
  }
  // A shorthand beside a backend would be silently ignored: say so instead.
  const { sessions: _sessions, ...auth } = options.endpoints ?? {}
  for (const name of ['refreshTokenTransport', 'parseTokenResponse', ...Object.keys(auth)]) {
    if (name in auth || options[name as keyof TokenManagerOptions] !== undefined)
      fail(TypeError, name, 'is an option of the default backend: set it on `backend`')
  }
  const backend = typeof given === 'function' ? given(context) : given
  if (!hasMethods(...BACKEND_METHODS)(backend) || !['cookie', 'body'].includes(backend.refreshTokenTransport)) {
    fail(TypeError, 'backend', `must have refreshTokenTransport ('cookie' or 'body') and ${BACKEND_METHODS}`)
  }
  return backend
}

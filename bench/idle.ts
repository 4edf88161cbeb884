// Idle cost: one signed-in tab, a 15-minute token, no activity, one simulated hour on a
// virtual clock. Counts timer wake-ups, timers scheduled, global timers/intervals, listener
// subscriptions and invocations, and network calls.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { TokenManager, type TokenManagerEventName } from '../src/index'
import { emit } from './lib/env'
import { fixed, goal, table, type BenchResult } from './lib/md'
import { countingEnvironment, settle, stubAuthFetch, VirtualClock } from './lib/virtual'

const HOUR = 3_600_000
const LIFETIME_S = 15 * 60

interface Outcome {
  label: string
  wakeUps: number
  wakeTimes: string
  worstLifetime: number
  signInRefreshes: number
  scheduled: number
  cleared: number
  maxPending: number
  pendingAfter: number
  globalTimeouts: number
  globalIntervals: number
  subscriptions: number
  liveListeners: number
  domListeners: number
  invocations: number
  refreshes: number
  logouts: number
  events: string
  status: string
  /** Token lifetimes that began during the hour (sign-in + refreshes). */
  lifetimes: number
}

async function simulate(label: string, idleTimeout: number): Promise<Outcome> {
  const clock = new VirtualClock()
  const env = countingEnvironment()
  const stub = stubAuthFetch(clock, LIFETIME_S)
  // Count what reaches the real global timers (ky's request timeout) and any interval.
  const realSetTimeout = globalThis.setTimeout
  const realSetInterval = globalThis.setInterval
  let globalTimeouts = 0
  let globalIntervals = 0
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    globalTimeouts++
    return realSetTimeout(...args)
  }) as typeof setTimeout
  globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
    globalIntervals++
    return realSetInterval(...args)
  }) as typeof setInterval
  try {
    const tm = new TokenManager({
      baseUrl: 'https://app.example',
      clock,
      environment: env.environment,
      fetch: stub.fetch,
      crossTab: false,
      idleTimeout,
    })
    const events = new Map<string, number>()
    for (const type of ['signedIn', 'tokenRefreshed', 'signedOut', 'sessionExpired', 'idleWarning', 'error', 'change'] as TokenManagerEventName[]) {
      tm.on(type, () => events.set(type, (events.get(type) ?? 0) + 1))
    }
    // A page load: start() resumes the session from the refresh cookie (one refresh call).
    const startAt = clock.now()
    await tm.start()
    await settle()
    if (tm.getSnapshot().status !== 'active') throw new Error('start() did not sign in')
    const signInRefreshes = stub.calls.refresh
    await clock.advance(HOUR)
    const hourRefreshes = stub.calls.refreshTimes.filter((t) => t > startAt)
    const lifetimeStarts = [startAt, ...hourRefreshes]
    const wakeTimes = clock.fireTimes.filter((t) => t > startAt)
    // A wake-up belongs to the token lifetime in force when it fired (the refresh it triggers starts the next one).
    const perLifetime = lifetimeStarts.map(
      (from, i) => wakeTimes.filter((w) => w > from - (i === 0 ? 1 : 0) && (i + 1 >= lifetimeStarts.length || w <= lifetimeStarts[i + 1]!)).length,
    )
    const status = tm.getSnapshot().status
    const outcome: Outcome = {
      label,
      wakeUps: wakeTimes.length,
      wakeTimes: wakeTimes.map((t) => fmtMinutes(t - startAt)).join(', ') || '—',
      worstLifetime: Math.max(0, ...perLifetime),
      scheduled: clock.scheduled,
      cleared: clock.cleared,
      maxPending: clock.maxPending,
      pendingAfter: clock.pending,
      globalTimeouts,
      globalIntervals,
      subscriptions: env.stats.subscriptions,
      liveListeners: env.live,
      domListeners: env.domListeners,
      invocations: env.stats.invocations,
      refreshes: hourRefreshes.length,
      signInRefreshes,
      logouts: stub.calls.logout,
      events: [...events].map(([k, v]) => `${k} ${v}`).join(', '),
      status,
      lifetimes: lifetimeStarts.length,
    }
    tm.destroy()
    return outcome
  } finally {
    globalThis.setTimeout = realSetTimeout
    globalThis.setInterval = realSetInterval
  }
}

function fmtMinutes(ms: number): string {
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

function cite(path: string, pattern: RegExp): string {
  try {
    const file = fileURLToPath(new URL(`../../node_modules/${path}`, import.meta.url))
    const lines = readFileSync(file, 'utf8').split('\n')
    const index = lines.findIndex((line) => pattern.test(line))
    return index === -1 ? `node_modules/${path}` : `node_modules/${path}:${index + 1} \`${lines[index]!.trim()}\``
  } catch {
    return `node_modules/${path}`
  }
}

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(fileURLToPath(new URL(`../../node_modules/${pkg}/package.json`, import.meta.url)), 'utf8')) as { version: string }).version
  } catch {
    return '?'
  }
}

async function main() {
  const started = performance.now()
  const runs = [await simulate('idleTimeout 0 (default)', 0), await simulate('idleTimeout 15 min', 15 * 60_000)]
  const goals: BenchResult['goals'] = []
  for (const r of runs) {
    const perLifetime = r.wakeUps / r.lifetimes
    // The strict reading: no single token lifetime may see more than two wake-ups.
    const worstLifetime = r.worstLifetime
    goals.push({
      name: `idle, ${r.label}: ≤ 2 wake-ups per token lifetime`,
      met: worstLifetime <= 2,
      value: `${r.wakeUps} wake-ups over ${r.lifetimes} token lifetime(s) (${fixed(perLifetime, 2)} on average, at most ${worstLifetime} in one)`,
    })
    goals.push({ name: `idle, ${r.label}: no interval polling`, met: r.globalIntervals === 0, value: `${r.globalIntervals} setInterval calls` })
  }
  const rows = runs.map((r) => [
    r.label,
    r.wakeUps,
    r.wakeTimes,
    r.scheduled,
    r.cleared,
    r.globalTimeouts,
    r.globalIntervals,
    r.refreshes,
    r.logouts,
    `${r.subscriptions} (${r.domListeners} DOM listeners at the end)`,
    r.invocations,
    r.status,
  ])
  const supabaseTick = cite('@supabase/auth-js/dist/module/lib/constants.js', /AUTO_REFRESH_TICK_DURATION_MS\s*=/)
  const supabaseInterval = cite('@supabase/auth-js/dist/module/GoTrueClient.js', /setInterval\(\(\) => this\._autoRefreshTokenTick\(\)/)
  const oidcTimer = cite('oidc-client-ts/dist/esm/oidc-client-ts.js', /const timerDurationInSeconds = Math\.min\(durationInSeconds, 5\)/)
  const body = [
    `One tab signed in (a page load: \`start()\` resumes from the refresh cookie with one refresh call) with a 15-minute access token (\`expiresIn: 900\`, default \`refreshLeadTime\` 60 s, idle warning 60 s), no user activity, one simulated hour on a virtual clock injected as \`clock\` (bench/lib/virtual.ts), an injected counting \`environment\`, and an in-process fetch that answers refresh/logout. ` +
      `A wake-up is a timer callback on the SDK's clock. "global timers" counts \`setTimeout\` calls that bypass the injected clock (ky's per-request timeout, set and cleared around each auth call); "setInterval" counts interval polling (goal 0). ` +
      `Listener invocations stay 0 because an idle page delivers no events; the subscriptions column is what the SDK attached (a wake-up subscription = visibilitychange, focus, online, pageshow; activity = ${runs[1]!.domListeners > 0 ? 'six pointer/key/scroll events + visibilitychange' : 'six pointer/key/scroll events + visibilitychange, only with idleTimeout > 0'}).`,
    table(
      [
        'configuration',
        'wake-ups',
        'at (mm:ss after sign-in)',
        'timers scheduled (incl. sign-in)',
        'timers cleared',
        'global timers',
        'setInterval',
        'refresh calls',
        'logout calls',
        'listener subscriptions',
        'listener invocations',
        'status after 1 h',
      ],
      rows,
      ['l', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'l'],
    ),
    `Events delivered to the app: ${runs.map((r) => `${r.label}: ${r.events}`).join('; ')}.`,
    `For comparison (constants from the installed sources, not simulated): **@supabase/auth-js ${version('@supabase/auth-js')}** ticks every 30 s while auto-refresh runs (${supabaseTick}; ${supabaseInterval}) = **120 wake-ups per hour** whatever the token lifetime. ` +
      `**oidc-client-ts ${version('oidc-client-ts')}**'s \`Timer\` (access-token expiring/expired events) polls with \`setInterval\` every min(duration, 5) s (${oidcTimer}) = **up to 720 wake-ups per hour** per timer while a user is loaded.`,
    goals.map((g) => `- ${goal(g.met)} ${g.name}: ${g.value}`).join('\n'),
  ].join('\n\n')
  await emit({ id: 'idle', title: '4. Idle cost', body, goals, seconds: (performance.now() - started) / 1000 })
}

await main()

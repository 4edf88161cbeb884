// Cross-tab rotations in one process: N managers playing the tabs of one browser profile, with
// real timers, Node's native BroadcastChannel (the SDK's default channel factory), an
// in-process Web Locks manager (test/helpers/locks.ts) or none (`locks: null`: the channel
// mutex, as in every insecure context) and one cookie jar, against the bench server over
// loopback HTTP.
import { createLockManager } from '../test/helpers/locks'
import { TokenManager, type TokenManagerOptions } from '../src/index'
import { emit, log, QUICK, sleep } from './lib/env'
import { createJarFetch } from './lib/jar'
import { fixed, fmt, goal, mmm, table, type BenchResult } from './lib/md'
import { startServerProcess, type RemoteServer } from './lib/remote'
import { percentile, summarize } from './lib/stats'

const TAB_COUNTS = QUICK ? [2, 5] : [2, 5, 10]
const ROTATIONS = QUICK ? 4 : 10
const LOGOUTS = QUICK ? 4 : 10
let channelSeq = 0

async function until(check: () => boolean, timeout = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeout
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(2)
  }
}

/** Web Locks, or none (the channel mutex). */
type Mutex = 'Web Locks' | 'channel mutex'
let mutex: Mutex = 'Web Locks'

function openTabs(server: RemoteServer, n: number, options: Partial<TokenManagerOptions>) {
  const browser = createJarFetch()
  const locks = mutex === 'Web Locks' ? createLockManager() : null
  const channel = `bench-${process.pid}-${++channelSeq}`
  const tabs = Array.from(
    { length: n },
    () => new TokenManager({ baseUrl: server.origin, fetch: browser.fetch, locks: locks ? locks.managerFor() : null, crossTab: { channel }, ...options }),
  )
  return {
    tabs,
    destroy: () => {
      for (const tm of tabs) tm.destroy()
    },
  }
}

const allActive = (tabs: TokenManager[]) => tabs.every((tm) => tm.getSnapshot().status === 'active')

interface OnDemand {
  perRotation: number[]
  /** ms from firing the calls to the last answer, per rotation. */
  rotationMs: number[]
  reuse: number
  requests: number
  ok: number
}

/** Token expires; every tab makes two API calls at once; count refresh requests per rotation. */
async function onDemand(server: RemoteServer, n: number): Promise<OnDemand> {
  await server.reset()
  // 2 s: the shortest lifetime the SDK accepts (a shorter one is an invalid reply, R17).
  await server.config({ accessTokenLifetime: 2 })
  // No activity + idle tracking on = no proactive refresh: every rotation is on demand.
  const { tabs, destroy } = openTabs(server, n, { idleTimeout: 3_600_000 })
  await tabs[0]!.login({ username: 'bench' })
  await until(() => allActive(tabs), 5000, 'tabs to adopt the sign-in')
  const perRotation: number[] = []
  const rotationMs: number[] = []
  let requests = 0
  let ok = 0
  for (let r = 0; r < ROTATIONS; r++) {
    const expiresAt = Math.max(...tabs.map((tm) => tm.getSnapshot().expiresAt ?? 0))
    await sleep(Math.max(0, expiresAt - Date.now() + 5))
    await server.resetCounters()
    const t0 = performance.now()
    const statuses = await Promise.all(
      tabs.flatMap((tm) =>
        [0, 1].map(() =>
          tm.fetch(`${server.origin}/api/data`).then(
            async (response) => {
              await response.arrayBuffer()
              return response.status
            },
            () => 0,
          ),
        ),
      ),
    )
    rotationMs.push(performance.now() - t0)
    requests += statuses.length
    ok += statuses.filter((s) => s === 200).length
    perRotation.push((await server.counters()).refreshCalls)
  }
  const reuse = (await server.counters()).reuseDetections
  destroy()
  return { perRotation, rotationMs, reuse, requests, ok }
}

interface Proactive {
  calls: number
  duplicates: number
  reuse: number
  seconds: number
}

/** Idle timeout off: tabs refresh ahead of expiry on their own (lifetime 2 s → every ~1 s). */
async function proactive(server: RemoteServer, n: number): Promise<Proactive> {
  await server.reset()
  await server.config({ accessTokenLifetime: 2 })
  const { tabs, destroy } = openTabs(server, n, { idleTimeout: 0 })
  const refreshes: number[] = []
  for (const tm of tabs) tm.on('tokenRefreshed', ({ source }) => source === 'local' && refreshes.push(performance.now()))
  await tabs[0]!.login({ username: 'bench' })
  await until(() => allActive(tabs), 5000, 'tabs to adopt the sign-in')
  await server.resetCounters()
  const t0 = performance.now()
  await until(() => refreshes.length >= ROTATIONS, ROTATIONS * 2000 + 5000, `${ROTATIONS} proactive refreshes`)
  const seconds = (performance.now() - t0) / 1000
  const counters = await server.counters()
  destroy()
  // Two refreshes closer than half the refresh period (500 ms) served one rotation.
  const duplicates = refreshes.slice(0, ROTATIONS).filter((at, i, all) => i > 0 && at - all[i - 1]! < 500).length
  return { calls: counters.refreshCalls, duplicates, reuse: counters.reuseDetections, seconds }
}

/** Sign in from one tab, sign out from another; time until every other tab saw `signedOut`. */
async function logoutPropagation(server: RemoteServer, n: number): Promise<number[]> {
  await server.reset()
  await server.config({ accessTokenLifetime: 900 })
  const { tabs, destroy } = openTabs(server, n, {})
  const samples: number[] = []
  for (let i = 0; i < LOGOUTS; i++) {
    await tabs[i % n]!.login({ username: 'bench' })
    await until(() => allActive(tabs), 5000, 'tabs to adopt the sign-in')
    const from = (i + 1) % n
    const seen: number[] = []
    const offs = tabs.map((tm, j) => (j === from ? () => undefined : tm.on('signedOut', () => seen.push(performance.now()))))
    const t0 = performance.now()
    void tabs[from]!.logout()
    await until(() => seen.length === n - 1, 5000, 'signedOut in every tab')
    samples.push(...seen.map((at) => at - t0))
    for (const off of offs) off()
    await sleep(20)
  }
  destroy()
  return samples
}

async function main() {
  const started = performance.now()
  const server = await startServerProcess({ refreshDelay: 5 })
  const rows: (string | number)[][] = []
  const proactiveRows: (string | number)[][] = []
  const goals: BenchResult['goals'] = []
  for (const [m, n] of (['Web Locks', 'channel mutex'] as const).flatMap((m) => TAB_COUNTS.map((n) => [m, n] as const))) {
    mutex = m
    const od = await onDemand(server, n)
    const pr = await proactive(server, n)
    const lo = await logoutPropagation(server, n)
    log(`crosstab: ${m} N=${n} done (${((performance.now() - started) / 1000).toFixed(1)} s)`)
    const perRotation = od.perRotation.reduce((a, b) => a + b, 0) / od.perRotation.length
    rows.push([
      m,
      n,
      fixed(perRotation, 2),
      mmm(summarize(od.perRotation), 0),
      `${od.ok}/${od.requests}`,
      od.reuse,
      mmm(summarize(od.rotationMs), 0),
      fmt(percentile(lo, 50), 2),
      fmt(percentile(lo, 95), 2),
      fmt(Math.max(...lo), 2),
    ])
    proactiveRows.push([m, n, pr.calls, pr.duplicates, fixed(pr.calls / Math.max(1, pr.calls - pr.duplicates), 2), pr.reuse, fmt(pr.seconds, 1)])
    goals.push({
      name: `Node tabs N=${n}, ${m}: 1.0 refresh request per rotation, 0 reuse revocations`,
      met: perRotation === 1 && od.reuse === 0 && pr.duplicates === 0 && pr.reuse === 0,
      value: `${fixed(perRotation, 2)} on demand, ${pr.duplicates} duplicate proactive refreshes, ${od.reuse + pr.reuse} revocations`,
    })
  }
  await server.stop()
  const body = [
    `N managers in one Node process share one cookie jar, one in-process Web Locks manager (test/helpers/locks.ts) or none (\`locks: null\`: the channel mutex of every insecure context, src/tabs/channel-lock.ts) and the SDK's default channel (Node's native \`BroadcastChannel\`), with real timers, against the bench server over loopback HTTP (refresh endpoint 5 ms, rotation with reuse detection, no grace window).`,
    `**On demand**: access-token lifetime 2 s (the minimum the SDK accepts), idle tracking on and no activity (so no proactive refresh). ${ROTATIONS} rotations: wait for the token to expire, then every tab makes two API calls at once; "rotation ms" is the time until all 2N calls have answered (one refresh round trip is about 6 ms here). **Logout**: ${LOGOUTS} times, one tab signs in, another signs out; the time from \`logout()\` to \`signedOut\` in each other tab (all ${LOGOUTS} × (N−1) samples).`,
    table(
      [
        'mutex',
        'tabs N',
        'refresh requests per rotation (goal 1.0)',
        'per rotation, median (min–max)',
        'API calls OK',
        'reuse revocations (goal 0)',
        'rotation ms, median (min–max)',
        'logout p50 ms',
        'logout p95 ms',
        'logout max ms',
      ],
      rows,
    ),
    `**Proactive**: idle timeout off, access-token lifetime 2 s (refresh due 1 s before expiry, staggered by up to 100 ms per tab), until ${ROTATIONS} refreshes happened. A "duplicate" is a refresh less than 500 ms (half a period) after the previous one: two tabs refreshing for one rotation.`,
    table(
      ['mutex', 'tabs N', 'refresh requests', 'duplicates (goal 0)', 'requests per rotation (goal 1.0)', 'reuse revocations (goal 0)', 'seconds'],
      proactiveRows,
    ),
    goals.map((g) => `- ${goal(g.met)} ${g.name}: ${g.value}`).join('\n'),
  ].join('\n\n')
  await emit({ id: 'crosstab', title: '2a. Cross-tab rotations (Node, N managers)', body, goals, seconds: (performance.now() - started) / 1000 })
}

await main()

// The refresh storm of bench/storm.ts through the oauth2() preset against panva's oidc-provider
// (in-process, rotation on, clockTolerance 0): M concurrent tm.fetch calls to its userinfo
// endpoint once the access token has expired, counting the refresh grants the provider saw.
import type { TokenManager } from '../src/index'
import { emit, log, QUICK } from './lib/env'
import { fmt, goal, mmm, table, type BenchResult } from './lib/md'
import { grantsSince, oauthManager, type OidcServer, refreshRoundTrip, signIn, startProvider, untilLapsed, userinfoSince } from './lib/oidc'
import { median, percentile, summarize } from './lib/stats'

const SIZES = QUICK ? [1, 10, 100] : [1, 10, 100, 1000]
const REPS = QUICK ? 1 : 5
/**
 * Seconds. oidc-provider counts whole seconds from a floored `iat`, so a token lives 2–3 s there
 * while the SDK gives it 3 s from the reply: once the SDK sees it lapsed, the provider refuses it
 * too, and the token of the storm's refresh outlives the storm (about 1 s at M = 1000 here).
 */
const ACCESS_TTL = 3

interface Run {
  refreshGrants: number
  invalidGrant: number
  ok: number
  userinfo: number
  p50: number
  p99: number
  refreshRtt: number
}

interface Client {
  get(): Promise<boolean>
  destroy(): void
}

/** A signed-in manager, warmed with M concurrent requests and a valid token (JIT, a connection pool sized for M). */
async function warmClient(server: OidcServer, m: number): Promise<Client & { tm: TokenManager }> {
  const tm = oauthManager(server)
  tm.setSession(await signIn(server))
  const get = async () => {
    const response = await tm.fetch(server.userinfo_endpoint)
    await response.arrayBuffer()
    return response.status === 200
  }
  await Promise.all(Array.from({ length: m }, get))
  return { tm, get, destroy: () => tm.destroy() }
}

/** M requests at once with a lapsed token. */
async function storm(server: OidcServer, client: Client, m: number, refreshRtt: number): Promise<Run> {
  const grantsFrom = server.log.grants.length
  const requestsFrom = server.log.requests.length
  const latencies: number[] = []
  let ok = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: m }, () =>
      client.get().then(
        (success) => {
          latencies.push(performance.now() - t0)
          if (success) ok++
        },
        () => latencies.push(performance.now() - t0),
      ),
    ),
  )
  client.destroy()
  return {
    ...grantsSince(server, grantsFrom),
    ok,
    userinfo: userinfoSince(server, requestsFrom),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    refreshRtt,
  }
}

/**
 * The runs of one M: every run's manager signs in and warms up first, then one wait for all of
 * their tokens to lapse (the wait is most of the time), then the storms one after another.
 */
async function runsOf(server: OidcServer, m: number): Promise<Run[]> {
  const clients: (Client & { tm: TokenManager })[] = []
  for (let rep = 0; rep < REPS; rep++) clients.push(await warmClient(server, m))
  await untilLapsed(clients.map((client) => client.tm))
  const runs: Run[] = []
  for (const client of clients) runs.push(await storm(server, client, m, await refreshRoundTrip(server)))
  return runs
}

async function main() {
  const started = performance.now()
  const server = await startProvider(ACCESS_TTL)
  const results = new Map<number, Run[]>()
  for (const m of SIZES) {
    results.set(m, await runsOf(server, m))
    log(`storm-oauth2: M=${m} done (${((performance.now() - started) / 1000).toFixed(1)} s)`)
  }
  await server.close()

  const goals: BenchResult['goals'] = []
  const sections: string[] = []
  for (const m of SIZES) {
    const runs = results.get(m)!
    const s = (f: (r: Run) => number) => summarize(runs.map(f))
    const row = [
      'tokenkeeper `oauth2()` vs oidc-provider',
      'expired (SDK and provider)',
      mmm(
        s((r) => r.refreshGrants),
        0,
      ),
      mmm(
        s((r) => r.ok),
        0,
      ),
      mmm(
        s((r) => r.invalidGrant),
        0,
      ),
      mmm(
        s((r) => r.userinfo),
        0,
      ),
      mmm(
        s((r) => r.p50),
        1,
      ),
      mmm(
        s((r) => r.p99),
        1,
      ),
      mmm(
        s((r) => r.p50 - r.refreshRtt),
        1,
      ),
      mmm(
        s((r) => r.p99 - r.refreshRtt),
        1,
      ),
    ]
    sections.push(
      `**M = ${m}**\n\n` +
        table(
          [
            'client',
            'token state',
            'refresh grants (goal 1)',
            `succeeded (goal ${m})`,
            'invalid_grant (goal 0)',
            'userinfo requests',
            'latency p50 ms',
            'latency p99 ms',
            'added p50 ms',
            'added p99 ms',
          ],
          [row],
          ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
        ),
    )
    const maxGrants = Math.max(...runs.map((r) => r.refreshGrants))
    const minOk = Math.min(...runs.map((r) => r.ok))
    const invalid = runs.reduce((sum, r) => sum + r.invalidGrant, 0)
    goals.push({
      name: `storm M=${m} oauth2() vs oidc-provider: refresh grants = 1, succeeded = ${m}, no invalid_grant`,
      met: maxGrants === 1 && minOk === m && invalid === 0,
      value: `max ${maxGrants} refresh grants, min ${minOk}/${m} succeeded, ${invalid} invalid_grant`,
    })
  }
  const rtts = [...results.values()].flat().map((r) => r.refreshRtt)
  const body = [
    `The storm of section 1 through the \`oauth2()\` preset (found by discovery from \`issuer\`) against panva's oidc-provider: test/servers/oidc.mjs, in the bench's own process (client and provider share a core), in-memory, refresh-token rotation on, \`clockTolerance\` 0, access tokens of ${ACCESS_TTL} s. ` +
      `Each cell: median (min–max) over ${REPS} runs; every run has its own manager, signed in afresh (authorization code + PKCE from Node, test/servers/oidc-flow.mjs, then \`setSession()\` with the snake_case reply) and warmed with M concurrent requests and a valid token; once the access tokens of all runs of one M have expired (by the SDK's clock, and so at the provider: same clock, no tolerance), each run in turn fires M \`tm.fetch\` calls to the provider's userinfo endpoint at once. ` +
      `"refresh grants" and "invalid_grant" are the provider's own count (its \`grant.success\` / \`grant.error\` events), "userinfo requests" what it answered. "added" subtracts one lone refresh grant round trip (bare fetch) measured in the same run (median ${fmt(median(rtts), 1)} ms, range ${fmt(Math.min(...rtts), 1)}–${fmt(Math.max(...rtts), 1)}).`,
    ...sections,
    goals.map((g) => `- ${goal(g.met)} ${g.name}: ${g.value}`).join('\n'),
  ].join('\n\n')
  await emit({
    id: 'storm-oauth2',
    title: '1b. Refresh storm through `oauth2()` against oidc-provider',
    body,
    goals,
    seconds: (performance.now() - started) / 1000,
  })
}

await main()

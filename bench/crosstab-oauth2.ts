// The on-demand rotations of bench/crosstab.ts through the oauth2() preset against panva's
// oidc-provider: N managers (tabs) sharing Node's BroadcastChannel and an in-process Web Locks
// manager. Body mode: only the tab holding the refresh token can refresh; the others ask it over
// the channel. Counts the refresh grants the provider saw per rotation, and invalid_grant.
import { createLockManager } from '../test/helpers/locks'
import type { TokenManager } from '../src/index'
import { emit, log, QUICK, sleep } from './lib/env'
import { fixed, goal, mmm, table, type BenchResult } from './lib/md'
import { grantsSince, oauthManager, type OidcServer, signIn, startProvider, untilLapsed, userinfoSince } from './lib/oidc'
import { summarize } from './lib/stats'

const TAB_COUNTS = QUICK ? [2, 5] : [2, 5, 10]
const ROTATIONS = QUICK ? 2 : 5
/** Seconds; 1–2 s at the provider (a floored `iat`), 2 s for the SDK: see bench/storm-oauth2.ts. */
const ACCESS_TTL = 2

async function until(check: () => boolean, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(2)
  }
}

interface Rotations {
  perRotation: number[]
  rotationMs: number[]
  invalidGrant: number
  requests: number
  ok: number
  userinfo: number
}

async function rotations(server: OidcServer, n: number): Promise<Rotations> {
  const locks = createLockManager()
  const channel = `bench-oauth2-${process.pid}-${n}`
  const tabs: TokenManager[] = Array.from({ length: n }, () => oauthManager(server, { locks: locks.managerFor(), crossTab: { channel } }))
  // The first tab adopts the code exchange's reply (and so holds the refresh token); the others learn the access token over the channel.
  tabs[0]!.setSession(await signIn(server))
  await until(() => tabs.every((tm) => tm.getSnapshot().status === 'active'), 5000, 'tabs to adopt the sign-in')
  const grantsFrom = server.log.grants.length
  const requestsFrom = server.log.requests.length
  const perRotation: number[] = []
  const rotationMs: number[] = []
  let requests = 0
  let ok = 0
  for (let r = 0; r < ROTATIONS; r++) {
    await untilLapsed(tabs)
    const before = server.log.grants.length
    const t0 = performance.now()
    const statuses = await Promise.all(
      tabs.flatMap((tm) =>
        [0, 1].map(() =>
          tm.fetch(server.userinfo_endpoint).then(
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
    ok += statuses.filter((status) => status === 200).length
    perRotation.push(grantsSince(server, before).refreshGrants)
  }
  const { invalidGrant } = grantsSince(server, grantsFrom)
  const userinfo = userinfoSince(server, requestsFrom)
  for (const tm of tabs) tm.destroy()
  return { perRotation, rotationMs, invalidGrant, requests, ok, userinfo }
}

async function main() {
  const started = performance.now()
  const server = await startProvider(ACCESS_TTL)
  const rows: (string | number)[][] = []
  const goals: BenchResult['goals'] = []
  for (const n of TAB_COUNTS) {
    const run = await rotations(server, n)
    log(`crosstab-oauth2: N=${n} done (${((performance.now() - started) / 1000).toFixed(1)} s)`)
    const perRotation = run.perRotation.reduce((a, b) => a + b, 0) / run.perRotation.length
    rows.push([
      n,
      fixed(perRotation, 2),
      mmm(summarize(run.perRotation), 0),
      `${run.ok}/${run.requests}`,
      run.userinfo,
      run.invalidGrant,
      mmm(summarize(run.rotationMs), 0),
    ])
    goals.push({
      name: `Node tabs N=${n} oauth2() vs oidc-provider: 1.0 refresh grant per rotation, no invalid_grant`,
      met: perRotation === 1 && run.invalidGrant === 0 && run.ok === run.requests,
      value: `${fixed(perRotation, 2)} per rotation (${run.perRotation.join(', ')}), ${run.invalidGrant} invalid_grant, ${run.ok}/${run.requests} calls OK`,
    })
  }
  await server.close()
  const body = [
    `The on-demand rotations of section 2a through the \`oauth2()\` preset (found by discovery from \`issuer\`) against panva's oidc-provider (test/servers/oidc.mjs, in the bench's own process, in-memory, refresh-token rotation on, \`clockTolerance\` 0, access tokens of ${ACCESS_TTL} s). ` +
      `N managers share one in-process Web Locks manager (test/helpers/locks.ts) and the SDK's default channel (Node's native \`BroadcastChannel\`), with real timers; idle tracking on and no activity, so no proactive refresh. ` +
      `The first tab starts the session with \`setSession()\` and the reply of a code + PKCE exchange (test/servers/oidc-flow.mjs), so it alone holds the refresh token (body mode, memory only); the other tabs adopt the access token over the channel and, when it lapses, ask that tab to refresh. ` +
      `${ROTATIONS} rotations: wait until the access token has expired, then every tab makes two \`tm.fetch\` calls to the provider's userinfo endpoint at once; "refresh grants" and "invalid_grant" are the provider's own count, "rotation ms" the time until all 2N calls have answered.`,
    table(
      [
        'tabs N',
        'refresh grants per rotation (goal 1.0)',
        'per rotation, median (min–max)',
        'API calls OK',
        'userinfo requests',
        'invalid_grant (goal 0)',
        'rotation ms, median (min–max)',
      ],
      rows,
    ),
    goals.map((g) => `- ${goal(g.met)} ${g.name}: ${g.value}`).join('\n'),
  ].join('\n\n')
  await emit({
    id: 'crosstab-oauth2',
    title: '2c. Cross-tab rotations through `oauth2()` against oidc-provider (Node, N managers)',
    body,
    goals,
    seconds: (performance.now() - started) / 1000,
  })
}

await main()

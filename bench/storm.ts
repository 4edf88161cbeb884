// Refresh storm: M concurrent requests while the access token has expired, against a real
// loopback HTTP server (bench/server.ts, its own process) that rotates refresh tokens and
// revokes the family on reuse. tokenkeeper beside a hand-written naive interceptor and
// axios + axios-auth-refresh.
import axios from 'axios'
import createAuthRefreshInterceptor from 'axios-auth-refresh'
import { TokenManager } from '../src/index'
import { attachTokenManager } from '../src/axios'
import { emit, log, QUICK } from './lib/env'
import { fmt, goal, mmm, table, type BenchResult } from './lib/md'
import { login, startServerProcess, type LoginReply } from './lib/remote'
import { median, percentile, seeded, shuffle, summarize } from './lib/stats'

const SIZES = QUICK ? [1, 10, 100] : [1, 10, 100, 1000]
const REPS = QUICK ? 2 : 5
const REFRESH_DELAY = 10
const LIFETIME = 900

interface Client {
  get(url: string): Promise<boolean>
  /** Makes the client's token expired as it sees it (only tokenkeeper tracks expiry). */
  expireLocally?(): void
  destroy(): void
}

interface Contender {
  name: string
  /** Whether the client knows the token expired (local clock) or learns it from a 401. */
  mode: 'expired locally' | '401 from the server'
  create(origin: string, tokens: LoginReply): Client
}

const contenders: Contender[] = [
  {
    name: 'tokenkeeper `tm.fetch`',
    mode: 'expired locally',
    create(origin, tokens) {
      let offset = 0
      const tm = new TokenManager({
        baseUrl: origin,
        refreshTokenTransport: 'body',
        crossTab: false,
        clock: { now: () => Date.now() + offset, setTimeout: (cb, ms) => setTimeout(cb, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
      })
      tm.setSession(tokens)
      return {
        get: async (url) => {
          const response = await tm.fetch(url)
          await response.arrayBuffer()
          return response.status === 200
        },
        expireLocally: () => {
          offset = (LIFETIME + 1) * 1000
        },
        destroy: () => tm.destroy(),
      }
    },
  },
  {
    name: 'tokenkeeper `tm.fetch`',
    mode: '401 from the server',
    create(origin, tokens) {
      const tm = new TokenManager({ baseUrl: origin, refreshTokenTransport: 'body', crossTab: false })
      tm.setSession(tokens)
      return {
        get: async (url) => {
          const response = await tm.fetch(url)
          await response.arrayBuffer()
          return response.status === 200
        },
        destroy: () => tm.destroy(),
      }
    },
  },
  {
    // What people write by hand: refresh on every 401, replay once. No single flight.
    name: 'naive interceptor',
    mode: '401 from the server',
    create(origin, tokens) {
      const store = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }
      const authFetch = async (url: string): Promise<Response> => {
        const response = await fetch(url, { headers: { authorization: `Bearer ${store.accessToken}` } })
        if (response.status !== 401) return response
        await response.arrayBuffer()
        const refreshed = await fetch(`${origin}/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: store.refreshToken }),
        })
        if (refreshed.ok) {
          const body = (await refreshed.json()) as LoginReply
          store.accessToken = body.accessToken
          store.refreshToken = body.refreshToken
        } else {
          await refreshed.arrayBuffer()
        }
        return fetch(url, { headers: { authorization: `Bearer ${store.accessToken}` } })
      }
      return {
        get: async (url) => {
          const response = await authFetch(url)
          await response.arrayBuffer()
          return response.status === 200
        },
        destroy: () => undefined,
      }
    },
  },
  {
    // tokenkeeper/axios on a plain instance: the manager's flow, axios's fetch adapter.
    name: 'axios + tokenkeeper/axios',
    mode: '401 from the server',
    create(origin, tokens) {
      const tm = new TokenManager({ baseUrl: origin, refreshTokenTransport: 'body', crossTab: false })
      tm.setSession(tokens)
      const api = axios.create({ adapter: 'fetch' })
      attachTokenManager(api, tm)
      return {
        get: async (url) => {
          try {
            return (await api.get(url)).status === 200
          } catch {
            return false
          }
        },
        destroy: () => tm.destroy(),
      }
    },
  },
  axiosContender('axios + axios-auth-refresh', true),
  axiosContender('axios + axios-auth-refresh, `deduplicateRefresh: false`', false),
]

/**
 * The axios-auth-refresh README set-up: a request interceptor adds the current token, the
 * refresh logic stores the new pair and patches the failed request. `deduplicateRefresh` is
 * the library's default (true) or turned off.
 */
function axiosContender(name: string, deduplicateRefresh: boolean): Contender {
  return {
    name,
    mode: '401 from the server',
    create(origin, tokens) {
      const store = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }
      const api = axios.create({ adapter: 'fetch' })
      api.interceptors.request.use((config) => {
        config.headers.Authorization = `Bearer ${store.accessToken}`
        return config
      })
      createAuthRefreshInterceptor(
        api,
        async (failed: { response: { config: { headers: Record<string, string> } } }) => {
          const { data } = await axios.post<LoginReply>(`${origin}/auth/refresh`, { refreshToken: store.refreshToken }, { adapter: 'fetch' })
          store.accessToken = data.accessToken
          store.refreshToken = data.refreshToken
          failed.response.config.headers.Authorization = `Bearer ${data.accessToken}`
        },
        { deduplicateRefresh },
      )
      return {
        get: async (url) => {
          try {
            const response = await api.get(url)
            return response.status === 200
          } catch {
            return false
          }
        },
        destroy: () => undefined,
      }
    },
  }
}

interface Run {
  refreshCalls: number
  ok: number
  reuse: number
  apiCalls: number
  p50: number
  p99: number
  /** The same run's lone refresh round trip, ms. */
  refreshRtt: number
}

async function main() {
  const started = performance.now()
  const server = await startServerProcess({ accessTokenLifetime: LIFETIME, refreshDelay: REFRESH_DELAY })
  const api = `${server.origin}/api/data`
  const random = seeded(6)

  /** One refresh round trip alone (bare fetch, body transport, rotation): the yardstick. */
  async function refreshRoundTrip(): Promise<number> {
    const tokens = await login(server.origin)
    let refreshToken = tokens.refreshToken
    const samples: number[] = []
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now()
      const response = await fetch(`${server.origin}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      })
      refreshToken = ((await response.json()) as LoginReply).refreshToken
      samples.push(performance.now() - t0)
    }
    return median(samples)
  }

  async function storm(contender: Contender, m: number, refreshRtt: number): Promise<Run> {
    const tokens = await login(server.origin)
    const client = contender.create(server.origin, tokens)
    // Warm this client's path with a valid token: JIT, and a connection pool sized for M.
    await Promise.all(Array.from({ length: m }, () => client.get(api)))
    for (let i = 0; i < 3; i++) await client.get(api)
    await server.expireAccessTokens()
    client.expireLocally?.()
    await server.resetCounters()
    const latencies: number[] = []
    let ok = 0
    const t0 = performance.now()
    await Promise.all(
      Array.from({ length: m }, () =>
        client.get(api).then(
          (success) => {
            latencies.push(performance.now() - t0)
            if (success) ok++
          },
          () => latencies.push(performance.now() - t0),
        ),
      ),
    )
    const counters = await server.counters()
    client.destroy()
    return {
      refreshCalls: counters.refreshCalls,
      ok,
      reuse: counters.reuseDetections,
      apiCalls: counters.apiCalls,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      refreshRtt,
    }
  }

  const results = new Map<string, Run[]>()
  const key = (c: Contender, m: number) => `${c.name}|${c.mode}|${m}`
  // Warm-up: one small storm per contender (not recorded).
  for (const c of contenders) await storm(c, 10, 1)
  for (const m of SIZES) {
    for (let rep = 0; rep < REPS; rep++) {
      await server.reset()
      const rtt = await refreshRoundTrip()
      // Interleaved, in a different order each repetition.
      for (const c of shuffle(contenders, random)) {
        const run = await storm(c, m, rtt)
        const list = results.get(key(c, m)) ?? []
        list.push(run)
        results.set(key(c, m), list)
      }
    }
    log(`storm: M=${m} done (${((performance.now() - started) / 1000).toFixed(1)} s)`)
  }
  await server.stop()

  const goals: BenchResult['goals'] = []
  const sections: string[] = []
  const rtts = [...results.values()].flat().map((r) => r.refreshRtt)
  for (const m of SIZES) {
    const rows = contenders.map((c) => {
      const runs = results.get(key(c, m))!
      const s = (f: (r: Run) => number) => summarize(runs.map(f))
      return [
        c.name,
        c.mode,
        mmm(
          s((r) => r.refreshCalls),
          0,
        ),
        mmm(
          s((r) => r.ok),
          0,
        ),
        mmm(
          s((r) => r.reuse),
          0,
        ),
        mmm(
          s((r) => r.apiCalls),
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
    })
    sections.push(
      `**M = ${m}**\n\n` +
        table(
          [
            'client',
            'token state',
            'refresh calls (goal 1)',
            `succeeded (goal ${m})`,
            'reuse revocations',
            'API requests',
            'latency p50 ms',
            'latency p99 ms',
            'added p50 ms',
            'added p99 ms',
          ],
          rows,
          ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
        ),
    )
    for (const c of contenders.filter((c) => c.name.includes('tokenkeeper'))) {
      const runs = results.get(key(c, m))!
      const maxCalls = Math.max(...runs.map((r) => r.refreshCalls))
      const minOk = Math.min(...runs.map((r) => r.ok))
      goals.push({
        name: `storm M=${m} ${c.name.startsWith('axios') ? 'axios + tokenkeeper/axios, ' : ''}${c.mode}: refresh calls = 1, succeeded = ${m}`,
        met: maxCalls === 1 && minOk === m,
        value: `max ${maxCalls} refresh calls, min ${minOk}/${m} succeeded`,
      })
    }
  }

  const body = [
    `Each cell: median (min–max) over ${REPS} runs; every run logs in afresh, warms the client with M concurrent requests and a valid token (so the connection pool is already open), then expires the access token and fires M requests at once (\`Promise.all\`). ` +
      `The server (bench/server.ts, its own process, 127.0.0.1) rotates the refresh token on every use and revokes the whole family when a rotated token comes back (no grace window); its refresh endpoint takes ${REFRESH_DELAY} ms (a database round trip). ` +
      `All clients use Node's fetch (undici) and the refresh token in the body, so the transport is identical. ` +
      `"expired locally" = the SDK's clock says the token has expired (a laptop waking up): it refreshes before sending. "401 from the server" = the token was revoked server-side while the client still trusts it: every request gets a 401 first. ` +
      `Latency is from the start of the storm to each request's completion, failed requests included (a request rejected early can make \"added\" negative); "added" subtracts one lone refresh round trip measured in the same run (median ${fmt(median(rtts), 1)} ms, range ${fmt(Math.min(...rtts), 1)}–${fmt(Math.max(...rtts), 1)}).`,
    ...sections,
    goals.map((g) => `- ${goal(g.met)} ${g.name}: ${g.value}`).join('\n'),
  ].join('\n\n')

  await emit({ id: 'storm', title: '1. Refresh storm', body, goals, seconds: (performance.now() - started) / 1000 })
}

await main()

// Memory: heap after 10 000 refresh cycles and after 1 000 create/destroy cycles (node
// --expose-gc), and every timer, listener, channel and lock released by destroy(), counted
// through an injected clock and environment.
import { createLockManager } from '../test/helpers/locks'
import { TokenManager, type ChannelFactory, type Clock } from '../src/index'
import { defaultChannelFactory } from '../src/tabs/protocol'
import { emit, log, QUICK } from './lib/env'
import { fixed, fmt, goal, table, type BenchResult } from './lib/md'
import { slope } from './lib/stats'
import { countingEnvironment, settle, stubAuthFetch } from './lib/virtual'

/** The SDK's default (native BroadcastChannel) factory, counting the channels left open. */
let openChannels = 0
const countingChannels: ChannelFactory = (name) => {
  const channel = defaultChannelFactory()!(name)
  openChannels++
  let open = true
  return {
    ...channel,
    close: () => {
      if (open) openChannels--
      open = false
      return channel.close()
    },
  }
}

const REFRESH_CYCLES = QUICK ? 2000 : 10_000
const LIFECYCLES = QUICK ? 200 : 1000

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc (bench/run.mjs does)')

/** heapUsed after full GCs, letting FinalizationRegistry/WeakRef clean-ups run in between. */
async function heap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc!()
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return process.memoryUsage().heapUsed
}

/** Real timers, counted: how many are still pending right now. */
function countingClock() {
  const live = new Set<unknown>()
  let scheduled = 0
  const clock: Clock = {
    now: () => Date.now(),
    setTimeout(callback, ms) {
      scheduled++
      const handle: NodeJS.Timeout = setTimeout(() => {
        live.delete(handle)
        callback()
      }, ms)
      live.add(handle)
      return handle
    },
    clearTimeout(handle) {
      live.delete(handle)
      clearTimeout(handle as NodeJS.Timeout)
    },
  }
  return {
    clock,
    get pending() {
      return live.size
    },
    get scheduled() {
      return scheduled
    },
  }
}

interface Series {
  xs: number[]
  ys: number[]
}

function describe(series: Series, cycles: number) {
  if (process.env.BENCH_DEBUG) log(series.ys.map((y) => Math.round(y / 1024)).join(' '))
  const perCycle = slope(series.xs, series.ys)
  const first = series.ys[0]!
  const last = series.ys[series.ys.length - 1]!
  return { perCycle, growth: last - first, projected: perCycle * cycles, first, last }
}

async function refreshCycles(): Promise<ReturnType<typeof describe> & { seconds: number }> {
  const stub = stubAuthFetch({ now: () => Date.now() }, 900, { recordTimes: false })
  // Cross-tab off here: since the refresh lock lingers 100 ms after each refresh (src/lock.ts),
  // back-to-back refreshes in one tab take ~200 ms each with cross-tab on (see BENCHMARKS.md),
  // which would make 10 000 cycles last half an hour. Channels and locks are covered by the
  // create/destroy run.
  const tm = new TokenManager({ baseUrl: 'https://app.example', fetch: stub.fetch, crossTab: false, idleTimeout: 15 * 60_000 })
  await tm.start()
  const series: Series = { xs: [], ys: [] }
  const warmup = Math.floor(REFRESH_CYCLES / 5)
  const t0 = performance.now()
  for (let i = 1; i <= REFRESH_CYCLES + warmup; i++) {
    await tm.refresh()
    if (i > warmup && (i - warmup) % (REFRESH_CYCLES / 20) === 0) {
      series.xs.push(i - warmup)
      series.ys.push(await heap())
    }
  }
  const seconds = (performance.now() - t0) / 1000
  if (stub.calls.refresh !== REFRESH_CYCLES + warmup + 1) throw new Error(`expected ${REFRESH_CYCLES + warmup + 1} refresh calls, saw ${stub.calls.refresh}`)
  tm.destroy()
  return { ...describe(series, REFRESH_CYCLES), seconds }
}

interface Leftovers {
  timers: number
  listeners: number
  channels: number
  locks: number
  afterDestroyMax: { timers: number; listeners: number; channels: number; locks: number }
  beforeDestroy: { timers: number; listeners: number; channels: number }
}

async function lifecycles(): Promise<ReturnType<typeof describe> & { seconds: number; left: Leftovers }> {
  const locks = createLockManager()
  const series: Series = { xs: [], ys: [] }
  const afterDestroyMax = { timers: 0, listeners: 0, channels: 0, locks: 0 }
  const beforeDestroy = { timers: 0, listeners: 0, channels: 0 }
  const clocks: ReturnType<typeof countingClock>[] = []
  const envs: ReturnType<typeof countingEnvironment>[] = []
  // Heap keeps rising for the first few hundred managers (JIT, inline caches) and then
  // levels off: warm up with as many cycles as are measured.
  const warmup = LIFECYCLES
  const t0 = performance.now()
  for (let i = 1; i <= LIFECYCLES + warmup; i++) {
    const counting = countingClock()
    const env = countingEnvironment()
    const stub = stubAuthFetch(counting.clock, 900, { recordTimes: false })
    const tm = new TokenManager({
      baseUrl: 'https://app.example',
      fetch: stub.fetch,
      clock: counting.clock,
      environment: env.environment,
      locks: locks.managerFor(),
      channelFactory: countingChannels,
      idleTimeout: 15 * 60_000,
      maxSessionAge: 8 * 3_600_000,
    })
    const handlers = [tm.on('change', () => undefined), tm.subscribe(() => undefined)]
    await tm.start()
    const response = await tm.fetch('https://app.example/api/data')
    await response.text()
    env.fireActivity()
    tm.touch()
    beforeDestroy.timers = Math.max(beforeDestroy.timers, counting.pending)
    beforeDestroy.listeners = Math.max(beforeDestroy.listeners, env.domListeners)
    beforeDestroy.channels = Math.max(beforeDestroy.channels, openChannels)
    tm.destroy()
    void handlers
    await settle(2)
    afterDestroyMax.timers = Math.max(afterDestroyMax.timers, counting.pending)
    afterDestroyMax.listeners = Math.max(afterDestroyMax.listeners, env.live)
    afterDestroyMax.channels = Math.max(afterDestroyMax.channels, openChannels)
    afterDestroyMax.locks = Math.max(afterDestroyMax.locks, locks.isHeld(`tokenkeeper:refresh`) ? 1 : 0)
    if (i <= 5) {
      clocks.push(counting)
      envs.push(env)
    }
    if (i > warmup && (i - warmup) % (LIFECYCLES / 20) === 0) {
      series.xs.push(i - warmup)
      series.ys.push(await heap())
    }
  }
  const seconds = (performance.now() - t0) / 1000
  await settle(4)
  const left: Leftovers = {
    timers: clocks.reduce((a, c) => a + c.pending, 0),
    listeners: envs.reduce((a, e) => a + e.live, 0),
    channels: openChannels,
    locks: locks.isHeld('tokenkeeper:refresh') ? 1 : 0,
    afterDestroyMax,
    beforeDestroy,
  }
  return { ...describe(series, LIFECYCLES), seconds, left }
}

const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`

/**
 * Diagnosis only: the same refresh run with \`AbortSignal.any\` replaced by a stand-in that
 * retains nothing (it returns ky's own per-request signal, dropping the SDK's long-lived
 * \`refreshAbort\` signal; no abort happens in this run). If the slope vanishes, the growth is
 * Node's AbortSignal.any keeping every composite signal registered on the long-lived one.
 */
async function refreshCyclesWithoutAny(): Promise<ReturnType<typeof describe> & { seconds: number }> {
  const original = AbortSignal.any
  ;(AbortSignal as { any: (signals: AbortSignal[]) => AbortSignal }).any = (signals) => signals[signals.length - 1]!
  try {
    return await refreshCycles()
  } finally {
    ;(AbortSignal as { any: typeof original }).any = original
  }
}

async function main() {
  const started = performance.now()
  await heap()
  const refresh = await refreshCycles()
  log(`memory: ${REFRESH_CYCLES} refresh cycles in ${refresh.seconds.toFixed(1)} s`)
  const life = await lifecycles()
  log(`memory: ${LIFECYCLES} create/destroy cycles in ${life.seconds.toFixed(1)} s`)
  const diag = await refreshCyclesWithoutAny()
  log(`memory: diagnosis run in ${diag.seconds.toFixed(1)} s`)
  // "Flat": what the slope would add over the whole run is under 256 KB (heapUsed after a
  // full GC wobbles by tens of KB between samples).
  const FLAT = 256 * 1024
  const goals: BenchResult['goals'] = [
    {
      name: `heap flat over ${fmt(REFRESH_CYCLES, 0)} refresh cycles`,
      met: Math.abs(refresh.projected) < FLAT,
      value: `${fixed(refresh.perCycle, 1)} B/cycle (${kb(refresh.projected)} over the run)`,
    },
    {
      name: `heap flat over ${fmt(LIFECYCLES, 0)} create/destroy cycles`,
      met: Math.abs(life.projected) < FLAT,
      value: `${fixed(life.perCycle, 1)} B/cycle (${kb(life.projected)} over the run)`,
    },
    {
      name: 'timers, listeners, channels and locks back to zero after destroy()',
      met:
        life.left.afterDestroyMax.timers === 0 &&
        life.left.afterDestroyMax.listeners === 0 &&
        life.left.afterDestroyMax.channels === 0 &&
        life.left.afterDestroyMax.locks === 0,
      value: `worst cycle after destroy(): ${life.left.afterDestroyMax.timers} timers, ${life.left.afterDestroyMax.listeners} listeners, ${life.left.afterDestroyMax.channels} channels, ${life.left.afterDestroyMax.locks} locks`,
    },
  ]
  const body = [
    `\`node --expose-gc\`; heap = \`process.memoryUsage().heapUsed\` after two forced GCs, sampled 20 times over each run after a warm-up (20 % of the refresh cycles; as many create/destroy cycles as measured, since the heap climbs for the first few hundred managers — JIT and inline caches — then levels off); the slope is a least-squares fit (bytes per cycle). "Flat" = the slope adds less than 256 KB over the run.`,
    `**Refresh cycles**: one manager (cookie mode, cross-tab off — with it on, the refresh lock's 100 ms linger makes back-to-back forced refreshes in one tab take ~200 ms each — idle timeout 15 min) and an in-process fetch; \`await tm.refresh()\` ${fmt(REFRESH_CYCLES, 0)} times (each one goes through ky, rotates, re-arms the timer and emits events). ` +
      `**Create/destroy cycles**: ${fmt(LIFECYCLES, 0)} times: \`new TokenManager\` (injected counting clock on real timers, injected counting environment, idle timeout 15 min, max session age 8 h, a \`change\` handler and a \`subscribe\` listener), \`start()\` (signs in with one refresh), one \`tm.fetch\`, activity, \`touch()\`, \`destroy()\`; then count what is left.`,
    table(
      ['run', 'cycles', 'seconds', 'heap first sample', 'heap last sample', 'slope B/cycle', 'projected over the run'],
      [
        ['refresh', fmt(REFRESH_CYCLES, 0), fixed(refresh.seconds, 1), kb(refresh.first), kb(refresh.last), fixed(refresh.perCycle, 1), kb(refresh.projected)],
        ['create/destroy', fmt(LIFECYCLES, 0), fixed(life.seconds, 1), kb(life.first), kb(life.last), fixed(life.perCycle, 1), kb(life.projected)],
        [
          'refresh, `AbortSignal.any` stubbed (diagnosis)',
          fmt(REFRESH_CYCLES, 0),
          fixed(diag.seconds, 1),
          kb(diag.first),
          kb(diag.last),
          fixed(diag.perCycle, 1),
          kb(diag.projected),
        ],
      ],
    ),
    table(
      ['resource', 'live before destroy() (max)', 'left after destroy() (worst cycle)', 'left at the end'],
      [
        ['timers on the injected clock', life.left.beforeDestroy.timers, life.left.afterDestroyMax.timers, life.left.timers],
        [
          'environment listeners (DOM listeners they stand for)',
          life.left.beforeDestroy.listeners + ' DOM',
          life.left.afterDestroyMax.listeners,
          life.left.listeners,
        ],
        ['open BroadcastChannels', life.left.beforeDestroy.channels, life.left.afterDestroyMax.channels, life.left.channels],
        ['held refresh lock', '—', life.left.afterDestroyMax.locks, life.left.locks],
      ],
    ),
    `The diagnosis row repeats the refresh run with \`AbortSignal.any\` replaced by a stand-in that keeps nothing (it returns ky's own per-request signal). ky combines the caller's signal with its own through \`AbortSignal.any([signal, internal])\` on every request, and the SDK passes the same long-lived \`refreshAbort.signal\` to every refresh; Node ${process.version} keeps each composite registered on that long-lived signal. The difference between the two refresh rows is that cost.`,
    goals.map((g) => `- ${goal(g.met)} ${g.name}: ${g.value}`).join('\n'),
  ].join('\n\n')
  await emit({ id: 'memory', title: '6. Memory', body, goals, seconds: (performance.now() - started) / 1000 })
}

await main()

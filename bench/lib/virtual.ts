import type { BrowserEnvironment, Clock } from '../../src/index'

/**
 * A virtual clock for simulated hours: timers fire in order as time is advanced, and every
 * call is counted. Between fires the real event loop runs a few turns so the SDK's promises
 * (fetch stubs, ky) settle, as they would within a real timer tick.
 */
export class VirtualClock implements Clock {
  private t: number
  private seq = 0
  private readonly timers = new Map<number, { at: number; order: number; callback: () => void }>()
  scheduled = 0
  fired = 0
  cleared = 0
  maxPending = 0
  readonly fireTimes: number[] = []

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start
  }

  now = (): number => this.t

  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = ++this.seq
    this.timers.set(id, { at: this.t + Math.max(0, ms), order: id, callback })
    this.scheduled++
    this.maxPending = Math.max(this.maxPending, this.timers.size)
    return id
  }

  clearTimeout = (handle: unknown): void => {
    if (this.timers.delete(handle as number)) this.cleared++
  }

  get pending(): number {
    return this.timers.size
  }

  async advance(ms: number): Promise<void> {
    const target = this.t + ms
    for (;;) {
      let next: [number, { at: number; order: number; callback: () => void }] | null = null
      for (const entry of this.timers) {
        if (entry[1].at > target) continue
        if (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[1].order < next[1].order)) next = entry
      }
      if (!next) break
      this.timers.delete(next[0])
      this.t = Math.max(this.t, next[1].at)
      this.fired++
      this.fireTimes.push(this.t)
      next[1].callback()
      await settle()
    }
    this.t = target
    await settle()
  }
}

/** Lets pending promise chains (and zero-delay real timers) run. */
export async function settle(turns = 8): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** An injected environment that counts subscriptions, live listeners and invocations. */
export function countingEnvironment() {
  const wake = new Set<(reason: 'visible' | 'focus' | 'online' | 'pageshow') => void>()
  const activity = new Set<() => void>()
  const stats = { subscriptions: 0, invocations: 0, activityEventsPerSubscription: 0 }
  const environment: BrowserEnvironment = {
    onWake(listener) {
      stats.subscriptions++
      wake.add(listener)
      return () => wake.delete(listener)
    },
    onActivity(events, listener) {
      stats.subscriptions++
      // A real page adds one DOM listener per event type plus visibilitychange.
      stats.activityEventsPerSubscription = events.length + 1
      activity.add(listener)
      return () => activity.delete(listener)
    },
  }
  return {
    environment,
    stats,
    get live(): number {
      return wake.size + activity.size
    },
    /** DOM listeners a real page would have attached right now. */
    get domListeners(): number {
      return wake.size * 4 + activity.size * stats.activityEventsPerSubscription
    },
    fireWake(reason: 'visible' | 'focus' | 'online' | 'pageshow') {
      for (const l of [...wake]) {
        stats.invocations++
        l(reason)
      }
    },
    fireActivity() {
      for (const l of [...activity]) {
        stats.invocations++
        l()
      }
    },
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A JWT-shaped token (the SDK decodes, never verifies). */
export function makeToken(nowMs: number, lifetimeS: number, n: number): string {
  const iat = Math.floor(nowMs / 1000)
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'bench', iat, exp: iat + lifetimeS, n })}.sig${n}`
}

/** An in-process auth server: refresh answers a fresh token on `clock`, logout 204; counts calls. */
export function stubAuthFetch(clock: { now(): number }, lifetimeS: number, options: { recordTimes?: boolean } = {}) {
  const calls = { refresh: 0, logout: 0, other: 0, refreshTimes: [] as number[] }
  let n = 0
  const stub: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const path = new URL(url).pathname
    void init
    if (path.endsWith('/refresh')) {
      calls.refresh++
      if (options.recordTimes !== false) calls.refreshTimes.push(clock.now())
      const body = JSON.stringify({ accessToken: makeToken(clock.now(), lifetimeS, ++n), expiresIn: lifetimeS, refreshToken: `rt${n}` })
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
    }
    if (path.endsWith('/logout')) {
      calls.logout++
      return new Response(null, { status: 204 })
    }
    calls.other++
    return new Response('{"ok":true}', { status: 200, headers: { 'content-type': 'application/json' } })
  }
  return { fetch: stub, calls }
}

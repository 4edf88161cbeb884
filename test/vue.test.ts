// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { computed, createApp, createSSRApp, defineComponent, effectScope, h, isReadonly, isRef, nextTick, reactive, watch } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { TokenManager, type SessionStatus } from '../src'
import { provideTokenManager, SERVER_SNAPSHOT, tokenKeeper, useSession, useSessionEvent, useTokenManager } from '../src/vue'
import { SERVER_SNAPSHOT as REACT_SERVER_SNAPSHOT } from '../src/react'
import { createBrowser, ORIGIN } from './helpers/browser'
import { makeJwt } from './helpers/jwt'

const ALICE = { username: 'alice', password: 'wonderland' }

function setup() {
  const browser = createBrowser()
  const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false })
  const counts = { subscribe: 0, unsubscribe: 0 }
  const subscribe = tm.subscribe.bind(tm)
  tm.subscribe = (listener) => {
    counts.subscribe++
    const off = subscribe(listener)
    return () => {
      counts.unsubscribe++
      off()
    }
  }
  const live = () => counts.subscribe - counts.unsubscribe
  return { tm, browser, counts, live }
}

describe('tokenkeeper/vue', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('useSession follows the snapshot in an effect scope and unsubscribes when the scope stops', async () => {
    const { tm, browser, live } = setup()
    const scope = effectScope()
    const session = scope.run(() => useSession(tm))!
    expect(live()).toBe(1)
    expect(session.value).toBe(tm.getSnapshot())
    expect(session.value.status).toBe('unknown')

    // Reactive: a computed and a watcher see sign-in, refresh and expiry.
    const statuses: SessionStatus[] = []
    const signedIn = scope.run(() => {
      watch(
        () => session.value.status,
        (status) => statuses.push(status),
        { flush: 'sync' },
      )
      return computed(() => session.value.status === 'active')
    })!
    await tm.login(ALICE)
    expect(signedIn.value).toBe(true)
    expect(session.value).toBe(tm.getSnapshot())
    const expiresAt = session.value.expiresAt!
    await vi.advanceTimersByTimeAsync(16_000)
    expect(session.value.expiresAt).toBeGreaterThan(expiresAt)
    browser.controls.revokeAll()
    await tm.refresh().catch(() => undefined)
    expect(session.value.status).toBe('expired')
    expect(signedIn.value).toBe(false)
    expect(statuses).toEqual(['active', 'refreshing', 'active', 'refreshing', 'expired'])

    scope.stop()
    expect(live()).toBe(0)
    // Stopped: later changes no longer reach the ref.
    await tm.login(ALICE)
    expect(tm.getSnapshot().status).toBe('active')
    expect(session.value.status).toBe('expired')
    tm.destroy()
  })

  it('returns a read-only shallow ref holding the manager snapshot itself', () => {
    const { tm } = setup()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const scope = effectScope()
    const session = scope.run(() => useSession(tm))!
    expect(isRef(session)).toBe(true)
    expect(isReadonly(session)).toBe(true)
    // Not a deep reactive copy: the very object getSnapshot() returns.
    expect(session.value).toBe(tm.getSnapshot())
    ;(session as unknown as { value: unknown }).value = null
    expect(session.value).toBe(tm.getSnapshot())
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('readonly'), expect.anything())
    scope.stop()
    tm.destroy()
  })

  it('in a component: renders the status, updates it, unsubscribes on unmount', async () => {
    const { tm, live } = setup()
    const Status = defineComponent({
      setup() {
        const session = useSession(tm)
        return () => h('output', session.value.status)
      },
    })
    const el = document.createElement('div')
    document.body.append(el)
    const app = createApp(Status)
    app.mount(el)
    expect(el.textContent).toBe('unknown')
    expect(live()).toBe(1)
    await tm.login(ALICE)
    await nextTick()
    expect(el.textContent).toBe('active')
    await tm.logout()
    await nextTick()
    expect(el.textContent).toBe('signedOut')
    app.unmount()
    expect(live()).toBe(0)
    el.remove()
    tm.destroy()
  })

  it('in a component: a change between setup and mount is not missed', async () => {
    const { tm, live } = setup()
    // The child's setup runs after the parent's and before the parent mounts.
    const SignsIn = defineComponent({
      setup() {
        const now = Math.floor(Date.now() / 1000)
        tm.setSession({ accessToken: makeJwt({ sub: 'alice', iat: now, exp: now + 300 }), expiresIn: 300 })
        return () => null
      },
    })
    const Parent = defineComponent({
      setup() {
        const session = useSession(tm)
        expect(live()).toBe(0) // subscribes on mount, not during setup
        return () => h('output', [session.value.status, h(SignsIn)])
      },
    })
    const el = document.createElement('div')
    const app = createApp(Parent)
    app.mount(el)
    await nextTick()
    expect(live()).toBe(1)
    expect(el.textContent).toBe('active')
    app.unmount()
    expect(live()).toBe(0)
    tm.destroy()
  })

  it('outside any scope it stays subscribed, without a Vue warning', async () => {
    const { tm, live } = setup()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const session = useSession(tm)
    expect(warn).not.toHaveBeenCalled()
    await tm.login(ALICE)
    expect(session.value.status).toBe('active')
    expect(live()).toBe(1)
    // Until destroy(), which drops every listener (the store's close(), test/session/store.test.ts).
    tm.destroy()
  })

  it('provide/inject: app.use(tokenKeeper(tm)) makes useSession(), useTokenManager() and useSessionEvent() find the manager', async () => {
    const { tm, live } = setup()
    const seen: string[] = []
    let injected: unknown
    const Child = defineComponent({
      setup() {
        const session = useSession()
        injected = useTokenManager()
        useSessionEvent('signedIn', () => seen.push('signedIn'))
        useSessionEvent('signedOut', ({ source }) => seen.push(`signedOut:${source}`))
        return () => h('output', session.value.status)
      },
    })
    const el = document.createElement('div')
    const app = createApp(Child).use(tokenKeeper(tm))
    app.mount(el)
    expect(injected).toBe(tm)
    await tm.login(ALICE)
    await nextTick()
    expect(el.textContent).toBe('active')
    await tm.logout()
    expect(seen).toEqual(['signedIn', 'signedOut:local'])
    app.unmount()
    // Every subscription (the snapshot and both event handlers) ended with the component.
    expect(live()).toBe(0)
    await tm.login(ALICE)
    expect(seen).toEqual(['signedIn', 'signedOut:local'])
    tm.destroy()
  })

  it('provideTokenManager(tm) in a parent provides it to the subtree only', () => {
    const { tm } = setup()
    let injected: unknown
    const Child = defineComponent({
      setup() {
        injected = useTokenManager()
        return () => null
      },
    })
    const Parent = defineComponent({
      setup() {
        provideTokenManager(tm)
        return () => h(Child)
      },
    })
    createApp(Parent).mount(document.createElement('div'))
    expect(injected).toBe(tm)
    tm.destroy()
  })

  it('without a provided manager, useTokenManager() throws an error that names the fix', () => {
    const errors: unknown[] = []
    const Orphan = defineComponent({
      setup() {
        useSession()
        return () => null
      },
    })
    const app = createApp(Orphan)
    app.config.errorHandler = (error) => void errors.push(error)
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    app.mount(document.createElement('div'))
    expect(String(errors[0])).toMatch(/app\.use\(tokenKeeper\(tm\)\)/)
    expect(() => useTokenManager()).toThrow(/provideTokenManager/)
  })

  it('useSessionEvent in an effect scope listens until scope.stop()', async () => {
    const { tm, browser } = setup()
    const reasons: string[] = []
    const scope = effectScope()
    scope.run(() => useSessionEvent('sessionExpired', ({ reason }) => reasons.push(reason), tm))
    await tm.login(ALICE)
    browser.controls.revokeAll()
    await tm.refresh().catch(() => undefined)
    expect(reasons).toEqual(['refresh_rejected'])
    scope.stop()
    await tm.login(ALICE)
    browser.controls.revokeAll()
    await tm.refresh().catch(() => undefined)
    expect(reasons).toEqual(['refresh_rejected'])
    tm.destroy()
  })

  it('useSession(selector, isEqual?) is a read-only ref of the slice that changes only with the slice, as in React', async () => {
    const { tm, live } = setup()
    const scope = effectScope()
    const { status, who, full } = scope.run(() => ({
      status: useSession((s) => s.status, undefined, tm),
      // A fresh object per call, kept while the custom equality says it is the same.
      who: useSession(
        (s) => ({ sub: s.claims?.sub ?? null }),
        (a, b) => a.sub === b.sub,
        tm,
      ),
      full: useSession(tm),
    }))!
    expect(isRef(status) && isReadonly(status)).toBe(true)
    expect(status.value).toBe('unknown')
    expect(live()).toBe(3)
    const changes = { status: 0, who: 0, full: 0 }
    scope.run(() => {
      watch(status, () => changes.status++, { flush: 'sync' })
      watch(who, () => changes.who++, { flush: 'sync' })
      watch(full, () => changes.full++, { flush: 'sync' })
    })
    await tm.login(ALICE)
    expect(status.value).toBe('active')
    expect(who.value).toEqual({ sub: 'alice' })
    const first = who.value
    const base = { ...changes }
    // A refresh makes new snapshots ('refreshing', then 'active' with a new expiry): the
    // snapshot ref changes, the subject does not, the status comes back.
    await tm.refresh()
    expect(changes.full).toBeGreaterThan(base.full)
    expect(changes.who).toBe(base.who)
    expect(who.value).toBe(first)
    expect(status.value).toBe('active')
    scope.stop()
    expect(live()).toBe(0)
    tm.destroy()
  })

  it('useSession(selector) in a component re-renders it only when the slice changes', async () => {
    const { tm } = setup()
    let renders = 0
    const Status = defineComponent({
      setup() {
        const status = useSession((s) => s.status === 'active' || s.status === 'refreshing')
        return () => (renders++, h('output', String(status.value)))
      },
    })
    const el = document.createElement('div')
    const app = createApp(Status).use(tokenKeeper(tm))
    app.mount(el)
    await tm.login(ALICE)
    await nextTick()
    expect(el.textContent).toBe('true')
    const afterLogin = renders
    await tm.refresh()
    await nextTick()
    expect(renders).toBe(afterLogin)
    await tm.logout()
    await nextTick()
    expect(el.textContent).toBe('false')
    app.unmount()
    tm.destroy()
  })

  it('hydrates from the server snapshot without a mismatch, then shows the client session (as React does)', async () => {
    const { tm } = setup()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const seen: string[] = []
    const Status = defineComponent({
      setup() {
        const session = useSession(tm)
        const status = useSession((s) => s.status, undefined, tm)
        return () => (seen.push(session.value.status), h('output', `${session.value.status}/${status.value}`))
      },
    })
    // The server has no session of this browser: unknown.
    const html = await renderToString(createSSRApp(Status))
    expect(html).toBe('<output>unknown/unknown</output>')
    // The client resolved its session before hydrating.
    await tm.login(ALICE)
    seen.length = 0
    const el = document.createElement('div')
    el.innerHTML = html
    const app = createSSRApp(Status)
    app.mount(el)
    expect(seen[0]).toBe('unknown')
    await nextTick()
    expect(el.textContent).toBe('active/active')
    expect([...warn.mock.calls, ...error.mock.calls].filter((args) => /mismatch/i.test(String(args[0])))).toEqual([])
    // A component mounted after hydration starts from the live snapshot at once.
    const later = createApp(Status)
    seen.length = 0
    later.mount(document.createElement('div'))
    expect(seen[0]).toBe('active')
    later.unmount()
    app.unmount()
    tm.destroy()
  })

  it("SERVER_SNAPSHOT is the same frozen object as tokenkeeper/react's", () => {
    expect(SERVER_SNAPSHOT).toBe(REACT_SERVER_SNAPSHOT)
    expect(Object.isFrozen(SERVER_SNAPSHOT)).toBe(true)
    expect(SERVER_SNAPSHOT.status).toBe('unknown')
  })

  // Apps keep the manager in reactive state (a Pinia store, `ref(tm)`): Vue then calls its
  // methods with a deep proxy as `this`, and every internal object read through it is proxied
  // too. ES `#private` fields throw behind such a proxy, so internal state stays plain properties.
  it('works behind a deep reactive proxy (ref(tm), a Pinia store): sign-in, refresh, authorized fetch, sign-out', async () => {
    const browser = createBrowser()
    const tm = reactive(new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, idleTimeout: 600_000 }))
    await tm.start()
    await tm.login(ALICE)
    expect(tm.getSnapshot().status).toBe('active')
    await vi.advanceTimersByTimeAsync(16_000)
    await tm.refresh()
    expect(browser.count('/auth/refresh')).toBeGreaterThan(0)
    const response = await tm.fetch(`${ORIGIN}/anything`)
    expect(browser.requests.at(-1)?.headers.get('authorization')).toMatch(/^Bearer /)
    expect(response.status).toBe(404)
    await tm.logout()
    expect(tm.getSnapshot().status).toBe('signedOut')
    tm.destroy()
  })
})

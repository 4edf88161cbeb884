// @vitest-environment happy-dom
import { act, cleanup, render, screen } from '@testing-library/react'
import { createElement as h, StrictMode, useState, type ReactNode } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TokenManager, type SessionSnapshot, type TokenManagerEvents, type TokenManagerOptions } from '../src'
import { SERVER_SNAPSHOT, TokenKeeperProvider, useSession, useSessionEvent, useTokenManager } from '../src/react'
import { createBrowser, ORIGIN } from './helpers/browser'

const ALICE = { username: 'alice', password: 'wonderland' }

/** A manager on the mock backend, with subscribe/on wrapped to count live subscriptions. */
function setup(options: Partial<TokenManagerOptions> = {}) {
  const browser = createBrowser()
  const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false, ...options })
  const counts = { subscribe: 0, unsubscribe: 0, on: 0, off: 0 }
  const subscribe = tm.subscribe.bind(tm)
  tm.subscribe = (listener) => {
    counts.subscribe++
    const off = subscribe(listener)
    return () => {
      counts.unsubscribe++
      off()
    }
  }
  const on = tm.on.bind(tm)
  tm.on = (type, handler) => {
    counts.on++
    const off = on(type, handler)
    return () => {
      counts.off++
      off()
    }
  }
  const live = () => ({ subscriptions: counts.subscribe - counts.unsubscribe, handlers: counts.on - counts.off })
  return { tm, browser, counts, live }
}

const wrap = (tm: TokenManager, children: ReactNode) => h(TokenKeeperProvider, { manager: tm }, children)

/** Renders the status and counts its renders. */
function makeStatus() {
  const seen: SessionSnapshot[] = []
  function Status() {
    const session = useSession()
    seen.push(session)
    return h('output', { 'data-testid': 'status' }, session.status)
  }
  return { Status, seen, renders: () => seen.length }
}

describe('tokenkeeper/react', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => {
    cleanup()
    vi.useRealTimers()
  })

  it('useSession re-renders on sign-in, refresh and expiry, and not on unrelated activity', async () => {
    const { tm, browser } = setup()
    const { Status, seen, renders } = makeStatus()
    render(wrap(tm, h(Status)))
    expect(screen.getByTestId('status').textContent).toBe('unknown')
    expect(seen.at(-1)).toBe(tm.getSnapshot())

    // Sign-in.
    await act(() => tm.login(ALICE))
    expect(screen.getByTestId('status').textContent).toBe('active')
    expect(seen.at(-1)).toBe(tm.getSnapshot())
    const afterLogin = renders()

    // Unrelated activity: API calls through the manager, token reads, touch() without idle
    // tracking, events that do not change the snapshot. No render.
    await act(async () => {
      for (let i = 0; i < 5; i++) expect((await tm.fetch(`${ORIGIN}/api/me`)).status).toBe(200)
      await tm.getAccessToken()
      tm.touch()
      await vi.advanceTimersByTimeAsync(5000)
    })
    expect(renders()).toBe(afterLogin)

    // Proactive refresh (30 s tokens refresh at half-life): a new expiry, rendered.
    const before = tm.getSnapshot().expiresAt!
    await act(() => vi.advanceTimersByTimeAsync(16_000))
    expect(browser.count('/auth/refresh')).toBe(1)
    expect(seen.at(-1)!.expiresAt).toBeGreaterThan(before)
    expect(seen.at(-1)!.status).toBe('active')
    const afterRefresh = renders()
    expect(afterRefresh).toBeGreaterThan(afterLogin)
    // 'refreshing' then 'active', at most: one render per snapshot.
    expect(afterRefresh - afterLogin).toBeLessThanOrEqual(2)

    // Forced refresh.
    await act(() => tm.refresh())
    expect(renders()).toBeGreaterThan(afterRefresh)
    const afterForced = renders()

    // Expiry: the server revokes the session; the next proactive refresh is rejected.
    browser.controls.revokeAll()
    await act(() => vi.advanceTimersByTimeAsync(16_000))
    expect(screen.getByTestId('status').textContent).toBe('expired')
    expect(renders()).toBeGreaterThan(afterForced)
    expect(seen.at(-1)).toBe(tm.getSnapshot())

    // Nothing more happens: no render.
    const final = renders()
    await act(() => vi.advanceTimersByTimeAsync(60_000))
    expect(renders()).toBe(final)
    tm.destroy()
  })

  it('useSession(selector) re-renders only when the selected slice changes', async () => {
    const { tm } = setup({ idleTimeout: 15 * 60_000 })
    let statusRenders = 0
    let fullRenders = 0
    let objectRenders = 0
    function StatusOnly() {
      statusRenders++
      return h(
        'i',
        null,
        useSession((s) => s.status),
      )
    }
    function Full() {
      fullRenders++
      return h('b', null, String(useSession().lastActivityAt))
    }
    // A selector returning a fresh object each time, with a custom equality: no render loop.
    function Subject() {
      objectRenders++
      const who = useSession(
        (s) => ({ sub: s.claims?.sub ?? null }),
        (a, b) => a.sub === b.sub,
      )
      return h('u', null, String(who.sub))
    }
    render(wrap(tm, [h(StatusOnly, { key: 1 }), h(Full, { key: 2 }), h(Subject, { key: 3 })]))
    await act(() => tm.login(ALICE))
    expect(screen.getByText('active')).toBeTruthy()
    expect(screen.getByText('alice')).toBeTruthy()
    const base = { statusRenders, fullRenders, objectRenders }

    // Activity moves lastActivityAt (idle tracking is on): only the full-snapshot reader renders.
    for (let i = 0; i < 3; i++) {
      await act(() => vi.advanceTimersByTimeAsync(1500))
      act(() => tm.touch())
    }
    expect(fullRenders).toBeGreaterThanOrEqual(base.fullRenders + 3)
    expect(statusRenders).toBe(base.statusRenders)
    expect(objectRenders).toBe(base.objectRenders)
    tm.destroy()
  })

  it('useSessionEvent calls the latest handler without re-subscribing on every render', async () => {
    const { tm, browser, live, counts } = setup()
    const received: [string, TokenManagerEvents['sessionExpired']][] = []
    function Listener({ label }: { label: string }) {
      useSessionEvent('sessionExpired', (event) => received.push([label, event]))
      return null
    }
    const view = render(wrap(tm, h(Listener, { label: 'first' })))
    expect(live().handlers).toBe(1)
    view.rerender(wrap(tm, h(Listener, { label: 'second' })))
    view.rerender(wrap(tm, h(Listener, { label: 'third' })))
    expect(counts.on).toBe(1)

    await act(() => tm.login(ALICE))
    browser.controls.revokeAll()
    await act(() => tm.refresh().catch(() => undefined))
    expect(received).toEqual([['third', { reason: 'refresh_rejected' }]])

    view.unmount()
    expect(live().handlers).toBe(0)
    tm.destroy()
  })

  it('Strict Mode double mounting leaves exactly one subscription per hook, and none after unmount', async () => {
    const { tm, live, counts } = setup()
    const events: string[] = []
    function App() {
      const session = useSession()
      useSession((s) => s.status)
      useSessionEvent('signedIn', () => events.push('signedIn'))
      return h('output', { 'data-testid': 'status' }, session.status)
    }
    const view = render(h(StrictMode, null, wrap(tm, h(App))))
    // Strict Mode mounts, unmounts and mounts again: the extra subscription was released.
    expect(counts.subscribe).toBeGreaterThanOrEqual(2)
    expect(live()).toEqual({ subscriptions: 2, handlers: 1 })

    // Re-renders (state changes) do not re-subscribe.
    const subscribed = counts.subscribe
    await act(() => tm.login(ALICE))
    await act(() => tm.refresh())
    expect(screen.getByTestId('status').textContent).toBe('active')
    expect(counts.subscribe).toBe(subscribed)
    // One handler: the event is seen once, not twice.
    expect(events).toEqual(['signedIn'])

    view.unmount()
    expect(live()).toEqual({ subscriptions: 0, handlers: 0 })
    tm.destroy()
  })

  it('switching the provider manager moves the subscriptions; the provider never creates or destroys one', async () => {
    const a = setup()
    const b = setup()
    const destroyA = vi.spyOn(a.tm, 'destroy')
    const seen: TokenManager[] = []
    function Probe() {
      seen.push(useTokenManager())
      useSessionEvent('signedIn', () => undefined)
      return h('output', { 'data-testid': 'status' }, useSession().status)
    }
    const view = render(wrap(a.tm, h(Probe)))
    await act(() => b.tm.login(ALICE))
    expect(screen.getByTestId('status').textContent).toBe('unknown')
    view.rerender(wrap(b.tm, h(Probe)))
    expect(screen.getByTestId('status').textContent).toBe('active')
    expect(a.live()).toEqual({ subscriptions: 0, handlers: 0 })
    expect(b.live()).toEqual({ subscriptions: 1, handlers: 1 })
    expect(new Set(seen)).toEqual(new Set([a.tm, b.tm]))
    view.unmount()
    expect(destroyA).not.toHaveBeenCalled()
    a.tm.destroy()
    b.tm.destroy()
  })

  it('the manager can be created once with useState inside a component', async () => {
    const created: TokenManager[] = []
    const browser = createBrowser()
    function Root() {
      const [tm] = useState(() => {
        const manager = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false })
        created.push(manager)
        return manager
      })
      return wrap(
        tm,
        h(() => h('output', { 'data-testid': 'status' }, useSession().status)),
      )
    }
    const view = render(h(Root))
    view.rerender(h(Root))
    // useState's initializer runs once per mount (twice in Strict Mode dev renders, never per render).
    expect(created).toHaveLength(1)
    await act(() => created[0]!.login(ALICE))
    expect(screen.getByTestId('status').textContent).toBe('active')
    created[0]!.destroy()
  })

  it('the hooks throw a clear error outside the provider', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const Orphan = () => h('p', null, useSession().status)
    expect(() => render(h(Orphan))).toThrow(/inside <TokenKeeperProvider manager=\{tokenManager\}>/)
    const Orphan2 = () => (useSessionEvent('change', () => undefined), null)
    expect(() => render(h(Orphan2))).toThrow(/TokenKeeperProvider/)
    const Orphan3 = () => (useTokenManager(), null)
    expect(() => render(h(Orphan3))).toThrow(/TokenKeeperProvider/)
  })

  it('the hooks take an explicit manager: no provider needed, and it wins over the provided one', async () => {
    const own = setup()
    const provided = setup()
    const events: string[] = []
    function Probe() {
      const session = useSession(own.tm)
      const status = useSession((s) => s.status, undefined, own.tm)
      const sub = useSession(
        (s) => ({ sub: s.claims?.sub ?? null }),
        (a, b) => a.sub === b.sub,
        own.tm,
      )
      useSessionEvent('signedIn', () => events.push('signedIn'), own.tm)
      return h('output', { 'data-testid': 'status' }, `${session.status}/${status}/${String(sub.sub)}`)
    }
    // Without a provider.
    const view = render(h(Probe))
    expect(screen.getByTestId('status').textContent).toBe('unknown/unknown/null')
    expect(own.live()).toEqual({ subscriptions: 3, handlers: 1 })
    await act(() => own.tm.login(ALICE))
    expect(screen.getByTestId('status').textContent).toBe('active/active/alice')
    expect(events).toEqual(['signedIn'])
    // Under a provider of another manager: the explicit one is still the one followed.
    view.rerender(wrap(provided.tm, h(Probe)))
    await act(() => provided.tm.logout())
    expect(screen.getByTestId('status').textContent).toBe('active/active/alice')
    expect(provided.live()).toEqual({ subscriptions: 0, handlers: 0 })
    view.unmount()
    expect(own.live()).toEqual({ subscriptions: 0, handlers: 0 })
    own.tm.destroy()
    provided.tm.destroy()
  })

  it('the context is named TokenManagerContext in React DevTools, as the code calls it', () => {
    const { tm } = setup()
    // React 19 renders the context itself as the provider; React 18 has `Provider._context`.
    const type = TokenKeeperProvider({ manager: tm }).type as { displayName?: string; _context?: { displayName?: string } }
    expect((type._context ?? type).displayName).toBe('TokenManagerContext')
    tm.destroy()
  })

  it('hydrates from the server snapshot without a mismatch, then shows the client session', async () => {
    const { tm } = setup()
    await tm.login(ALICE)
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const App = () => h('output', { id: 'status' }, useSession().status)
    // The server never has a session: it renders the constant server snapshot.
    const html = renderToString(wrap(tm, h(App)))
    expect(html).toContain('>unknown<')
    const container = document.createElement('div')
    container.innerHTML = html
    document.body.append(container)
    let root: ReturnType<typeof hydrateRoot> | undefined
    await act(async () => {
      root = hydrateRoot(container, wrap(tm, h(App)), { onRecoverableError: (error) => errors(error) })
    })
    expect(container.querySelector('#status')!.textContent).toBe('active')
    expect(errors).not.toHaveBeenCalled()
    act(() => root!.unmount())
    container.remove()
    tm.destroy()
  })

  it('SERVER_SNAPSHOT is a frozen, signed-out-looking constant', () => {
    expect(SERVER_SNAPSHOT).toEqual({
      status: 'unknown',
      expiresAt: null,
      claims: null,
      lastActivityAt: null,
      idleDeadline: null,
    })
    expect(Object.isFrozen(SERVER_SNAPSHOT)).toBe(true)
    // Same keys as a real snapshot, so server and client render the same shape.
    const tm = new TokenManager({ baseUrl: ORIGIN, crossTab: false })
    expect(Object.keys(SERVER_SNAPSHOT).sort()).toEqual(Object.keys(tm.getSnapshot()).sort())
    tm.destroy()
  })
})

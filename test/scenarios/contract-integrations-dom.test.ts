// @vitest-environment happy-dom
// Black-box scenarios of the React and Vue bindings, written from issue 13 (item 7: the same things in both, a
// session-event helper and a provider/inject pair) and the README's React and Vue sections only.
import { act, cleanup, render, screen } from '@testing-library/react'
import { createElement as h, type ReactNode, useState } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, effectScope, h as vh, isReadonly, nextTick } from 'vue'
import { TokenManager, type SessionEndReason, type SessionSnapshot } from '../../src'
import * as react from '../../src/react'
import * as vue from '../../src/vue'
import { ALICE, API, APP, createContractServer } from '../helpers/contract-server'
import { trackSubscribers } from '../helpers/subscribers'

function manager() {
  const server = createContractServer()
  const tm = new TokenManager({ baseUrl: APP, authorizedOrigins: [APP, API], fetch: server.fetch, crossTab: false })
  return { server, tm }
}

const reason = async (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

describe('contract: React and Vue offer the same things', () => {
  it('both export the session hook, the event helper, the manager hook, the provider and SERVER_SNAPSHOT', () => {
    for (const binding of [react, vue] as Record<string, unknown>[]) {
      for (const name of ['useSession', 'useSessionEvent', 'useTokenManager']) expect(typeof binding[name]).toBe('function')
      expect(binding.SERVER_SNAPSHOT).toMatchObject({ status: 'unknown', expiresAt: null, claims: null })
    }
    expect(typeof react.TokenKeeperProvider).toBe('function')
    expect(typeof vue.tokenKeeper).toBe('function')
    expect(typeof vue.provideTokenManager).toBe('function')
    expect(vue.SERVER_SNAPSHOT).toEqual(react.SERVER_SNAPSHOT)
  })
})

describe('contract: tokenkeeper/react', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => {
    cleanup()
    vi.useRealTimers()
  })

  it('<TokenKeeperProvider manager={tm}> provides the manager to useTokenManager and useSession below it', async () => {
    const { tm } = manager()
    let provided: TokenManager | undefined
    function Header() {
      provided = react.useTokenManager()
      const { status, claims } = react.useSession<{ name: string }>()
      return h('p', { 'data-testid': 'header' }, `${status}:${claims?.name ?? '-'}`)
    }
    render(h(react.TokenKeeperProvider, { manager: tm }, h(Header)))
    expect(provided).toBe(tm)
    await act(() => tm.start())
    expect(screen.getByTestId('header').textContent).toBe('signedOut:-')
    await act(() => tm.login(ALICE))
    expect(screen.getByTestId('header').textContent).toBe('active:Alice')
    await act(() => tm.logout())
    expect(screen.getByTestId('header').textContent).toBe('signedOut:-')
    tm.destroy()
  })

  it('the provider never starts or destroys the manager', async () => {
    const { server, tm } = manager()
    const view = render(h(react.TokenKeeperProvider, { manager: tm }, h('p', null, 'x')))
    await act(() => vi.advanceTimersByTimeAsync(1000))
    expect(server.sent).toHaveLength(0)
    expect(tm.getSnapshot().status).toBe('unknown')
    view.unmount()
    await tm.login(ALICE)
    expect(tm.getSnapshot().status).toBe('active')
    tm.destroy()
  })

  it('useTokenManager and useSession() throw outside the provider; useSession(tm) works without one', async () => {
    const { tm } = manager()
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    function NoProviderManager() {
      react.useTokenManager()
      return null
    }
    function NoProviderSession() {
      react.useSession()
      return null
    }
    expect(() => render(h(NoProviderManager))).toThrow()
    expect(() => render(h(NoProviderSession))).toThrow()
    spy.mockRestore()
    function Status() {
      return h('p', { 'data-testid': 's' }, react.useSession(tm).status)
    }
    function Sub() {
      return h(
        'p',
        { 'data-testid': 'sub' },
        react.useSession((s) => (s.claims as { sub?: string } | null)?.sub ?? 'none', undefined, tm),
      )
    }
    render(h('div', null, h(Status), h(Sub)))
    await act(() => tm.login(ALICE))
    expect(screen.getByTestId('s').textContent).toBe('active')
    expect(screen.getByTestId('sub').textContent).toBe('alice')
    tm.destroy()
  })

  it('useSessionEvent calls the latest handler with the payload while mounted, and stops on unmount', async () => {
    const { server, tm } = manager()
    const live = trackSubscribers(tm)
    const calls: string[] = []
    let setLabel: (label: string) => void = () => undefined
    function Expired() {
      const [label, set] = useState('first')
      setLabel = set
      react.useSessionEvent('sessionExpired', (event: { reason: SessionEndReason }) => calls.push(`${label}:${event.reason}`))
      return null
    }
    const wrap = (child: ReactNode) => h(react.TokenKeeperProvider, { manager: tm }, child)
    const view = render(wrap(h(Expired)))
    await act(() => tm.login(ALICE))
    act(() => setLabel('second'))
    server.rejectRefresh()
    await act(() => reason(tm.refresh()))
    expect(calls).toEqual(['second:refresh_rejected'])
    view.unmount()
    await tm.login(ALICE)
    await reason(tm.refresh())
    expect(calls).toEqual(['second:refresh_rejected'])
    expect(live()).toBe(0)
    tm.destroy()
  })

  it('useSessionEvent(name, handler, tm) works without a provider', async () => {
    const { tm } = manager()
    const handler = vi.fn()
    function SignedIn() {
      react.useSessionEvent('signedIn', handler, tm)
      return null
    }
    render(h(SignedIn))
    await act(() => tm.login(ALICE))
    expect(handler).toHaveBeenCalledTimes(1)
    expect(handler.mock.calls[0]![0]).toMatchObject({ claims: { sub: 'alice' } })
    tm.destroy()
  })
})

describe('contract: tokenkeeper/vue', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  const mount = (component: ReturnType<typeof defineComponent>, plugin?: { install(app: never): void }) => {
    const app = createApp(component)
    if (plugin) app.use(plugin as never)
    const el = document.createElement('div')
    app.mount(el)
    return { app, el }
  }

  it('app.use(tokenKeeper(tm)) provides the manager: useTokenManager and useSession in any component below', async () => {
    const { tm } = manager()
    let provided: TokenManager | undefined
    let session: { value: SessionSnapshot } | undefined
    const Child = defineComponent({
      setup() {
        provided = vue.useTokenManager()
        const s = vue.useSession<{ name: string }>()
        session = s
        return () => vh('p', `${s.value.status}:${s.value.claims?.name ?? '-'}`)
      },
    })
    const { app, el } = mount(defineComponent({ setup: () => () => vh(Child) }), vue.tokenKeeper(tm))
    expect(provided).toBe(tm)
    expect(isReadonly(session)).toBe(true)
    await tm.login(ALICE)
    await nextTick()
    expect(el.textContent).toBe('active:Alice')
    expect(session!.value).toBe(tm.getSnapshot())
    await tm.logout()
    await nextTick()
    expect(el.textContent).toBe('signedOut:-')
    app.unmount()
    tm.destroy()
  })

  it('provideTokenManager(tm) provides to a component’s subtree, like React’s provider', () => {
    const { tm } = manager()
    const { tm: other } = manager()
    const got: TokenManager[] = []
    const Leaf = defineComponent({
      setup() {
        got.push(vue.useTokenManager())
        return () => null
      },
    })
    const Sub = defineComponent({
      setup() {
        vue.provideTokenManager(other)
        return () => vh(Leaf)
      },
    })
    const { app } = mount(defineComponent({ setup: () => () => [vh(Leaf), vh(Sub)] }), vue.tokenKeeper(tm))
    expect(got).toEqual([tm, other])
    app.unmount()
    tm.destroy()
    other.destroy()
  })

  it('useTokenManager throws when no manager was provided', () => {
    let error: unknown
    const app = createApp(
      defineComponent({
        setup() {
          try {
            vue.useTokenManager()
          } catch (e) {
            error = e
          }
          return () => null
        },
      }),
    )
    app.mount(document.createElement('div'))
    expect(error).toBeInstanceOf(Error)
    app.unmount()
  })

  it('useSessionEvent calls the handler while the component lives and stops when it unmounts', async () => {
    const { server, tm } = manager()
    const live = trackSubscribers(tm)
    const reasons: SessionEndReason[] = []
    const { app } = mount(
      defineComponent({
        setup() {
          vue.useSessionEvent('sessionExpired', (event) => reasons.push(event.reason))
          vue.useSession()
          return () => null
        },
      }),
      vue.tokenKeeper(tm),
    )
    await tm.login(ALICE)
    server.rejectRefresh()
    await reason(tm.refresh())
    expect(reasons).toEqual(['refresh_rejected'])
    app.unmount()
    expect(live()).toBe(0)
    await tm.login(ALICE)
    await reason(tm.refresh())
    expect(reasons).toEqual(['refresh_rejected'])
    tm.destroy()
  })

  it('outside components, with tm passed: useSession(tm), useSession(selector, isEqual, tm), useSessionEvent(name, handler, tm) in an effectScope', async () => {
    const { tm } = manager()
    const live = trackSubscribers(tm)
    const scope = effectScope()
    const signedIn = vi.fn()
    const { session, sub } = scope.run(() => {
      vue.useSessionEvent('signedIn', signedIn, tm)
      return {
        session: vue.useSession(tm),
        sub: vue.useSession((s) => (s.claims as { sub?: string } | null)?.sub ?? null, undefined, tm),
      }
    })!
    expect(session.value.status).toBe('unknown')
    await tm.login(ALICE)
    expect(session.value.status).toBe('active')
    expect(sub.value).toBe('alice')
    expect(signedIn).toHaveBeenCalledTimes(1)
    scope.stop()
    expect(live()).toBe(0)
    await tm.logout()
    await tm.login(ALICE)
    expect(signedIn).toHaveBeenCalledTimes(1)
    tm.destroy()
  })
})

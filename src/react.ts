/**
 * React bindings: `import { TokenKeeperProvider, useSession } from 'tokenkeeper/react'`.
 *
 * Requires React 18 or later (`react` is an optional peer dependency of tokenkeeper). The
 * bindings never create, start or destroy a manager: create one `TokenManager` per app at
 * module scope, call `start()` once, and hand it to {@link TokenKeeperProvider} (or to each hook:
 * `useSession(tm)`, `useSessionEvent(name, handler, tm)`, as in `tokenkeeper/vue`). Typed
 * claims: `useSession<MyClaims>()` / `useTokenManager<MyClaims>()` (the context cannot carry
 * the type).
 *
 * @example
 * ```tsx
 * import { TokenManager } from 'tokenkeeper'
 * import { TokenKeeperProvider, useSession } from 'tokenkeeper/react'
 *
 * const tm = new TokenManager({ baseUrl: 'https://app.example.com' })
 * void tm.start()
 *
 * function Header() {
 *   const { status, claims } = useSession()
 *   return status === 'active' ? <span>{String(claims?.name)}</span> : <a href="/login">Sign in</a>
 * }
 *
 * createRoot(el).render(
 *   <TokenKeeperProvider manager={tm}>
 *     <Header />
 *   </TokenKeeperProvider>,
 * )
 * ```
 *
 * Use them in client components: in a React Server Components app (Next.js app router), put
 * the provider in a `'use client'` file, since the manager lives in the browser.
 *
 * @packageDocumentation
 * @module tokenkeeper/react
 */

import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useInsertionEffect,
  useMemo,
  useRef,
  useSyncExternalStore,
  type ReactElement,
  type ReactNode,
} from 'react'
// Type-only imports: this entry must not pull the core into its bundle (nor the core React).
import type { TokenManager } from './token-manager'
import type { SessionSnapshot, TokenManagerEventName, TokenManagerEvents } from './types'
import { SERVER_SNAPSHOT } from './session/server-snapshot'

/** The default claims type, as in `TokenManager`. */
type DefaultClaims = Record<string, unknown>

// What `useSession()` returns on the server and during hydration; the same object as Vue's.
export { SERVER_SNAPSHOT }

const getServerSnapshot = (): SessionSnapshot => SERVER_SNAPSHOT

// Holds any manager; each hook's type parameter says which claims the app declared.
const TokenManagerContext = createContext<TokenManager<object> | null>(null)
TokenManagerContext.displayName = 'TokenManagerContext'

/** Props of {@link TokenKeeperProvider}. */
export interface TokenKeeperProviderProps<Claims extends object = DefaultClaims> {
  /**
   * The app's `TokenManager`. Create it once, at module scope (`export const tm = new
   * TokenManager(...)` in its own file): the provider never creates, starts or destroys it.
   * Do not create it during render, not even in a `useState` initializer: Strict Mode calls
   * initializers twice and keeps one result, so the other manager would never be destroyed and
   * would keep its channel open and follow sign-ins. A manager that must live inside a
   * component belongs in an effect that also destroys it (`useEffect(() => { const m = new
   * TokenManager(); setManager(m); return () => m.destroy() }, [])`), rendering nothing until it
   * is set.
   */
  manager: TokenManager<Claims>
  /** The part of the app that uses the session. */
  children?: ReactNode
}

/**
 * Makes a `TokenManager` available to {@link useSession}, {@link useTokenManager} and
 * {@link useSessionEvent} below it.
 *
 * @example
 * ```tsx
 * const tm = new TokenManager({ baseUrl: 'https://app.example.com' })
 * void tm.start()
 *
 * root.render(
 *   <TokenKeeperProvider manager={tm}>
 *     <App />
 *   </TokenKeeperProvider>,
 * )
 * ```
 */
export function TokenKeeperProvider<Claims extends object = DefaultClaims>({ manager, children }: TokenKeeperProviderProps<Claims>): ReactElement {
  return createElement(TokenManagerContext.Provider, { value: manager as TokenManager<object> }, children)
}

/**
 * The `TokenManager` from the nearest {@link TokenKeeperProvider}, for calling `login`,
 * `logout`, `fetch`, `http`, `sessions`...
 *
 * @throws Error when there is no `TokenKeeperProvider` above the component.
 *
 * @example
 * ```tsx
 * function SignOutButton() {
 *   const tm = useTokenManager()
 *   return <button onClick={() => void tm.logout()}>Sign out</button>
 * }
 * ```
 */
export function useTokenManager<Claims extends object = DefaultClaims>(): TokenManager<Claims> {
  return useManager<Claims>()
}

/** The explicit manager, else the provided one. The context is read either way (rules of hooks). */
function useManager<Claims extends object>(tm?: TokenManager<Claims>): TokenManager<Claims> {
  const manager = useContext(TokenManagerContext) as TokenManager<Claims> | null
  if (tm) return tm
  if (!manager) {
    throw new Error(
      'tokenkeeper/react: useTokenManager(), and useSession() or useSessionEvent() without a manager argument, must be used inside ' +
        '<TokenKeeperProvider manager={tokenManager}>. Wrap your app (or this part of it) in the provider, or pass the manager in: useSession(tm).',
    )
  }
  return manager
}

/**
 * The current {@link SessionSnapshot}, through `useSyncExternalStore(tm.subscribe,
 * tm.getSnapshot, getServerSnapshot)`. The component re-renders only when the snapshot
 * changes (sign-in, refresh, sign-out, expiry, and — with `idleTimeout` on — recorded
 * activity, at most once per second). On the server and during hydration it returns
 * {@link SERVER_SNAPSHOT} (`status: 'unknown'`).
 *
 * @param tm the app's `TokenManager`; omitted, the one from {@link TokenKeeperProvider}.
 *
 * @example
 * ```tsx
 * function Greeting() {
 *   const session = useSession()
 *   if (session.status === 'unknown') return <Spinner />
 *   if (session.status !== 'active' && session.status !== 'refreshing') return <LoginForm />
 *   return <p>Hello {String(session.claims?.name)}</p>
 * }
 * ```
 */
export function useSession<Claims extends object = DefaultClaims>(tm?: TokenManager<Claims>): SessionSnapshot<Claims>
/**
 * A slice of the current {@link SessionSnapshot}: the component re-renders only when the
 * selected value changes (compared with `isEqual`, `Object.is` by default). Use it for
 * components that, say, show only the status while idle tracking updates `lastActivityAt`.
 *
 * @param selector picks the value from the snapshot; an inline function is fine.
 * @param isEqual compares the previous and next selections (default `Object.is`).
 * @param tm the app's `TokenManager`; omitted, the one from {@link TokenKeeperProvider}.
 *
 * @example
 * ```tsx
 * const signedIn = useSession((s) => s.status === 'active' || s.status === 'refreshing')
 * ```
 */
export function useSession<T, Claims extends object = DefaultClaims>(
  selector: (snapshot: SessionSnapshot<Claims>) => T,
  isEqual?: (a: T, b: T) => boolean,
  tm?: TokenManager<Claims>,
): T
export function useSession<T>(
  selectorOrTm?: ((snapshot: SessionSnapshot) => T) | TokenManager,
  isEqual: (a: T, b: T) => boolean = Object.is,
  tm?: TokenManager,
): T | SessionSnapshot {
  const selector = typeof selectorOrTm === 'function' ? selectorOrTm : undefined
  const manager = useManager(selector ? tm : (selectorOrTm as TokenManager | undefined))
  // `subscribe` and `getSnapshot` are bound by the manager, so they are stable per manager and
  // React subscribes once, not on every render.
  const subscribe = manager.subscribe
  const getSnapshot = manager.getSnapshot
  // Remember the last selection so an unchanged slice keeps its identity (no re-render) and a
  // selector returning a fresh object does not loop.
  const last = useRef<{ value: T } | null>(null)
  const [getSelection, getServerSelection] = useMemo(() => {
    if (!selector) return [getSnapshot, getServerSnapshot] as const
    let memoSnapshot: SessionSnapshot | undefined
    let memoSelection: T
    const select = (snapshot: SessionSnapshot): T => {
      if (snapshot === memoSnapshot) return memoSelection
      const next = selector(snapshot)
      memoSnapshot = snapshot
      memoSelection = last.current && isEqual(last.current.value, next) ? last.current.value : next
      return memoSelection
    }
    return [() => select(getSnapshot()), () => select(getServerSnapshot())] as const
  }, [getSnapshot, selector, isEqual])
  const value = useSyncExternalStore<T | SessionSnapshot>(subscribe, getSelection, getServerSelection)
  useEffect(() => {
    if (selector) last.current = { value: value as T }
  })
  return value
}

/**
 * Runs `handler` for every `name` event of the manager while the component is mounted. The
 * latest `handler` is always called (it is kept in a ref), so an inline function does not
 * re-subscribe on every render; the subscription changes only with `name` or the manager.
 *
 * @param tm the app's `TokenManager`; omitted, the one from {@link TokenKeeperProvider}.
 *
 * @example
 * ```tsx
 * function ExpiryModal() {
 *   const [reason, setReason] = useState<SessionEndReason | null>(null)
 *   useSessionEvent('sessionExpired', (event) => setReason(event.reason))
 *   return reason ? <LoginModal reason={reason} /> : null
 * }
 * ```
 */
export function useSessionEvent<K extends TokenManagerEventName, Claims extends object = DefaultClaims>(
  name: K,
  handler: (payload: TokenManagerEvents<Claims>[K]) => void,
  tm?: TokenManager<Claims>,
): void {
  const manager = useManager<Claims>(tm)
  const latest = useRef(handler)
  // Insertion effects run before every layout and passive effect, and never on the server.
  useInsertionEffect(() => {
    latest.current = handler
  })
  useEffect(() => manager.on(name, (payload) => latest.current(payload)), [manager, name])
}

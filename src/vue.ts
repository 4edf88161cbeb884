/**
 * Vue 3 bindings: `import { useSession } from 'tokenkeeper/vue'`.
 *
 * Requires Vue 3.2 or later (`vue` is an optional peer dependency of tokenkeeper). The
 * bindings never create, start or destroy a manager: create one `TokenManager` per app at
 * module scope and pass it in, or provide it once (`app.use(tokenKeeper(tm))` or
 * {@link provideTokenManager}) and let {@link useSession}, {@link useSessionEvent} and
 * {@link useTokenManager} inject it: the same things the React bindings offer, with the same
 * signatures (`useSession(tm?)`, `useSession(selector, isEqual?, tm?)`,
 * `useSessionEvent(name, handler, tm?)`) and the same server snapshot.
 *
 * @example
 * ```vue
 * <script setup lang="ts">
 * import { useSession } from 'tokenkeeper/vue'
 * import { tm } from './auth' // export const tm = new TokenManager({ ... }); void tm.start()
 *
 * const session = useSession(tm)
 * </script>
 *
 * <template>
 *   <span v-if="session.status === 'active'">{{ session.claims?.name }}</span>
 *   <a v-else href="/login">Sign in</a>
 * </template>
 * ```
 *
 * @packageDocumentation
 * @module tokenkeeper/vue
 */
import {
  getCurrentInstance,
  getCurrentScope,
  inject,
  onMounted,
  onScopeDispose,
  provide,
  shallowReadonly,
  shallowRef,
  ssrContextKey,
  type App,
  type InjectionKey,
  type ShallowRef,
} from 'vue'
// Type-only imports: this entry must not pull the core into its bundle.
import type { TokenManager } from './token-manager'
import type { SessionSnapshot, TokenManagerEventName, TokenManagerEvents } from './types'
import { SERVER_SNAPSHOT } from './session/server-snapshot'

// What `useSession()` holds on the server and during hydration; the same object as React's.
export { SERVER_SNAPSHOT }

/** The default claims type, as in `TokenManager`. */
type DefaultClaims = Record<string, unknown>

/**
 * The injection key under which {@link provideTokenManager} and {@link tokenKeeper} provide the
 * manager (`app.provide(TOKEN_MANAGER_KEY, tm)` works too).
 */
export const TOKEN_MANAGER_KEY: InjectionKey<TokenManager<object>> = Symbol('tokenkeeper')

/**
 * A Vue plugin that provides `tm` to the whole app, like React's `<TokenKeeperProvider>`: it
 * never creates, starts or destroys the manager.
 *
 * @example
 * ```ts
 * import { tokenKeeper } from 'tokenkeeper/vue'
 * import { tm } from './auth'
 * createApp(App).use(tokenKeeper(tm)).mount('#app')
 * ```
 */
export function tokenKeeper<Claims extends object>(tm: TokenManager<Claims>): { install(app: App): void } {
  return { install: (app) => void app.provide(TOKEN_MANAGER_KEY, tm as TokenManager<object>) }
}

/**
 * Provides `tm` to the calling component's descendants (call it in `setup()`), like React's
 * `<TokenKeeperProvider manager={tm}>`; for the whole app, `app.use(tokenKeeper(tm))`.
 */
export function provideTokenManager<Claims extends object>(tm: TokenManager<Claims>): void {
  provide(TOKEN_MANAGER_KEY, tm as TokenManager<object>)
}

/**
 * The provided `TokenManager` (see {@link tokenKeeper}), for `login`, `logout`, `fetch`,
 * `http`, `sessions`. Call it in a component's `setup()`; elsewhere (a Pinia store, an effect
 * scope) pass the manager to `useSession(tm)` / `useSessionEvent(name, handler, tm)` instead.
 *
 * @throws Error when no manager was provided.
 * @example
 * ```ts
 * const tm = useTokenManager<{ sub: string; role: 'admin' | 'user' }>()
 * ```
 */
export function useTokenManager<Claims extends object = DefaultClaims>(): TokenManager<Claims> {
  return injectManager<Claims>()
}

function injectManager<Claims extends object>(): TokenManager<Claims> {
  // Components only (Vue 3.2 has no `hasInjectionContext`); elsewhere pass the manager in.
  const tm = getCurrentInstance() ? inject(TOKEN_MANAGER_KEY, null) : null
  if (!tm) {
    throw new Error(
      'tokenkeeper/vue: useTokenManager(), and useSession() or useSessionEvent() without a manager argument, need a provided manager: ' +
        'app.use(tokenKeeper(tm)) or provideTokenManager(tm) in a parent component, or pass the manager in: useSession(tm).',
    )
  }
  return tm as TokenManager<Claims>
}

/**
 * Subscribes while the caller lives: in a component from mount to unmount (never during
 * server rendering), in an effect scope at once until `scope.stop()`, elsewhere at once for
 * good. `onSubscribe` runs right after subscribing.
 */
function follow(subscribe: () => () => void, onSubscribe?: () => void): void {
  let unsubscribe: (() => void) | undefined
  const start = () => {
    unsubscribe ??= subscribe()
    onSubscribe?.()
  }
  // `onMounted` never runs during SSR: no listener per server render.
  if (getCurrentInstance()) onMounted(start)
  else start()
  if (getCurrentScope()) {
    onScopeDispose(() => {
      unsubscribe?.()
      unsubscribe = undefined
    })
  }
}

/**
 * The manager's {@link SessionSnapshot} as a read-only shallow ref, updated through
 * `tm.subscribe` whenever the snapshot changes (sign-in, refresh, sign-out, expiry, recorded
 * activity). `.value` is the manager's own snapshot object (not a deep reactive copy), so
 * compare fields, not nested objects, and treat it as immutable.
 *
 * In a component's `setup()` it subscribes when the component mounts (re-reading the snapshot
 * then) and unsubscribes when it unmounts. Components never mount during server rendering, so
 * SSR never subscribes: a manager shared by every request on the server does not accumulate
 * listeners. Inside an `effectScope()` it subscribes at once and unsubscribes on
 * `scope.stop()`. Outside any scope it stays subscribed until `tm.destroy()`.
 *
 * SSR and hydration, as in `tokenkeeper/react`: a component rendered on the server or hydrating
 * holds {@link SERVER_SNAPSHOT} (`status: 'unknown'`) until it mounts, so the server HTML and
 * the first client render agree whatever the client's session, and a server-side manager's
 * session never reaches the page; the real session follows right after hydration.
 *
 * @param tm the app's `TokenManager`; omitted, the provided one (see {@link tokenKeeper}).
 *
 * @example
 * ```ts
 * import { computed } from 'vue'
 * import { useSession } from 'tokenkeeper/vue'
 *
 * const session = useSession(tm)
 * const signedIn = computed(() => session.value.status === 'active' || session.value.status === 'refreshing')
 * ```
 */
export function useSession<Claims extends object = DefaultClaims>(tm?: TokenManager<Claims>): Readonly<ShallowRef<SessionSnapshot<Claims>>>
/**
 * A slice of the current {@link SessionSnapshot} as a read-only shallow ref: it changes (and
 * what reads it re-renders) only when the selected value changes, compared with `isEqual`
 * (`Object.is` by default). Subscribes, and behaves in SSR, as `useSession(tm)`.
 *
 * @param selector picks the value from the snapshot.
 * @param isEqual compares the previous and next selections (default `Object.is`).
 * @param tm the app's `TokenManager`; omitted, the provided one (see {@link tokenKeeper}).
 *
 * @example
 * ```ts
 * const signedIn = useSession((s) => s.status === 'active' || s.status === 'refreshing')
 * ```
 */
export function useSession<T, Claims extends object = DefaultClaims>(
  selector: (snapshot: SessionSnapshot<Claims>) => T,
  isEqual?: (a: T, b: T) => boolean,
  tm?: TokenManager<Claims>,
): Readonly<ShallowRef<T>>
export function useSession<T>(
  selectorOrTm?: ((snapshot: SessionSnapshot) => T) | TokenManager,
  isEqual: (a: T, b: T) => boolean = Object.is,
  tm?: TokenManager,
): Readonly<ShallowRef<T | SessionSnapshot>> {
  const selector = typeof selectorOrTm === 'function' ? selectorOrTm : undefined
  const manager = (selector ? tm : (selectorOrTm as TokenManager | undefined)) ?? injectManager()
  const select = selector ?? ((snapshot: SessionSnapshot) => snapshot)
  // A hydrating component's vnode already holds its server-rendered element during setup; on
  // the server the SSR context is provided. Vue 3.2 has no public "is hydrating" flag.
  const instance = getCurrentInstance()
  const serverSide = instance && (instance.vnode.el || inject(ssrContextKey, null))
  const value = shallowRef(select(serverSide ? SERVER_SNAPSHOT : manager.getSnapshot()))
  const update = () => {
    const next = select(manager.getSnapshot())
    if (!isEqual(value.value as T, next as T)) value.value = next
  }
  // On subscribing, whatever changed between setup and mount (or since the server render).
  follow(() => manager.subscribe(update), update)
  return shallowReadonly(value)
}

/**
 * Runs `handler` for every `name` event of the manager (the provided one unless `tm` is
 * given) while the caller lives: in a component from mount to unmount, in an effect scope
 * until `scope.stop()`. Never subscribes during server rendering. The counterpart of React's
 * `useSessionEvent`.
 *
 * @example
 * ```ts
 * const reason = ref<SessionEndReason | null>(null)
 * useSessionEvent('sessionExpired', (event) => (reason.value = event.reason))
 * ```
 */
export function useSessionEvent<K extends TokenManagerEventName, Claims extends object = DefaultClaims>(
  name: K,
  handler: (payload: TokenManagerEvents<Claims>[K]) => void,
  tm?: TokenManager<Claims>,
): void {
  const manager = tm ?? injectManager<Claims>()
  follow(() => manager.on(name, handler))
}

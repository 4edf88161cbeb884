/**
 * Vue 3 bindings: `import { useSession } from 'tokenkeeper/vue'`.
 *
 * Requires Vue 3.2 or later (`vue` is an optional peer dependency of tokenkeeper). The
 * bindings never create, start or destroy a manager: create one `TokenManager` per app at
 * module scope and pass it in, or provide it once (`app.use(tokenKeeper(tm))` or
 * {@link provideTokenManager}) and let {@link useSession}, {@link useSessionEvent} and
 * {@link useTokenManager} inject it: the same things the React bindings offer.
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
  type App,
  type InjectionKey,
  type ShallowRef,
} from 'vue'
// Type-only imports: this entry must not pull the core into its bundle.
import type { TokenManager } from './token-manager'
import type { SessionSnapshot, TokenManagerEventName, TokenManagerEvents } from './types'

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
 * On the server, `.value` is the server-side manager's snapshot (`status: 'unknown'` unless
 * server code signed it in). A client that hydrates after `tm.start()` has resolved renders a
 * different status than the server did: hydrate first, or render session-dependent parts on
 * the client only.
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
export function useSession<Claims extends object = DefaultClaims>(tm?: TokenManager<Claims>): Readonly<ShallowRef<SessionSnapshot<Claims>>> {
  const manager = tm ?? injectManager<Claims>()
  const snapshot = shallowRef(manager.getSnapshot())
  const update = () => {
    snapshot.value = manager.getSnapshot()
  }
  // On subscribing, whatever changed between setup and mount.
  follow(() => manager.subscribe(update), update)
  return shallowReadonly(snapshot) as Readonly<ShallowRef<SessionSnapshot<Claims>>>
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

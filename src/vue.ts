/**
 * Vue 3 bindings: `import { useSession } from 'tokenkeeper/vue'`.
 *
 * Requires Vue 3.2 or later (`vue` is an optional peer dependency of tokenkeeper). The
 * bindings never create, start or destroy a manager: create one `TokenManager` per app and
 * pass it in (or `provide`/`inject` it yourself).
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
import { getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, shallowReadonly, shallowRef, type ShallowRef } from 'vue'
// Type-only imports: this entry must not pull the core into its bundle.
import type { TokenManager } from './token-manager'
import type { SessionSnapshot } from './types'

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
 * @param tm the app's `TokenManager`.
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
export function useSession(tm: TokenManager): Readonly<ShallowRef<SessionSnapshot>> {
  const snapshot = shallowRef(tm.getSnapshot())
  const update = () => {
    snapshot.value = tm.getSnapshot()
  }
  let unsubscribe: (() => void) | undefined
  const subscribe = () => {
    unsubscribe ??= tm.subscribe(update)
    // Whatever changed between setup and mount.
    update()
  }
  // `onMounted` never runs during SSR: no listener per server render.
  if (getCurrentInstance()) onMounted(subscribe)
  else subscribe()
  if (getCurrentScope()) {
    onScopeDispose(() => {
      unsubscribe?.()
      unsubscribe = undefined
    })
  }
  return shallowReadonly(snapshot)
}

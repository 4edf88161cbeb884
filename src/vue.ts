/**
 * Vue 3 bindings: `import { useSession } from 'tokenkeeper/vue'`.
 *
 * Requires Vue 3.3 or later (`vue` is an optional peer dependency of tokenkeeper). The
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
import { getCurrentScope, onScopeDispose, shallowReadonly, shallowRef, type ShallowRef } from 'vue'
// Type-only imports: this entry must not pull the core into its bundle.
import type { TokenManager } from './token-manager'
import type { SessionSnapshot } from './types'

/**
 * The manager's {@link SessionSnapshot} as a read-only shallow ref, updated through
 * `tm.subscribe` whenever the snapshot changes (sign-in, refresh, sign-out, expiry, recorded
 * activity). `.value` is the manager's own snapshot object (not a deep reactive copy), so
 * compare fields, not nested objects, and treat it as immutable.
 *
 * Called inside a component's `setup()` or an `effectScope()`, it unsubscribes when that
 * scope is disposed (component unmounted, `scope.stop()`). Called outside any scope it stays
 * subscribed until `tm.destroy()`; run it in an `effectScope()` if that is not what you want.
 *
 * On the server, `.value` is the manager's initial snapshot (`status: 'unknown'`), since
 * nothing signs in during SSR.
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
  const unsubscribe = tm.subscribe(() => {
    snapshot.value = tm.getSnapshot()
  })
  if (getCurrentScope()) onScopeDispose(unsubscribe)
  return shallowReadonly(snapshot)
}

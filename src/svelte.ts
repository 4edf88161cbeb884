/**
 * Svelte bindings: `import { sessionStore, onSessionEvent } from 'tokenkeeper/svelte'`.
 *
 * Stores that follow the Svelte store contract (Svelte 3, 4 and 5, `$store` syntax included);
 * nothing is imported from `svelte` at run time (`svelte` is an optional peer dependency, for
 * the types). They never create, start or destroy a manager.
 *
 * @example
 * ```svelte
 * <script lang="ts">
 *   import { sessionStore } from 'tokenkeeper/svelte'
 *   import { tm } from './auth'
 *   const session = sessionStore(tm)
 * </script>
 *
 * {#if $session.status === 'active'}Hello {$session.claims?.name}{:else}<a href="/login">Sign in</a>{/if}
 * ```
 *
 * @packageDocumentation
 * @module tokenkeeper/svelte
 */
import type { Readable } from 'svelte/store'
// Type-only imports: this entry must not pull the core into its bundle.
import type { TokenManager } from './token-manager'
import type { SessionSnapshot, TokenManagerEventName, TokenManagerEvents } from './types'

/**
 * The manager's {@link SessionSnapshot} as a readable store: `subscribe(run)` calls `run` at once
 * with the current snapshot, then after each change (the manager's own object, the same one
 * `tm.getSnapshot()` returns: treat it as immutable), and returns the unsubscribe function. Each
 * subscriber holds one `tm.subscribe` listener, released when it unsubscribes (`$session` in a
 * component: when the component is destroyed). During server rendering Svelte reads the value
 * once and unsubscribes.
 *
 * @example
 * ```ts
 * import { derived } from 'svelte/store'
 * const session = sessionStore(tm)
 * export const signedIn = derived(session, (s) => s.status === 'active' || s.status === 'refreshing')
 * ```
 */
export function sessionStore<Claims extends object>(tm: TokenManager<Claims>): Readable<SessionSnapshot<Claims>> {
  return {
    subscribe(run) {
      let last = tm.getSnapshot()
      run(last)
      return tm.subscribe(() => {
        const next = tm.getSnapshot()
        if (next === last) return
        last = next
        run(next)
      })
    },
  }
}

/**
 * Runs `handler` for every `name` event of `tm`; returns the function that stops it, which is
 * what Svelte 5's `$effect` and Svelte 4's `onDestroy` take, so the listener lives as long as
 * the component.
 *
 * @example
 * ```ts
 * // in a component's <script>
 * $effect(() => onSessionEvent(tm, 'sessionExpired', ({ reason }) => showLoginModal(reason)))
 * ```
 */
export function onSessionEvent<Claims extends object, K extends TokenManagerEventName>(
  tm: TokenManager<Claims>,
  name: K,
  handler: (payload: TokenManagerEvents<Claims>[K]) => void,
): () => void {
  return tm.on(name, handler)
}

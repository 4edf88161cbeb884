import type { TokenManager } from '../../src'

/** How many `subscribe` listeners a manager holds (internal state; one place to change if it moves). */
export function subscriberCount(tm: TokenManager): number {
  return (tm as unknown as { session: { store: { listeners: Set<unknown> } } }).session.store.listeners.size
}

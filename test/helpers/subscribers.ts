import type { TokenManager } from '../../src'

/**
 * Counts the `subscribe` listeners a manager holds, through its public API: wraps `tm.subscribe`
 * (an own, bound property that every binding reads when it subscribes), so call it before anything
 * subscribes. A listener counts until its unsubscribe function is called (once: a second call
 * releases nothing, as in the manager).
 */
export function trackSubscribers(tm: TokenManager): () => number {
  let live = 0
  const subscribe = tm.subscribe.bind(tm)
  tm.subscribe = (listener) => {
    const off = subscribe(listener)
    live++
    let released = false
    return () => {
      off()
      if (!released) live--
      released = true
    }
  }
  return () => live
}

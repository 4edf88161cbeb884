/** Why the page may have been asleep: each is a cue to re-check every deadline at once. */
export type WakeReason = 'visible' | 'focus' | 'online' | 'pageshow'

/**
 * The browser signals the SDK listens to, behind an interface (TanStack's focus/online
 * manager shape) so every rule is testable without a DOM and SSR is a no-op.
 */
export interface BrowserEnvironment {
  /** Subscribes to wake-up cues; returns the unsubscribe. */
  onWake(listener: (reason: WakeReason) => void): () => void
  /**
   * Subscribes to user activity events (passive listeners); returns the unsubscribe. Pass the
   * event (at least its `type`) to the listener: while an idle warning shows, only
   * `deliberateActivityEvents` count. A call without one counts as passive activity.
   */
  onActivity(events: readonly string[], listener: (event?: { readonly type: string }) => void): () => void
}

const noop = () => {}

/** The real browser, looked up lazily; without `window`/`document` every subscription is a no-op. */
export const browserEnvironment: BrowserEnvironment = {
  onWake(listener) {
    const win = typeof window !== 'undefined' ? window : undefined
    const doc = typeof document !== 'undefined' ? document : undefined
    if (!win || !doc) return noop
    const onVisibility = () => {
      if (doc.visibilityState === 'visible') listener('visible')
    }
    const onFocus = () => listener('focus')
    const onOnline = () => listener('online')
    const onPageShow = () => listener('pageshow')
    doc.addEventListener('visibilitychange', onVisibility)
    win.addEventListener('focus', onFocus)
    win.addEventListener('online', onOnline)
    win.addEventListener('pageshow', onPageShow)
    return () => {
      doc.removeEventListener('visibilitychange', onVisibility)
      win.removeEventListener('focus', onFocus)
      win.removeEventListener('online', onOnline)
      win.removeEventListener('pageshow', onPageShow)
    }
  },
  onActivity(events, listener) {
    const win = typeof window !== 'undefined' ? window : undefined
    const doc = typeof document !== 'undefined' ? document : undefined
    if (!win || !doc) return noop
    const options: AddEventListenerOptions = { passive: true, capture: true }
    const onVisibility = () => {
      if (doc.visibilityState === 'visible') listener()
    }
    for (const type of events) win.addEventListener(type, listener, options)
    doc.addEventListener('visibilitychange', onVisibility, options)
    return () => {
      for (const type of events) win.removeEventListener(type, listener, options)
      doc.removeEventListener('visibilitychange', onVisibility, options)
    }
  },
}

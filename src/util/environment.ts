/**
 * Why the page may have been asleep: each is a cue to re-check every deadline at once.
 * `pageshow` (a restore from the back/forward cache, `persisted: true`) and `resume` (after a
 * freeze, Page Lifecycle API) also mean the page missed the other tabs' messages: it re-syncs
 * with them before it uses its token again.
 */
export type WakeReason = 'visible' | 'focus' | 'online' | 'pageshow' | 'resume'

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
  /** The address bar and per-tab storage, for redirect sign-in (`oauth2()`). Defaults to the real browser's. */
  navigation?: Navigation
}

/** What a redirect sign-in touches: the page's address and the tab's `sessionStorage`. */
export interface Navigation {
  /** The page's address; `null` outside a browser. */
  currentUrl(): string | null
  /** Leaves the page for `url` (`location.assign`). */
  assign(url: string): void
  /** Rewrites the address without a reload or a history entry (`history.replaceState`). */
  replace(url: string): void
  /** Per-tab storage for the round trip's `state` and PKCE verifier; `null` when unavailable. */
  storage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null
}

const noop = () => {}

/** The real browser's address bar and `sessionStorage`, looked up at call time. */
export const browserNavigation: Navigation = {
  currentUrl: () => (typeof location !== 'undefined' ? location.href : null),
  assign: (url) => location.assign(url),
  replace: (url) => history.replaceState(history.state, '', url),
  storage() {
    try {
      return typeof sessionStorage !== 'undefined' ? sessionStorage : null
    } catch {
      // Storage disabled by the browser's settings: reading `sessionStorage` throws.
      return null
    }
  },
}

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
    // A restore from the back/forward cache re-syncs with the tabs (`pageshow`); any other
    // `pageshow` is a page being shown again, which re-checks the deadlines like `visible`.
    const onPageShow = (event: Event) => listener((event as PageTransitionEvent).persisted ? 'pageshow' : 'visible')
    const onResume = () => listener('resume')
    // Capturing listeners run before the app's own at the target: a request its `pageshow` handler
    // makes already waits for the re-sync, whichever listener was added first.
    const first = { capture: true }
    doc.addEventListener('visibilitychange', onVisibility)
    doc.addEventListener('resume', onResume, first)
    win.addEventListener('focus', onFocus)
    win.addEventListener('online', onOnline)
    win.addEventListener('pageshow', onPageShow, first)
    return () => {
      doc.removeEventListener('visibilitychange', onVisibility)
      doc.removeEventListener('resume', onResume, first)
      win.removeEventListener('focus', onFocus)
      win.removeEventListener('online', onOnline)
      win.removeEventListener('pageshow', onPageShow, first)
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

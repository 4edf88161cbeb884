import { monotonicNow, type Clock } from '../util/clock'
import { HANDOFF_GRACE } from '../refresh/coordinator'
import type { Tabs } from './tab-sync'

/**
 * The server call that ends a session which ended by a deadline (idle, max age): once for all
 * the tabs whose shared deadline fired together, not once per tab (the thundering herd users
 * report against Okta). Cookie mode: the tabs take the cross-tab lock (Web Locks or the channel
 * mutex) in turn; the first makes the call and says `revoked` before it releases the lock; the
 * others, having heard it, skip. Body mode: only the tab holding the refresh token has anything
 * to revoke.
 */
export class Revocation {
  private heardAt = Number.NEGATIVE_INFINITY

  constructor(private readonly clock: Clock) {}

  /** Another tab made the call. */
  heard(): void {
    this.heardAt = monotonicNow(this.clock)
  }

  async revoke(tabs: Tabs, session: { cookieMode: boolean; holdsRefreshToken: boolean }, call: () => Promise<unknown>): Promise<void> {
    if (!session.cookieMode) {
      if (session.holdsRefreshToken) await call()
      return
    }
    // Monotonic: only the order of two moments in this tab matters.
    const endedAt = monotonicNow(this.clock)
    await tabs.lock.run(async (contended) => {
      // The holder posts `revoked` before it releases the lock; the message may still be on its way.
      if (contended && this.heardAt < endedAt) await tabs.waitFor((m) => m.type === 'revoked', HANDOFF_GRACE)
      if (this.heardAt >= endedAt) return
      await call()
      await tabs.post({ type: 'revoked' })
    })
  }
}

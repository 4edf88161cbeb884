import { DestroyedError } from '../errors'
import type { Session } from './session'

export interface TokenSourceDeps {
  session: Session
  /** The refresh coordinator, as far as a token user needs it. */
  refresh: {
    run(stale: string): Promise<string>
    readonly inFlight: Promise<string> | null
    /** Settles once the refresh in flight failed an attempt and waits to retry (`null`: none in flight). */
    readonly backingOff: Promise<void> | null
  }
  /** Checks the idle and max-age deadlines (one may have passed while the tab slept). */
  checkDeadlines(): void
  /** The re-sync with the other tabs after a freeze or the back/forward cache, if one is under way. */
  rejoining(): Promise<void> | null
  /** `start()` in progress, if any. */
  starting(): Promise<unknown> | null
}

/** `getAccessToken()`: a token not known to be expired, waiting for whatever would change it first. */
export class TokenSource {
  constructor(private readonly deps: TokenSourceDeps) {}

  async get(): Promise<string | null> {
    const { session, refresh } = this.deps
    if (session.destroyed) throw new DestroyedError()
    // Back from the back/forward cache or a freeze: the token waits for the other tabs' word.
    const rejoin = this.deps.rejoining()
    if (rejoin) {
      await rejoin
      if (session.destroyed) throw new DestroyedError()
    }
    this.deps.checkDeadlines()
    const inFlight = refresh.inFlight
    const starting = this.deps.starting()
    if (inFlight) {
      // A failed refresh while the token is still valid changes nothing for the caller, nor does its
      // backoff: such a request goes out rather than wait out the retries (a 429 with Retry-After held
      // requests for a minute, then failed them). Without a valid token, run() below joins the refresh.
      await Promise.race([inFlight, refresh.backingOff ?? inFlight]).catch((error: unknown) => {
        if (!session.hasValidToken()) throw error
      })
    } else if (starting && session.status === 'unknown') await starting
    if (session.hasValidToken()) return session.token!.value
    if (session.token) return refresh.run(session.token.value)
    return null
  }

  /** `get()` without waiting: the token when nothing is under way (no refresh, start or rejoin), `null` when signed out, `undefined` when only `get()` can tell. */
  peek(): string | null | undefined {
    // No destroyed check: the flow that calls this is only handed out while the manager is alive,
    // and destroy() wipes the token.
    const { session, refresh } = this.deps
    if (this.deps.rejoining()) return undefined
    this.deps.checkDeadlines()
    if (refresh.inFlight || (this.deps.starting() && session.status === 'unknown')) return undefined
    if (session.hasValidToken()) return session.token!.value
    return session.token ? undefined : null
  }
}

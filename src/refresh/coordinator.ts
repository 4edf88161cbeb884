import { monotonicNow, type Clock } from '../util/clock'
import { DestroyedError, InvalidTokenError, isInvalidTokenError, RefreshError, SessionExpiredError } from '../errors'
import type { LogEntry } from '../util/logger'
import { refreshWithRetry, SingleFlight, type Cooldown, type RefreshOutcome } from './refresh-with-retry'
import type { RetryPolicy } from './backoff'
import type { Deadline } from '../util/deadline'
import type { Session } from '../session/session'
import { answersRefreshRequest, type TabLink } from '../session/tab-link'
import { acceptToken } from '../token/access-token'
import type { AuthTransport } from '../http/transport'

/** After acquiring a contended lock, how long to wait for the holder's token message. */
export const HANDOFF_GRACE = 100

export interface RefreshCoordinatorDeps {
  session: Session
  /** Only the refresh call: the rest of the transport (login, logout) is not this module's. */
  transport: Pick<AuthTransport, 'refresh'>
  clock: Clock
  cooldown: Cooldown
  retryPolicy: RetryPolicy
  refreshTimer: Deadline
  /** Longest one refresh may hold the cross-tab lock, and a tab waits for another's. */
  lockTimeout: number
  /** The backend's reuse grace window in ms (the `reuseGrace` option). */
  reuseGrace: number
  /** The other tabs (`noTabs` when cross-tab sync is off). */
  tabs: TabLink
  log(event: LogEntry['event'], detail?: LogEntry['detail']): void
}

/**
 * Every refresh of this tab: single-flight here, one per rotation across tabs (under the
 * cross-tab lock, re-checking for a token another tab already got), bounded retries, and the
 * outcome applied to the session (new token, expiry on rejection, cooldown on failure).
 */
export class RefreshCoordinator {
  private readonly flight = new SingleFlight<string>()
  /** The access token current when a refresh reply may have been lost (its refresh token may be spent). */
  private lostAt: string | null = null
  /** While this tab's refresh requests are under way: settles once an attempt failed and a retry waits. */
  backingOff: Promise<void> | null = null

  constructor(private readonly deps: RefreshCoordinatorDeps) {}

  /** The refresh in flight, if any. */
  get inFlight(): Promise<string> | null {
    return this.flight.inFlight
  }

  /** Refreshes unless one is in flight; `stale` is the token the caller found wanting. */
  run(stale: string | null): Promise<string> {
    const { session } = this.deps
    if (session.destroyed) return Promise.reject(new DestroyedError())
    return this.flight.run(
      () => this.perform(stale),
      () => session.store.flush(),
    )
  }

  /** `refresh()`: only a sign-in starts a session again once one ended in this tab. */
  force(): Promise<string> {
    const { session } = this.deps
    const ended = session.status === 'expired' || (session.status === 'signedOut' && session.everHadSession)
    if (ended && !session.destroyed) return Promise.reject(new SessionExpiredError(session.endReason))
    return this.run(session.token?.value ?? null)
  }

  /**
   * After a 401 for a request sent with `sent`: the token to replay with, or `null` to hand the
   * 401 back (signed out, or no session to refresh).
   */
  async recover(sent: string | null): Promise<string | null> {
    const { session } = this.deps
    if (session.hasNewerToken(sent)) return session.token!.value
    // Signed out or expired by choice: a 401 is the answer, not a reason to refresh.
    if (session.status === 'signedOut' || session.status === 'expired') return null
    const hadSession = session.hasSession()
    if (!hadSession && !this.cookieMode) return null
    try {
      return await this.run(sent)
    } catch (error) {
      if (!hadSession && error instanceof SessionExpiredError) return null
      throw error
    }
  }

  /**
   * A refresh reply may have been lost after the server rotated, and the access token of then is still
   * valid: the refresh token (or cookie) it would present may be spent, and presenting a spent one is
   * reuse that ends the session everywhere. So it waits until the access token expires (nothing left
   * to lose), or a new token arrives; meanwhile `refresh()` resolves with the valid token.
   */
  get holdingBack(): boolean {
    const { session } = this.deps
    if (this.lostAt !== null && (session.token?.value !== this.lostAt || !session.hasValidToken())) this.lostAt = null
    return this.lostAt !== null
  }

  /** Another tab's refresh reply may have been lost: the refresh cookie (or token) this tab would present too. */
  heardLost(): void {
    const { session } = this.deps
    if (session.hasValidToken()) this.lostAt = session.token!.value
  }

  /** The proactive refresh timer fired. */
  onDue(): void {
    const { session } = this.deps
    if (!session.token || session.destroyed || this.holdingBack) return
    const { idle } = session
    if (idle.enabled && (idle.lastActivityAt ?? 0) <= session.tokenSince) {
      // Sliding sessions: an idle user's token is allowed to lapse.
      session.skipProactive()
      this.deps.log('refresh.skipped', { reason: 'idle' })
      return
    }
    this.run(session.token.value).catch(() => undefined)
  }

  private get cookieMode(): boolean {
    return this.deps.session.cookieMode
  }

  private async perform(stale: string | null): Promise<string> {
    const { session, cooldown } = this.deps
    const cooling = cooldown.active()
    if (cooling) throw cooling
    const epoch = session.epoch
    const hadSession = session.hasSession()
    if (session.beginRefresh()) {
      // Deferred: `flight` is set only once this function has returned its promise.
      queueMicrotask(() => session.store.flush())
    }
    let outcome: RefreshOutcome | 'adopted'
    try {
      const asked = monotonicNow(this.deps.clock)
      const run = (contended: boolean) => this.underLock(stale, contended, epoch, asked)
      // Body mode needs no cross-tab lock: only the tab holding the refresh token can rotate it, and
      // a tab asking that holder must not sit on the lock the holder needs (a deadlock until the timeout).
      outcome = this.cookieMode ? await this.deps.tabs.lock.run(run, madeToken) : await run(false)
    } catch (error) {
      if (session.destroyed) throw new DestroyedError()
      if (epoch !== session.epoch) throw new SessionExpiredError('signed_out')
      outcome = { kind: 'error', error: new RefreshError('Refresh failed unexpectedly', { cause: error }) }
    }
    if (session.destroyed) throw new DestroyedError()
    if (outcome === 'adopted' || (epoch !== session.epoch && outcome.kind === 'ok')) {
      if (session.endRefresh()) session.store.commit()
      // A sign-out while we waited leaves no token, and a sign-in begun meanwhile drops this result and
      // may leave only the expired one: either way the session this caller waited on is over.
      if (session.hasValidToken()) return session.token!.value
      throw new SessionExpiredError('signed_out')
    }
    if (epoch !== session.epoch) throw new SessionExpiredError('signed_out')
    switch (outcome.kind) {
      case 'ok':
        return session.token!.value
      case 'rejected':
        if (hadSession) {
          session.expire('refresh_rejected', 'local')
        } else if (session.status !== 'expired') {
          // No session to lose (start(), or a 401 before sign-in): quietly signed out.
          session.end('signedOut')
        }
        throw new SessionExpiredError('refresh_rejected')
      case 'error':
        this.fail(outcome.error)
        throw outcome.error
    }
  }

  /** Runs with the cross-tab lock held: re-check, then at most one bounded request. */
  private async underLock(stale: string | null, contended: boolean, epoch: number, asked: number): Promise<RefreshOutcome | 'adopted'> {
    const { session, log, tabs, clock } = this.deps
    // Monotonic: a wall clock set meanwhile must not show as waiting.
    if (contended) log('lock.waited', { waitedMs: Math.round(monotonicNow(clock) - asked) })
    if (contended && !session.hasNewerToken(stale)) {
      // The holder posted its token before releasing; the message may still be on its way.
      await tabs.waitFor(endsHandoff, HANDOFF_GRACE)
    }
    log('lock.acquired', { contended })
    if (epoch !== session.epoch || session.destroyed) return 'adopted'
    if (session.hasNewerToken(stale)) {
      log('refresh.adopted')
      return 'adopted'
    }
    if (this.holdingBack) {
      log('refresh.skipped', { reason: 'reply_lost' })
      return 'adopted'
    }
    if (!this.cookieMode && !session.refreshToken) {
      // Body mode: only the tab that holds the (rotated) refresh token can refresh.
      if (tabs.crossTab && session.hasSession()) {
        void tabs.post({ type: 'refreshRequest' })
        const answer = (await tabs.waitFor(answersRefreshRequest, this.deps.lockTimeout)) as { type: string; accessToken?: string } | null
        if (session.hasNewerToken(stale)) return 'adopted'
        // A holder that rotated a moment ago answers with that token, which this tab may hold already
        // (a forced refresh right after the rotation): a valid token is the answer, not a failure.
        if (answer?.type === 'token' && session.hasValidToken() && answer.accessToken === session.token!.value) return 'adopted'
        return { kind: 'error', error: new RefreshError('No tab holding the refresh token answered') }
      }
      return { kind: 'rejected', status: 401 }
    }
    // Without a session, a refresh would resume one from the cookie: not while this browser's logout is unacknowledged (O5).
    const resuming = !session.hasSession()
    if (resuming && session.logoutPending) return { kind: 'rejected', status: 401 }
    log('refresh.started', { contended })
    // Retries present the token this refresh started with: a sign-in meanwhile brings a new one this run must not spend.
    const refreshToken = session.refreshToken
    const sessions = session.sessionsBegun
    let attempts = 0
    let backingOff!: () => void
    this.backingOff = new Promise((resolve) => (backingOff = resolve))
    const outcome = await refreshWithRetry((signal) => (attempts++, this.deps.transport.refresh(refreshToken, signal)), {
      clock,
      policy: this.deps.retryPolicy,
      signal: session.refreshAbort.signal,
      reuseGrace: this.deps.reuseGrace,
      onRetry: (attempt, delay, failed) => {
        backingOff()
        log('refresh.retrying', { attempt, delay: Math.round(delay), status: 'status' in failed ? (failed.status ?? null) : null })
      },
    }).finally(() => (this.backingOff = null))
    const { kind } = outcome
    const ended = kind === 'ok' ? 'succeeded' : kind === 'rejected' ? kind : 'failed'
    log(`refresh.${ended}`, {
      ...(kind === 'rejected' && { status: outcome.status }),
      ...(kind === 'error' && { code: outcome.error.code, status: 'status' in outcome.error ? (outcome.error.status ?? null) : null }),
      attempts,
    })
    // One closing entry for every `refresh.started`, whatever the outcome (the "started/finished").
    log('refresh.finished', { outcome: ended, attempts })
    if (epoch !== session.epoch || session.destroyed) return outcome
    // Another tab signed in (a new session) while this refreshed the old one: its result is stale.
    if (session.sessionsBegun !== sessions) return 'adopted'
    if (outcome.kind !== 'ok') {
      if (outcome.kind === 'error' && outcome.mayHaveRotated) this.heardLost()
      if (outcome.kind === 'error' && tabs.crossTab) await tabs.post({ type: 'refreshFailed', ...(outcome.mayHaveRotated && { lost: true }) })
      return outcome
    }
    // A logout was heard while this resume was on its way: the session it found is the one that logout ends.
    if (resuming && session.logoutPending) return { kind: 'rejected', status: 401 }
    try {
      const token = acceptToken(outcome.tokens, outcome.receivedAt)
      // Installing posts the token before the lock is released, so waiting tabs adopt instead of refreshing.
      session.install(token, outcome.tokens, 'local', { newSession: !session.hasSession(), resumed: !session.hasSession() })
      return outcome
    } catch (error) {
      return { kind: 'error', error: isInvalidTokenError(error) ? error : new InvalidTokenError('Unusable token', { cause: error }) }
    }
  }

  private fail(error: RefreshError | InvalidTokenError): void {
    const { session, cooldown, refreshTimer } = this.deps
    cooldown.start(error)
    session.endRefresh()
    session.store.queue('error', { error })
    // Try again once the cooldown ends if the token is still good until then; else on demand. A
    // misconfiguration would fail the same way: on demand only.
    const transient = !(error instanceof RefreshError) || error.transient
    if (transient && !this.holdingBack && session.token && cooldown.endsAt < session.token.expiresAt) refreshTimer.arm(cooldown.endsAt)
    session.store.commit()
  }
}

/** What the lock holder says before it releases: its token, or the end of the session. */
const endsHandoff = (m: { type: string }): boolean => m.type === 'token' || m.type === 'signedIn' || m.type === 'expired' || m.type === 'signedOut'

/** Only a refresh that got a token holds the lock a moment longer, for the token to reach the other tabs. */
function madeToken(outcome: RefreshOutcome | 'adopted'): boolean {
  return outcome !== 'adopted' && outcome.kind === 'ok'
}

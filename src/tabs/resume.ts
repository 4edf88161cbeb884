import { DestroyedError, isRefreshError } from '../errors'
import type { AuthTransport } from '../http/transport'
import type { RefreshCoordinator } from '../refresh/coordinator'
import { ResumeRetry } from '../session/resume-retry'
import type { Session } from '../session/session'
import type { SignIn } from '../session/sign-in'
import { answersRefreshRequest } from '../session/tab-link'
import type { Clock } from '../util/clock'
import type { Tabs } from './tab-sync'

export interface ResumeDeps {
  session: Session
  tabs: Tabs
  transport: Pick<AuthTransport, 'prepare'>
  signIn: Pick<SignIn, 'completeRedirect'>
  refresh: Pick<RefreshCoordinator, 'run'>
  clock: Clock
  /** How long to wait for the other tabs' `welcome`. */
  window: number
  /** How long a body-mode tab waits for the holder of the refresh token. */
  lockTimeout: number
}

/**
 * What `start()` does: a redirect callback in the address bar, else a token another tab holds
 * (the join handshake), else one refresh with the cookie (or, in body mode, the refresh token's
 * holder asked); whatever that finds, the status is known at the end. A transient failure keeps
 * looking (`retry`).
 */
export class Resume {
  /** Looks for the session again after `start()` could not reach the server. */
  readonly retry: ResumeRetry

  constructor(private readonly deps: ResumeDeps) {
    const { session, refresh } = deps
    this.retry = new ResumeRetry(
      deps.clock,
      async () => {
        const found = await refresh.run(null).then(
          () => true,
          (error: unknown) => !isRefreshError(error) || !error.transient,
        )
        return found || session.hasSession()
      },
      // Only while this tab never had a session: a sign-in or a logout here or elsewhere settles it.
      () => !session.destroyed && session.status === 'signedOut' && !session.everHadSession,
    )
  }

  /** @throws what discovery or a redirect callback throws; `DestroyedError` after `destroy()`. */
  async run(): Promise<void> {
    const { session, tabs, transport, signIn, refresh } = this.deps
    // Discovery first: a server that cannot work rejects start() with its reason.
    await transport.prepare()
    if (await signIn.completeRedirect()) return
    let sessionElsewhere = false
    if (!session.hasValidToken() && (await tabs.mayHavePeers())) {
      void tabs.post({ type: 'hello' })
      await tabs.waitFor((m) => {
        if (m.type === 'welcome' && m.session) sessionElsewhere = true
        if (m.type === 'welcome' && m.joinable) session.join(m.joinable, m.lastActivityAt)
        return m.type === 'welcome' && m.token !== null
      }, this.deps.window)
    }
    assertAlive(session)
    if (session.hasValidToken() || session.status !== 'unknown') return
    if (!session.cookieMode && !session.refreshToken && sessionElsewhere) {
      // Body mode, and a tab holds a session whose token lapsed (an idle user): only the holder of
      // the refresh token can refresh, so ask it, as the cookie would let this tab do in cookie mode.
      void tabs.post({ type: 'refreshRequest' })
      await tabs.waitFor(answersRefreshRequest, this.deps.lockTimeout)
      assertAlive(session)
      if (session.hasValidToken() || session.status !== 'unknown') return
    }
    if (!session.cookieMode && !session.refreshToken) {
      session.end('signedOut')
      session.store.flush()
      return
    }
    const epoch = session.epoch
    const failure = await refresh.run(null).then(
      () => null,
      (error: unknown) => error,
    )
    // (A sign-in begun meanwhile aborted that refresh: it settles the status itself.)
    // The refresh endpoint could not answer (offline, 5xx) or was misconfigured: render signed
    // out rather than `unknown` for good, and look again when the network comes back.
    if (session.epoch === epoch && settleSignedOut(session) && isRefreshError(failure) && failure.transient) this.retry.begin()
  }
}

/** A status an app can render once `start()` is over: `signedOut` if it is still `unknown`. */
export function settleSignedOut(session: Session): boolean {
  if (session.destroyed || session.status !== 'unknown') return false
  session.end('signedOut')
  session.store.flush()
  return true
}

function assertAlive(session: Session): void {
  if (session.destroyed) throw new DestroyedError()
}

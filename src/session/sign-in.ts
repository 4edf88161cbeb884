import { DestroyedError, isSetupError, LoginError } from '../errors'
import type { AuthOutcome, AuthTransport } from '../http/transport'
import { loginFailure } from '../http/transport'
import { acceptToken } from '../token/access-token'
import type { Session } from './session'

export interface SignInDeps {
  session: Session
  transport: AuthTransport
  /**
   * Runs the token call under the cross-tab lock where there is one: another tab's refresh reply
   * must not land after ours and put the old session's refresh cookie back.
   */
  exclusive<T>(call: () => Promise<T>): Promise<T>
}

/** Every way a session begins in this tab: credentials, a redirect round trip, tokens adopted by hand. */
export class SignIn {
  constructor(private readonly deps: SignInDeps) {}

  /** `login(credentials)`, or the redirect for a backend that signs in by redirect (never settles: the page leaves). */
  async login(credentials: Record<string, unknown>): Promise<void> {
    const { backend } = this.deps.transport
    if (backend.authorize) {
      await this.deps.transport.prepare().catch(rethrowAsLoginError)
      await backend.authorize(credentials)
      return new Promise<never>(() => {})
    }
    await this.signIn(() => this.deps.transport.login(credentials))
  }

  /**
   * On `start()`: exchanges a redirect callback in the address bar for tokens. `false` when the page
   * is not a callback. Rejects with a `LoginError` for an `error=` callback, a bad or replayed
   * `state` or a failed exchange: none of them signs in.
   */
  async completeRedirect(): Promise<boolean> {
    const { backend } = this.deps.transport
    if (!backend.callback) return false
    const request = await backend.callback()
    if (!request) return false
    await this.signIn(() => this.deps.transport.exchange(request))
    return true
  }

  private async signIn(call: () => Promise<AuthOutcome>): Promise<void> {
    const { session } = this.deps
    const epoch = ++session.epoch
    // An outdated refresh of this tab holds the cross-tab lock: abort it rather than wait behind
    // it (a hung refresh endpoint made login() take 45 s).
    session.abortRefresh()
    const outcome = await this.deps.exclusive(call).catch((error: unknown) => {
      // destroy() while queued for the lock: the usual DestroyedError, not a failed login.
      if (session.destroyed) throw new DestroyedError()
      return rethrowAsLoginError(error)
    })
    if (session.destroyed) throw new DestroyedError()
    if (outcome.kind !== 'ok') throw loginFailure(outcome)
    if (epoch !== session.epoch) throw new LoginError('Login superseded by a sign-out')
    session.install(acceptToken(outcome.tokens, outcome.receivedAt), outcome.tokens, 'local', { newSession: true })
    session.store.flush()
  }
}

function rethrowAsLoginError(cause: unknown): never {
  if (isSetupError(cause)) throw cause
  throw new LoginError('Login request failed', { cause })
}

import { DestroyedError, isSetupError, LoginError } from '../errors'
import type { AuthOutcome, AuthTransport } from '../http/transport'
import { loginFailure } from '../http/transport'
import { acceptToken } from '../token/access-token'
import type { LogEntry } from '../util/logger'
import type { Clock } from '../util/clock'
import type { TokenResponse } from '../token/token-response'
import type { Session } from './session'

export interface SignInDeps {
  session: Session
  clock: Clock
  transport: AuthTransport
  /**
   * Runs the token call under the cross-tab lock where there is one: another tab's refresh reply
   * must not land after ours and put the old session's refresh cookie back.
   */
  exclusive<T>(call: () => Promise<T>): Promise<T>
  log(event: LogEntry['event'], detail?: LogEntry['detail']): void
}

type Accepted = Extract<AuthOutcome, { kind: 'ok' }>
/** How one attempt ended under the lock; errors are carried, not thrown, so the lock's own are told apart. */
type Result = { kind: 'installed' } | { kind: 'skipped' } | { kind: 'failed'; error: unknown }

/** One sign-in of this tab, from `login()` or a redirect callback. */
interface Attempt {
  /** `null` for a redirect callback (never joined), and once settled (no password kept in memory). */
  credentials: Record<string, unknown> | null
  /** `session.epoch` once it began: a sign-out (any session end) since then supersedes it. */
  readonly epoch: number
  /** The sign-in begun while this one was pending, with no sign-out between: this one settles as that one. */
  next: Attempt | null
  settled: boolean
  done: Promise<void>
}

/** Every way a session begins in this tab: credentials, a redirect round trip, tokens adopted by hand. */
export class SignIn {
  private latest: Attempt | null = null
  /**
   * This tab's token calls, one at a time (also without Web Locks): replies, and the cookies they
   * set, land in the order the sign-ins began, so a superseded one can be logged out on the
   * server while its cookie is still the browser's latest, before the next one sets its own.
   */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly deps: SignInDeps) {}

  /** `setSession(tokens)`: tokens obtained elsewhere, as a `TokenResponse` or a reply the backend reads. */
  adopt(tokens: TokenResponse | Record<string, unknown>): void {
    const { session, transport } = this.deps
    const now = this.deps.clock.now()
    const reply =
      typeof tokens.accessToken === 'string'
        ? (tokens as TokenResponse)
        : transport.backend.readTokens({ status: 200, headers: new Headers(), body: tokens, receivedAt: now })
    session.install(acceptToken(reply, now), reply, 'local', { newSession: !session.hasSession() })
    session.store.flush()
  }

  /** `login(credentials)`, or the redirect for a backend that signs in by redirect (never settles: the page leaves). */
  async login(credentials: Record<string, unknown>): Promise<void> {
    const { backend } = this.deps.transport
    if (backend.authorize) {
      await this.deps.transport.prepare().catch(rethrowAsLoginError)
      await backend.authorize(credentials)
      return new Promise<never>(() => {})
    }
    await this.signIn(() => this.deps.transport.login(credentials), credentials)
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
    await this.signIn(() => this.deps.transport.exchange(request), null)
    return true
  }

  private signIn(call: () => Promise<AuthOutcome>, credentials: Record<string, unknown> | null): Promise<void> {
    const { session } = this.deps
    const pending = this.latest && !this.latest.settled && this.latest.epoch === session.epoch ? this.latest : null
    // A double-submitted form: one request, one session, both calls settle with it (a one-time
    // code sent twice would fail the second time).
    if (pending && credentials && pending.credentials && sameJson(pending.credentials, credentials)) return pending.done
    const attempt: Attempt = { credentials, epoch: session.beginSignIn(), next: null, settled: false, done: Promise.resolve() }
    if (pending) pending.next = attempt
    this.latest = attempt
    // An outdated refresh of this tab holds the cross-tab lock: abort it rather than wait behind
    // it (a hung refresh endpoint made login() take 45 s).
    session.abortRefresh()
    attempt.done = this.run(attempt, call).finally(() => {
      attempt.settled = true
      attempt.credentials = null
      if (this.latest === attempt) this.latest = null
    })
    return attempt.done
  }

  private async run(attempt: Attempt, call: () => Promise<AuthOutcome>): Promise<void> {
    const { session } = this.deps
    // The lock is asked for now (Web Locks grant in order); the queue orders the calls without one.
    const previous = this.queue
    const turn = this.deps.exclusive(() => previous.then(() => this.attempt(attempt, call)))
    this.queue = turn.catch(() => undefined)
    const result = await turn.catch((cause: unknown): Result => ({ kind: 'failed', error: asLoginError(cause) }))
    if (session.destroyed) throw new DestroyedError()
    if (result.kind === 'installed') return session.store.flush()
    // Overlapping sign-ins settle on the last one: its result is every caller's.
    if (attempt.next) return attempt.next.done
    if (result.kind === 'failed') throw result.error
    throw new LoginError('Login superseded by a sign-out')
  }

  /** Under the lock, after the sign-ins begun before: the token call, then at once its session installed or logged out. */
  private async attempt(attempt: Attempt, call: () => Promise<AuthOutcome>): Promise<Result> {
    const { session } = this.deps
    // Superseded while it waited for its turn: never sent.
    if (this.superseded(attempt)) return { kind: 'skipped' }
    const sentSeq = session.order.next()
    let outcome: AuthOutcome
    try {
      outcome = await call()
    } catch (cause) {
      return { kind: 'failed', error: asLoginError(cause) }
    }
    if (this.superseded(attempt)) {
      // Accepted, but this tab will not use it: end it on the server now, while its cookie is the
      // browser's latest (the lock keeps other tabs' token calls out) and before a later sign-in
      // sets its own (a cookie-mode logout clears the one cookie, whoever it belongs to).
      // After destroy() nothing follows in this tab: the caller need not wait for that call.
      const revoking = outcome.kind === 'ok' ? this.revoke(outcome) : null
      if (revoking && !session.destroyed) await revoking
      return { kind: 'skipped' }
    }
    if (outcome.kind !== 'ok') return { kind: 'failed', error: loginFailure(outcome) }
    try {
      session.install(acceptToken(outcome.tokens, outcome.receivedAt), outcome.tokens, 'local', { newSession: true, sentSeq })
    } catch (error) {
      return { kind: 'failed', error }
    }
    return { kind: 'installed' }
  }

  private superseded(attempt: Attempt): boolean {
    return attempt.next !== null || attempt.epoch !== this.deps.session.epoch || this.deps.session.destroyed
  }

  /** Logs out on the server a session whose reply came after a later sign-in, a sign-out or `destroy()`. */
  private async revoke({ tokens, receivedAt }: Accepted): Promise<void> {
    let accessToken: string | null = null
    try {
      accessToken = acceptToken(tokens, receivedAt).value
    } catch {
      // Unusable as a Bearer: the refresh cookie (or token) still names the session.
    }
    const status = await this.deps.transport.logout({ everywhere: false, accessToken, refreshToken: tokens.refreshToken ?? null })
    this.deps.log('login.superseded', { status: status ?? null })
  }
}

function asLoginError(cause: unknown): unknown {
  return isSetupError(cause) ? cause : new LoginError('Login request failed', { cause })
}

function rethrowAsLoginError(cause: unknown): never {
  throw asLoginError(cause)
}

/** Equal as sent (JSON, so the same form gives the same text); never equal when one cannot be sent. */
function sameJson(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b)
  } catch {
    return false
  }
}

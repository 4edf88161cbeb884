import ky, { type KyInstance } from 'ky'
import type { Clock } from '../util/clock'
import { InvalidTokenError, isInvalidTokenError, isSetupError, LoginError } from '../errors'
import { parseRetryAfter } from '../refresh/backoff'
import type { TokenResponse } from '../token/token-response'
import { isTransientStatus, readServerError, type Backend, type BackendReply, type BackendRequest, type ServerError } from './backend'

/** The largest token reply read (1 MiB): a token reply is a few kB; a bigger one is not read into memory. */
export const MAX_REPLY_BYTES = 1024 * 1024

class ReplyTooLarge extends Error {}

/** Reads a body as text, at most `MAX_REPLY_BYTES`; cancels the stream and throws `ReplyTooLarge` past it. */
async function readCapped(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  if (declared > MAX_REPLY_BYTES) {
    void response.body?.cancel().catch(() => undefined)
    throw new ReplyTooLarge()
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let size = 0
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    size += value.byteLength
    if (size > MAX_REPLY_BYTES) {
      void reader.cancel().catch(() => undefined)
      throw new ReplyTooLarge()
    }
    text += decoder.decode(value, { stream: true })
  }
}

/** How one auth call ended; the refresh engine and the manager map these to state. */
export type AuthOutcome =
  | { kind: 'ok'; tokens: TokenResponse; receivedAt: number }
  /** The server says no: for refresh the refresh token is dead and the session ends. */
  | { kind: 'rejected'; status: number; retryAfter?: number; server?: ServerError }
  /**
   * Network error, timeout, 408, 425, 429, 5xx: worth retrying. `mayHaveRotated`: the request may
   * have reached the server and its reply been lost (no reply, a 502/504 gateway answer, or a
   * body-mode token reply cut off), so the refresh token sent may be spent.
   */
  | { kind: 'transient'; status?: number; retryAfter?: number; cause?: unknown; server?: ServerError; mayHaveRotated?: true }
  /** 2xx that is not a usable token (HTML, empty, no token). */
  | { kind: 'invalid'; error: InvalidTokenError }
  /** A misconfiguration (a 400 field error, 404, 405...): not retried, not a logout. */
  | { kind: 'failed'; status: number; server?: ServerError }

export interface TransportConfig {
  backend: Backend
  timeout: number
  /** The CSRF header, added to the calls a backend marks `csrf`. */
  csrfHeaders: Readonly<Record<string, string>>
  getFetch: () => typeof fetch
  clock: Clock
}

/** The auth HTTP calls a backend describes, through ky for its timeout and body handling; retries live in refresh/. */
export class AuthTransport {
  private readonly http: KyInstance
  private prepared: Promise<void> | null = null

  constructor(private readonly config: TransportConfig) {
    this.http = ky.create({
      // Looked up per call so a fetch patched or injected later is honoured.
      fetch: (input, init) => config.getFetch()(input, init),
      timeout: config.timeout,
      retry: 0,
      throwHttpErrors: false,
      cache: 'no-store',
    })
  }

  get backend(): Backend {
    return this.config.backend
  }

  /** The backend's one-time set-up (discovery); a failed one is tried again on the next call. */
  prepare(): Promise<void> {
    const { backend } = this.config
    if (!backend.prepare) return Promise.resolve()
    this.prepared ??= backend.prepare().catch((error: unknown) => {
      this.prepared = null
      throw error
    })
    return this.prepared
  }

  login(credentials: Record<string, unknown>, signal?: AbortSignal): Promise<AuthOutcome> {
    return this.tokenCall(() => this.config.backend.login(credentials), 'login', signal)
  }

  refresh(refreshToken: string | null, signal?: AbortSignal): Promise<AuthOutcome> {
    return this.tokenCall(() => this.config.backend.refresh(refreshToken), 'refresh', signal)
  }

  /** A token request built elsewhere (the authorization-code exchange), read as a login. */
  exchange(request: BackendRequest, signal?: AbortSignal): Promise<AuthOutcome> {
    return this.tokenCall(() => request, 'login', signal)
  }

  /** Best effort: resolves with the first call's status (or `undefined` on network error), never throws. */
  async logout(session: { everywhere: boolean; refreshToken: string | null; accessToken: string | null }): Promise<number | undefined> {
    let first: number | undefined
    try {
      await this.prepare()
      const requests = this.config.backend.logout(session)
      for (const [index, request] of requests.entries()) {
        const response = await this.send(request).catch(() => undefined)
        // Not awaited: under msw's setupServer a cancelled mocked body never settles (mswjs/interceptors #712).
        void response?.body?.cancel().catch(() => undefined)
        if (index === 0) first = response?.status
      }
    } catch {
      // Logout never fails the caller: memory is already cleared.
    }
    return first
  }

  private send(request: BackendRequest, signal?: AbortSignal): Promise<Response> {
    const { body } = request
    return this.http(request.url, {
      method: request.method ?? 'POST',
      credentials: request.credentials ?? 'same-origin',
      headers: { ...(request.csrf && this.config.csrfHeaders), ...request.headers },
      ...(body instanceof URLSearchParams ? { body } : body !== undefined && { json: body }),
      ...(signal && { signal }),
    })
  }

  private async tokenCall(build: () => BackendRequest, call: 'login' | 'refresh', signal?: AbortSignal): Promise<AuthOutcome> {
    const { backend, clock } = this.config
    let response: Response
    let sending = false
    // Only a refresh spends what it presents; a login lost on the way is simply sent again.
    const lost = call === 'refresh' ? ({ mayHaveRotated: true } as const) : {}
    try {
      await this.prepare()
      const request = build()
      sending = true
      response = await this.send(request, signal)
    } catch (cause) {
      if (signal?.aborted) throw cause
      // A backend that cannot work (discovery metadata without a token endpoint): not worth a retry.
      if (isSetupError(cause)) throw cause
      // fetch cannot tell a refused connection from a reply lost after the server acted on it.
      return { kind: 'transient', cause, ...(sending && lost) }
    }
    const receivedAt = clock.now()
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), receivedAt)
    let text: string
    try {
      text = await readCapped(response)
    } catch (cause) {
      if (cause instanceof ReplyTooLarge) {
        return { kind: 'invalid', error: new InvalidTokenError(`Token reply ${response.status} is over the ${MAX_REPLY_BYTES}-byte cap`) }
      }
      // Cookie mode: the headers (the new cookie) arrived; body mode: the new refresh token was in the lost body.
      const spent = response.ok && backend.refreshTokenTransport === 'body'
      return { kind: 'transient', status: response.status, cause, ...(spent && lost) }
    }
    const reply: BackendReply = { status: response.status, headers: response.headers, body: parseBody(text), receivedAt }
    if (!response.ok) {
      const server = readServerError(reply.body)
      const after = retryAfter !== undefined ? { retryAfter } : {}
      const kind = call === 'refresh' ? backend.classifyRefreshFailure(reply) : isTransientStatus(response.status) ? 'transient' : 'ended'
      // A gateway's 502/504: the server behind it may have rotated and its reply (and cookie) never came through.
      const gateway = response.status === 502 || response.status === 504
      if (kind === 'transient') return { kind, status: response.status, server, ...after, ...(gateway && lost) }
      if (kind === 'ended') return { kind: 'rejected', status: response.status, server, ...after }
      return { kind: 'failed', status: response.status, server }
    }
    try {
      if (text.trim() === '') throw new InvalidTokenError(`Token reply ${response.status} has an empty body`)
      if (typeof reply.body === 'string') throw new InvalidTokenError(`Token reply ${response.status} is not JSON`)
      return { kind: 'ok', tokens: backend.readTokens(reply), receivedAt }
    } catch (error) {
      const invalid = isInvalidTokenError(error) ? error : new InvalidTokenError('The backend could not read the token reply', { cause: error })
      return { kind: 'invalid', error: invalid }
    }
  }
}

/** JSON when it parses, else the text; `undefined` for an empty body. */
function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The error `login()` throws for an outcome other than a token. */
export function loginFailure(outcome: Exclude<AuthOutcome, { kind: 'ok' }>): LoginError | InvalidTokenError {
  if (outcome.kind === 'invalid') return outcome.error
  const { status, server } = outcome
  const retryAfter = 'retryAfter' in outcome && outcome.retryAfter !== undefined ? Math.ceil(outcome.retryAfter / 1000) : undefined
  const code = server?.error ? ` ${server.error}` : ''
  return new LoginError(status === undefined ? 'Login failed: network error or timeout' : `Login failed (${status}${code})`, {
    ...(status !== undefined && { status }),
    ...(retryAfter !== undefined && { retryAfter }),
    ...server,
    ...('cause' in outcome && { cause: outcome.cause }),
  })
}

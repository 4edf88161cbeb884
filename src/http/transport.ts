import ky, { type KyInstance } from 'ky'
import type { Clock } from '../util/clock'
import { InvalidTokenError, isInvalidTokenError, LoginError } from '../errors'
import { parseRetryAfter } from '../refresh/backoff'
import type { TokenResponse } from '../token/token-response'

/** The largest token reply read (1 MiB): a token reply is a few kB; a bigger one is not read into memory. */
export const MAX_REPLY_BYTES = 1024 * 1024

class ReplyTooLarge extends Error {}

/** Reads a body as text, at most `MAX_REPLY_BYTES`; cancels the stream and throws `ReplyTooLarge` past it. */
async function readCapped(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  if (declared > MAX_REPLY_BYTES) {
    await response.body?.cancel().catch(() => undefined)
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
      await reader.cancel().catch(() => undefined)
      throw new ReplyTooLarge()
    }
    text += decoder.decode(value, { stream: true })
  }
}

/** How one auth call ended; the refresh engine and the manager map these to state. */
export type AuthOutcome =
  | { kind: 'ok'; tokens: TokenResponse; receivedAt: number }
  /** 400/401/403: the server says no; for refresh this ends the session. */
  | { kind: 'rejected'; status: number; retryAfter?: number }
  /** Network error, timeout, 408, 425, 429, 5xx: worth retrying. */
  | { kind: 'transient'; status?: number; retryAfter?: number; cause?: unknown }
  /** 2xx that is not a usable token (HTML, empty, no token). */
  | { kind: 'invalid'; error: InvalidTokenError }
  /** Any other status (404, 405, 409...): a misconfiguration, not retried, not a logout. */
  | { kind: 'failed'; status: number }

export interface TransportConfig {
  endpoints: { login: string; refresh: string; logout: string }
  timeout: number
  cookieMode: boolean
  /** Custom header sent on every auth call: a cross-site form cannot send it (CSRF defence). */
  csrfHeaders: Readonly<Record<string, string>>
  getFetch: () => typeof fetch
  parseTokenResponse: (body: unknown) => TokenResponse
  clock: Clock
}

const TRANSIENT_STATUSES = new Set([408, 425, 429])

export function classifyStatus(status: number): 'rejected' | 'transient' | 'failed' {
  if (status === 400 || status === 401 || status === 403) return 'rejected'
  if (TRANSIENT_STATUSES.has(status) || status >= 500) return 'transient'
  return 'failed'
}

/** The auth HTTP calls, through ky for its timeout and body handling; retries live in refresh.ts. */
export class AuthTransport {
  private readonly http: KyInstance

  constructor(private readonly config: TransportConfig) {
    this.http = ky.create({
      // Looked up per call so a fetch patched or injected later is honoured.
      fetch: (input, init) => config.getFetch()(input, init),
      timeout: config.timeout,
      retry: 0,
      throwHttpErrors: false,
      credentials: config.cookieMode ? 'include' : 'same-origin',
      cache: 'no-store',
      headers: config.csrfHeaders,
    })
  }

  login(credentials: Record<string, unknown>, signal?: AbortSignal): Promise<AuthOutcome> {
    return this.tokenCall(this.config.endpoints.login, credentials, signal)
  }

  refresh(refreshToken: string | null, signal?: AbortSignal): Promise<AuthOutcome> {
    const body = this.config.cookieMode ? undefined : { refreshToken }
    return this.tokenCall(this.config.endpoints.refresh, body, signal)
  }

  /** Best effort: resolves with the status (or `undefined` on network error), never throws. */
  async logout(options: { everywhere: boolean; refreshToken: string | null; accessToken: string | null }): Promise<number | undefined> {
    const body: Record<string, unknown> = { everywhere: options.everywhere }
    if (!this.config.cookieMode && options.refreshToken) body.refreshToken = options.refreshToken
    try {
      const response = await this.http.post(this.config.endpoints.logout, {
        json: body,
        headers: options.accessToken ? { authorization: `Bearer ${options.accessToken}` } : {},
      })
      return response.status
    } catch {
      return undefined
    }
  }

  private async tokenCall(url: string, body: unknown, signal?: AbortSignal): Promise<AuthOutcome> {
    let response: Response
    try {
      response = await this.http.post(url, { ...(body !== undefined && { json: body }), ...(signal && { signal }) })
    } catch (cause) {
      if (signal?.aborted) throw cause
      return { kind: 'transient', cause }
    }
    const receivedAt = this.config.clock.now()
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), receivedAt)
    if (!response.ok) {
      // Drain the body so the connection is released; its content is not needed.
      await response.body?.cancel().catch(() => undefined)
      const kind = classifyStatus(response.status)
      if (kind === 'transient') return { kind, status: response.status, ...(retryAfter !== undefined && { retryAfter }) }
      if (kind === 'rejected') return { kind, status: response.status, ...(retryAfter !== undefined && { retryAfter }) }
      return { kind, status: response.status }
    }
    let text: string
    try {
      text = await readCapped(response)
    } catch (cause) {
      if (cause instanceof ReplyTooLarge) {
        return { kind: 'invalid', error: new InvalidTokenError(`Token reply ${response.status} is over the ${MAX_REPLY_BYTES}-byte cap`) }
      }
      return { kind: 'transient', status: response.status, cause }
    }
    try {
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        throw new InvalidTokenError(
          text.trim() === '' ? `Token reply ${response.status} has an empty body` : `Token reply ${response.status} is not JSON`,
        )
      }
      return { kind: 'ok', tokens: this.config.parseTokenResponse(json), receivedAt }
    } catch (error) {
      const invalid = isInvalidTokenError(error)
        ? error
        : new InvalidTokenError('parseTokenResponse threw', { cause: error })
      return { kind: 'invalid', error: invalid }
    }
  }
}

/** The error `login()` throws for an outcome other than a token. */
export function loginFailure(outcome: Exclude<AuthOutcome, { kind: 'ok' }>): LoginError | InvalidTokenError {
  switch (outcome.kind) {
    case 'invalid':
      return outcome.error
    case 'transient':
      return new LoginError(outcome.status === undefined ? 'Login failed: network error or timeout' : `Login failed (${outcome.status})`, {
        ...(outcome.status !== undefined && { status: outcome.status }),
        ...(outcome.retryAfter !== undefined && { retryAfter: Math.ceil(outcome.retryAfter / 1000) }),
        cause: outcome.cause,
      })
    default:
      return new LoginError(`Login failed (${outcome.status})`, {
        status: outcome.status,
        ...('retryAfter' in outcome && outcome.retryAfter !== undefined && { retryAfter: Math.ceil(outcome.retryAfter / 1000) }),
      })
  }
}

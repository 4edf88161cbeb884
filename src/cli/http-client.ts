import { parseSetCookie, type SetCookie } from './cookies'
import { CheckInputError } from './input-error'

/** One reply, read whole: status, headers, its cookies, the body as text and (if it parses) JSON. */
export interface Reply {
  status: number
  headers: Headers
  setCookies: SetCookie[]
  text: string
  json: unknown
  /** Local clock when the request was sent and when the reply arrived (ms since epoch). */
  sentAt: number
  receivedAt: number
}

export interface SendOptions {
  method?: string
  /** Sent as `application/json`. */
  json?: unknown
  /** Sent as `application/x-www-form-urlencoded` (OAuth 2 token and revocation requests). */
  form?: Record<string, string>
  headers?: Record<string, string>
  /** The `Cookie` header (the caller's jar decides what it holds). */
  cookie?: string
}

/**
 * Node's fetch against the backend: redirects are not followed (a redirect to a login page is
 * a finding, not something to chase), a timeout per request, and network failures turned
 * into one-line `CheckInputError`s. It never logs: requests carry credentials and tokens.
 */
export class HttpClient {
  constructor(
    private readonly baseUrl: URL,
    private readonly timeout: number,
    private readonly now: () => number = Date.now,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  url(path: string): URL {
    return new URL(path, this.baseUrl)
  }

  async send(path: string, options: SendOptions = {}): Promise<Reply> {
    const url = this.url(path)
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
    if (options.json !== undefined) headers['content-type'] = 'application/json'
    if (options.cookie) headers.cookie = options.cookie
    const sentAt = this.now()
    let response: Response
    try {
      response = await this.fetchImpl(url, {
        method: options.method ?? 'GET',
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeout),
        ...(options.json !== undefined && { body: JSON.stringify(options.json) }),
        ...(options.form !== undefined && { body: new URLSearchParams(options.form) }),
      })
    } catch (error) {
      throw networkError(error, url, this.timeout)
    }
    let text = ''
    try {
      text = await response.text()
    } catch (error) {
      throw networkError(error, url, this.timeout)
    }
    let json: unknown
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    const setCookies = response.headers
      .getSetCookie()
      .map(parseSetCookie)
      .filter((c): c is SetCookie => c !== null)
    return { status: response.status, headers: response.headers, setCookies, text, json, sentAt, receivedAt: this.now() }
  }
}

function networkError(error: unknown, url: URL, timeout: number): CheckInputError {
  const name = error instanceof Error ? error.name : ''
  if (name === 'TimeoutError' || name === 'AbortError')
    return new CheckInputError('TIMEOUT', `${url.origin} did not answer ${url.pathname} within ${timeout} ms`)
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined
  const code = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : 'network error'
  return new CheckInputError('UNREACHABLE', `cannot reach ${url.origin} (${code})`)
}

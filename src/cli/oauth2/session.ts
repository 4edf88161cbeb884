import type { RotatingSession } from '../checks/rotation'
import type { HttpClient, Reply } from '../http-client'
import { readTokenFields } from '../session'

/** RFC 6749 §5.2 `error` of a reply (a short code, never token text), or `undefined`. */
export function oauthError(reply: Reply): string | undefined {
  const body = reply.json
  const error = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).error : undefined
  return typeof error === 'string' && /^[\w.-]{1,40}$/.test(error) ? error : undefined
}

export const describeOAuth = (reply: Reply): string => {
  const error = oauthError(reply)
  return error ? `${reply.status} ${error}` : String(reply.status)
}

/**
 * A refresh token from a sign-in done elsewhere, refreshed as the `oauth2()` preset does it:
 * the RFC 6749 §6 grant, form-encoded with `client_id`, no cookies and no custom header.
 * It keeps the current tokens; nothing here prints them.
 */
export class OAuth2Session implements RotatingSession {
  readonly label = 'refresh_token'
  accessToken = ''

  constructor(
    private readonly client: HttpClient,
    private readonly tokenEndpoint: URL,
    private readonly clientId: string,
    public refreshToken: string,
  ) {}

  async refresh(options: { token?: string; origin?: string } = {}): Promise<Reply> {
    const reply = await this.client.send(this.tokenEndpoint.href, {
      method: 'POST',
      form: { grant_type: 'refresh_token', refresh_token: options.token ?? this.refreshToken, client_id: this.clientId },
      ...(options.origin && { headers: { origin: options.origin } }),
    })
    const tokens = reply.status >= 200 && reply.status < 300 ? readTokenFields(reply.json) : null
    if (tokens) {
      this.accessToken = tokens.accessToken
      this.refreshToken = tokens.refreshToken ?? this.refreshToken
    }
    return reply
  }

  refreshTokenIn(reply: Reply): string | undefined {
    return readTokenFields(reply.json)?.refreshToken
  }

  /** The preset ends the session on `invalid_grant` only; other errors are misconfigurations. */
  ends(reply: Reply): boolean {
    return oauthError(reply) === 'invalid_grant'
  }

  describe(reply: Reply): string {
    return describeOAuth(reply)
  }
}

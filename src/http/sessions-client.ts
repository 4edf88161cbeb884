import { SessionsApiError } from '../errors'
import type { SessionDevice, SessionInfo } from '../types'

const DEVICES: readonly SessionDevice[] = ['desktop', 'mobile', 'tablet', 'unknown']

function toSessionInfo(raw: unknown): SessionInfo | null {
  if (typeof raw !== 'object' || raw === null) return null
  const r = raw as Record<string, unknown>
  if (typeof r.id !== 'string') return null
  const text = (value: unknown) => (typeof value === 'string' ? value : '')
  return {
    id: r.id,
    current: r.current === true,
    device: DEVICES.includes(r.device as SessionDevice) ? (r.device as SessionDevice) : 'unknown',
    browser: text(r.browser),
    os: text(r.os),
    ip: text(r.ip),
    createdAt: text(r.createdAt),
    lastActiveAt: text(r.lastActiveAt),
    expiresAt: text(r.expiresAt),
  }
}

/**
 * The device/session API, through the manager's authorized fetch (Bearer, queued during
 * refresh, 401 → refresh and replay once).
 */
export class SessionsClient {
  constructor(
    private readonly endpoint: string,
    private readonly authorizedFetch: typeof fetch,
    private readonly csrfHeaders: Readonly<Record<string, string>>,
  ) {}

  /** `GET {sessions}` → `{ sessions: SessionInfo[] }`. */
  async list(): Promise<SessionInfo[]> {
    const response = await this.call(this.endpoint, 'GET')
    const body = (await response.json().catch(() => null)) as { sessions?: unknown } | null
    if (!body || !Array.isArray(body.sessions)) throw new SessionsApiError('Sessions reply has no sessions array', response.status)
    return body.sessions.map(toSessionInfo).filter((s): s is SessionInfo => s !== null)
  }

  /** `DELETE {sessions}/:id` → 204. */
  async revoke(id: string): Promise<void> {
    const response = await this.call(`${this.endpoint}/${encodeURIComponent(id)}`, 'DELETE')
    // Not awaited: a cancel may never settle (msw's setupServer bodies, debug proxies).
    void response.body?.cancel().catch(() => undefined)
  }

  /** `POST {sessions}/revoke-others` → `{ revoked }`; resolves with the count. */
  async revokeOthers(): Promise<number> {
    const response = await this.call(`${this.endpoint}/revoke-others`, 'POST')
    const body = (await response.json().catch(() => null)) as { revoked?: unknown } | null
    return typeof body?.revoked === 'number' ? body.revoked : 0
  }

  private async call(url: string, method: string): Promise<Response> {
    const headers = { accept: 'application/json', ...this.csrfHeaders }
    const response = await this.authorizedFetch(url, { method, headers, credentials: 'include' })
    if (!response.ok) {
      void response.body?.cancel().catch(() => undefined)
      throw new SessionsApiError(`Sessions API answered ${response.status}`, response.status)
    }
    return response
  }
}

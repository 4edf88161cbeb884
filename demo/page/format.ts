import { isLoginError, isRefreshError, isSessionExpiredError, isTokenKeeperError } from '../../src/index'

/** "1:05", "12 s", "expired": a countdown to an epoch-ms moment. */
export function countdown(at: number | null, now = Date.now()): string {
  if (at === null) return '—'
  const ms = at - now
  if (ms <= 0) return 'now'
  const total = Math.ceil(ms / 1000)
  if (total < 60) return `${total} s`
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m}:${String(s).padStart(2, '0')}`
}

export function clockTime(at: number | string | null): string {
  if (at === null) return '—'
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

/** "just now", "2 minutes ago", "3 hours ago". */
export function timeAgo(at: string | number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - new Date(at).getTime()) / 1000))
  if (seconds < 45) return 'just now'
  const [value, unit] =
    seconds < 3600
      ? [Math.max(1, Math.round(seconds / 60)), 'minute']
      : seconds < 86400
        ? [Math.round(seconds / 3600), 'hour']
        : [Math.round(seconds / 86400), 'day']
  return `${value} ${unit}${value === 1 ? '' : 's'} ago`
}

export const TOO_MANY = 'Too many requests. Please try again later.'
export const FORBIDDEN = 'You do not have permission.'

function waitText(seconds: number | undefined): string {
  return seconds !== undefined && seconds > 0 ? ` (wait ${seconds} s)` : ''
}

/** A message for the user, by kind of failure: never the raw error text alone. */
export function describeError(error: unknown): string {
  if (isLoginError(error)) {
    if (error.status === 401) return 'Wrong username or password.'
    if (error.status === 429) return `${TOO_MANY}${waitText(error.retryAfter)}`
    if (error.status === 400) return 'The server did not understand the request.'
    if (error.status === undefined)
      return isTimeout(error.cause)
        ? 'The server took too long to answer (timeout). Try again.'
        : 'Network error: the server could not be reached. Check your connection and try again.'
    if (error.status >= 500) return `The server is having trouble (${error.status}). Try again in a moment.`
    return `Sign-in failed (${error.status}).`
  }
  if (isSessionExpiredError(error)) return 'Your session has ended. Please log in again.'
  if (isRefreshError(error)) {
    if (error.status === 429) return `${TOO_MANY}${error.retryAt ? waitText(Math.ceil((error.retryAt - Date.now()) / 1000)) : ''}`
    if (error.status === undefined)
      return isTimeout(error.cause) ? 'Refreshing the session timed out; will retry.' : 'Network error while refreshing the session; will retry.'
    return `The server could not refresh the session (${error.status}); will retry.`
  }
  if (isTokenKeeperError(error)) {
    if (error.code === 'INVALID_TOKEN') return 'The server sent an unusable token reply.'
    if ((error as { status?: number }).status === 403) return FORBIDDEN
    if ((error as { status?: number }).status === 429) return TOO_MANY
    return error.message
  }
  if (isTimeout(error)) return 'The request timed out.'
  if (error instanceof TypeError) return 'Network error: the server could not be reached.'
  return error instanceof Error ? error.message : String(error)
}

export function isTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TimeoutError'
}

/** A message for an HTTP reply of the API. */
export function describeStatus(response: Response): string | null {
  if (response.ok) return null
  if (response.status === 401) return 'Not signed in (401).'
  if (response.status === 403) return FORBIDDEN
  if (response.status === 429) {
    const after = Number(response.headers.get('retry-after'))
    return `${TOO_MANY}${waitText(Number.isFinite(after) ? after : undefined)}`
  }
  if (response.status >= 500) return `The server is having trouble (${response.status}).`
  return `Request failed (${response.status}).`
}

export const EXPIRY_REASONS: Record<string, string> = {
  refresh_rejected:
    'The server no longer accepts this session: it was revoked (from another device or by an admin), signed out elsewhere, or its refresh token was replayed.',
  idle: 'You were signed out because you were inactive for too long.',
  max_age: 'Sessions last a limited time and this one reached its maximum age.',
}

/** The policy line under the status panel; "off" reads as off, not as "— (off) … warning 30 s before". */
export function policyNote(config: { idleTimeout: number; idleWarningTime: number; maxSessionAge: number; reuseGrace?: number }): string {
  const seconds = (ms: number) => `${ms / 1000} s`
  const idle = config.idleTimeout
    ? `Idle sign-out after ${seconds(config.idleTimeout)} without activity${config.idleWarningTime ? `, with a warning ${seconds(config.idleWarningTime)} before` : ', without a warning'}`
    : 'Idle sign-out is off'
  const age = config.maxSessionAge ? `sessions end ${config.maxSessionAge / 60_000} min after sign-in` : 'no maximum session age'
  const grace = config.reuseGrace
    ? `a refresh whose reply was lost is retried within half of a ${seconds(config.reuseGrace)} reuse grace window (\`?grace=\`)`
    : 'a refresh whose reply was lost is not retried (no reuse grace window trusted; open with `?grace=10` to trust one)'
  return `${idle}; ${age}; ${grace}. Access tokens live in memory only; the refresh token is an HttpOnly cookie.`
}

import { type MockBackendOptions, REFRESH_COOKIE, type Session } from './model'

/** What the mock backend reads from requests and writes into replies: the refresh cookie, the device-session view. */

/** `Set-Cookie` for the refresh cookie (`Max-Age=0` with an empty value clears it), mirrored for DOM test environments if asked. */
export function refreshCookieHeaders(
  value: string,
  maxAge: number,
  options: Pick<MockBackendOptions, 'secureCookie' | 'exposeSetCookie'>,
): Record<string, string> {
  const header = `${REFRESH_COOKIE}=${value}; Path=/auth; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${options.secureCookie ? '; Secure' : ''}`
  return options.exposeSetCookie ? { 'set-cookie': header, 'x-mock-set-cookie': header } : { 'set-cookie': header }
}

export function readRefreshCookie(request: Request): string | null {
  const header = request.headers.get('cookie') ?? ''
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === REFRESH_COOKIE) return rest.join('=') || null
  }
  return null
}

/** The refresh token a request presents: its cookie, else `{ refreshToken }` in a JSON body (body mode). */
export async function presentedRefreshToken(request: Request): Promise<string | null> {
  const fromCookie = readRefreshCookie(request)
  if (fromCookie) return fromCookie
  try {
    const body = (await request.clone().json()) as { refreshToken?: unknown }
    return typeof body.refreshToken === 'string' ? body.refreshToken : null
  } catch {
    return null
  }
}

/** A session as `GET /auth/sessions` lists it (`SessionInfo` of the backend contract). */
export function sessionView(session: Session, currentId: string) {
  return {
    /** The session's id (the access token's `sid`). */
    id: session.id,
    /** Whether it is the session of the request asking. */
    current: session.id === currentId,
    /** The kind of device, from the User-Agent at sign-in. */
    device: session.device,
    /** The browser, from the User-Agent at sign-in (`Chrome`, `Firefox`, `Safari`, `Edge`, `Opera`, `Node.js` or `Unknown`). */
    browser: session.browser,
    /** The operating system, from the User-Agent at sign-in (`Windows`, `macOS`, `Linux`, `iOS`, `Android`, `ChromeOS` or `Unknown`). */
    os: session.os,
    /** The client's address at sign-in: `X-Forwarded-For`, else `127.0.0.1`. */
    ip: session.ip,
    /** When it signed in (ISO 8601). */
    createdAt: new Date(session.createdAt).toISOString(),
    /** Its last refresh or authenticated request (ISO 8601). */
    lastActiveAt: new Date(session.lastActiveAt).toISOString(),
    /** When its refresh token expires (ISO 8601): sign-in plus `refreshTokenLifetime`, not slid. */
    expiresAt: new Date(session.expiresAt).toISOString(),
  }
}

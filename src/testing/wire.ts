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
    id: session.id,
    current: session.id === currentId,
    device: session.device,
    browser: session.browser,
    os: session.os,
    ip: session.ip,
    createdAt: new Date(session.createdAt).toISOString(),
    lastActiveAt: new Date(session.lastActiveAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
  }
}

import { HttpResponse } from 'msw'

/**
 * Which browser origins may call the mock backend, and the CORS headers that go with it. The
 * mock is a development server: by default it accepts its own origin and loopback origins
 * (`localhost`, `127.0.0.1`, `[::1]`) of any port, so an app on a Vite dev server, behind a dev
 * proxy (which forwards the app's `Origin`) or calling it cross-origin, works without set-up.
 * An allow-list (the `allowedOrigins` option, or `TOKENKEEPER_ALLOWED_ORIGINS` for the demo
 * server) replaces that default.
 */

/** The environment variable the demo server reads `allowedOrigins` from (comma-separated; see {@link parseAllowedOrigins}). */
export const ALLOWED_ORIGINS_ENV = 'TOKENKEEPER_ALLOWED_ORIGINS'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** The serialized origin of `value`, or null if it has none a browser would send. */
function originOf(value: string): string | null {
  try {
    const url = new URL(value)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    return url.origin
  } catch {
    return null
  }
}

/** `TOKENKEEPER_ALLOWED_ORIGINS=https://a.example,http://localhost:5174` → the list; empty or unset → undefined (the default). */
export function parseAllowedOrigins(value: string | undefined): string[] | undefined {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  return entries.length > 0 ? entries : undefined
}

export interface OriginPolicy {
  /** True for the backend's own origin; the caller needs no CORS headers. */
  isOwn(origin: string): boolean
  allows(origin: string): boolean
}

/** Throws a TypeError for an allow-list entry that is not an http(s) origin. */
export function createOriginPolicy(own: string, allowedOrigins?: readonly string[]): OriginPolicy {
  const ownOrigin = new URL(own).origin
  const listed = allowedOrigins?.map((entry) => {
    const origin = originOf(entry)
    if (origin === null) throw new TypeError(`allowedOrigins: ${JSON.stringify(entry)} is not an http(s) origin`)
    return origin
  })
  const allowSet = listed ? new Set(listed) : null
  return {
    isOwn: (origin) => origin === ownOrigin,
    allows(origin) {
      if (origin === ownOrigin) return true
      // Compare the header exactly as sent: `http://localhost:1/x` is not an origin.
      if (originOf(origin) !== origin) return false
      if (allowSet) return allowSet.has(origin)
      return LOOPBACK_HOSTS.has(new URL(origin).hostname)
    },
  }
}

export function originRefused(origin: string): Response {
  return HttpResponse.json(
    {
      error: 'origin_not_allowed',
      message: `Origin ${origin} is not allowed: add it to ${ALLOWED_ORIGINS_ENV} (or the allowedOrigins option)`,
    },
    { status: 403 },
  )
}

/**
 * CORS headers for a cross-origin caller. A refused origin gets them too, on the 403 only, so
 * the app can read why it was refused (that reply carries nothing else).
 */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'retry-after',
    vary: 'Origin',
  }
}

/** A preflight reply; `csrfHeaderName` (the configured CSRF header) joins the allowed headers. */
export function preflight(origin: string | null, csrfHeaderName = 'x-tokenkeeper'): Response {
  if (origin === null) return new HttpResponse(null, { status: 204 })
  return new HttpResponse(null, {
    status: 204,
    headers: {
      ...corsHeaders(origin),
      'access-control-allow-methods': 'GET, POST, DELETE',
      'access-control-allow-headers': `authorization, content-type, ${csrfHeaderName.toLowerCase()}`,
      'access-control-max-age': '600',
    },
  })
}

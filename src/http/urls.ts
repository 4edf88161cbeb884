import type { Endpoints, TokenManagerOptions } from '../types'

/**
 * What an origin is compared by. Special schemes (http, https, ws, wss, ftp) have a real origin;
 * every other scheme's origin is the string "null" (capacitor://localhost and evilscheme://x
 * alike), so those are compared by scheme and host, and a URL without a host (data:, blob: of
 * an opaque origin) matches nothing (`null`).
 */
export function originKey(url: URL): string | null {
  if (url.origin !== 'null') return url.origin
  return url.host ? `${url.protocol}//${url.host}` : null
}

export interface ResolvedUrls {
  endpoints: Endpoints
  authorizedOrigins: ReadonlySet<string>
  /** Resolves a path like the endpoints: absolute paths against the origin, relative ones against `baseUrl`'s path. */
  resolve(path: string): string
}

/** Resolves `baseUrl`, endpoints (paths, defaults applied) and authorized origins; throws a clear `TypeError` when unusable. */
export function resolveUrls(options: Pick<TokenManagerOptions, 'baseUrl' | 'authorizedOrigins'> & { endpoints: Endpoints }): ResolvedUrls {
  const fallback = typeof location !== 'undefined' && location.origin && location.origin !== 'null' ? location.origin : undefined
  const baseUrl = options.baseUrl ?? fallback
  if (!baseUrl) {
    throw new TypeError('tokenkeeper: `baseUrl` is required outside a browser (no location.origin to default to)')
  }
  let base: URL
  try {
    base = new URL(baseUrl, fallback)
  } catch {
    throw new TypeError(`tokenkeeper: \`baseUrl\` is not a valid URL: ${baseUrl}`)
  }
  const merged = options.endpoints
  const resolve = (path: string) => new URL(path, base.href.endsWith('/') ? base.href : `${base.href}/`).href
  // Absolute paths resolve against the origin, relative ones against baseUrl's path.
  const endpoints: Endpoints = {
    login: resolve(merged.login),
    refresh: resolve(merged.refresh),
    logout: resolve(merged.logout),
    sessions: resolve(merged.sessions),
  }
  const origins = (options.authorizedOrigins ?? [base.href]).map((origin) => {
    let key: string | null
    try {
      key = originKey(new URL(origin))
    } catch {
      throw new TypeError(`tokenkeeper: authorizedOrigins entry is not a URL origin: ${origin}`)
    }
    // "null" (or data:, a scheme without a host) would match every opaque origin.
    if (key === null || origin === 'null') throw new TypeError(`tokenkeeper: authorizedOrigins entry has no comparable origin: ${origin}`)
    return key
  })
  return { endpoints, authorizedOrigins: new Set(origins), resolve }
}

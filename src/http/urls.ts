import type { Endpoints, TokenManagerOptions } from '../types'

export interface ResolvedUrls {
  endpoints: Endpoints
  authorizedOrigins: ReadonlySet<string>
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
  const origins = (options.authorizedOrigins ?? [base.origin]).map((origin) => {
    try {
      return new URL(origin).origin
    } catch {
      throw new TypeError(`tokenkeeper: authorizedOrigins entry is not a URL origin: ${origin}`)
    }
  })
  return { endpoints, authorizedOrigins: new Set(origins) }
}

import type { HttpClient } from '../http-client'
import { CheckInputError } from '../input-error'
import { type CheckResult, result } from '../result'

const GROUP = 'discovery'

/** The endpoints the `oauth2()` preset reads from the issuer's metadata. */
export interface OAuth2Endpoints {
  token: URL
  revocation: URL | undefined
}

const isLocal = (url: URL) => url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]'
const secure = (url: URL) => url.protocol === 'https:' || (url.protocol === 'http:' && isLocal(url))
const trim = (value: string) => value.replace(/\/$/, '')

/**
 * OpenID discovery, then RFC 8414, as the preset does it: the metadata's `issuer` must be the
 * one given, `token_endpoint` present, `revocation_endpoint` expected (logout revokes there),
 * every endpoint https (http on localhost only). No metadata at all: the check cannot run.
 */
export async function discover(client: HttpClient, issuer: URL): Promise<{ results: CheckResult[]; endpoints: OAuth2Endpoints | null }> {
  const path = trim(issuer.pathname)
  const candidates = [`${issuer.origin}${path}/.well-known/openid-configuration`, `${issuer.origin}/.well-known/oauth-authorization-server${path}`]
  for (const candidate of candidates) {
    const reply = await client.send(candidate)
    if (reply.status < 200 || reply.status >= 300) continue
    const where = new URL(candidate).pathname
    if (typeof reply.json !== 'object' || reply.json === null)
      throw new CheckInputError('NOT_JSON', `${where} answered ${reply.status} without a JSON object: is --issuer the authorization server?`)
    const metadata = reply.json as Record<string, unknown>
    const out: CheckResult[] = []
    const named = typeof metadata.issuer === 'string' ? metadata.issuer : undefined
    out.push(
      named !== undefined && trim(named) === trim(issuer.href)
        ? result(GROUP, 'discovery.issuer', "the metadata's issuer is the one given", 'pass', `${where}: issuer ${named}`)
        : result(
            GROUP,
            'discovery.issuer',
            "the metadata's issuer is the one given",
            'fail',
            `${where} names ${named === undefined ? 'no issuer' : `issuer ${named}`}, not ${issuer.href}: the preset refuses it (RFC 8414 §3.3)`,
          ),
    )
    const endpoint = (name: string): URL | undefined | null => {
      const value = metadata[name]
      if (typeof value !== 'string') return undefined
      try {
        return new URL(value)
      } catch {
        return null
      }
    }
    const token = endpoint('token_endpoint')
    const revocation = endpoint('revocation_endpoint')
    const missing = [!token && 'token_endpoint', !revocation && 'revocation_endpoint'].filter(Boolean)
    out.push(
      !token
        ? result(
            GROUP,
            'discovery.endpoints',
            'token and revocation endpoints are listed',
            'fail',
            `${token === null ? 'an unreadable' : 'no'} token_endpoint: the SDK cannot refresh`,
          )
        : missing.length > 0
          ? result(
              GROUP,
              'discovery.endpoints',
              'token and revocation endpoints are listed',
              'warn',
              'no revocation_endpoint (RFC 7009): logout() only clears memory, the refresh token stays valid',
            )
          : result(
              GROUP,
              'discovery.endpoints',
              'token and revocation endpoints are listed',
              'pass',
              `token_endpoint ${token.pathname}, revocation_endpoint ${revocation!.pathname}`,
            ),
    )
    const urls = [issuer, token, revocation].filter((u): u is URL => u instanceof URL)
    const insecure = urls.filter((u) => !secure(u))
    out.push(
      insecure.length === 0
        ? result(
            GROUP,
            'discovery.https',
            'the issuer and endpoints are https (http on localhost only)',
            'pass',
            urls.some(isLocal) ? 'http on localhost, accepted for development' : 'all https',
          )
        : result(
            GROUP,
            'discovery.https',
            'the issuer and endpoints are https (http on localhost only)',
            'fail',
            `not https: ${insecure.map((u) => u.origin + u.pathname).join(', ')}: the preset refuses them`,
          ),
    )
    const usable = out.every((r) => r.status !== 'fail') && token
    return { results: out, endpoints: usable ? { token, revocation: revocation ?? undefined } : null }
  }
  throw new CheckInputError('NO_ENDPOINT', `no metadata for ${issuer.origin}${issuer.pathname}: tried OpenID discovery and RFC 8414 (is --issuer right?)`)
}

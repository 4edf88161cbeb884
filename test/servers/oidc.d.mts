import type { EventEmitter } from 'node:events'

export interface OidcRequestLog {
  method: string
  path: string
  status: number
  contentType: string
  /** The Authorization scheme only ("Bearer", "Basic"), or ''. */
  authorization: string
  origin: string
}

export interface OidcGrantLog {
  grantType: string
  ok: boolean
  error?: string
  /** Local epoch ms of the grant's outcome. */
  at: number
}

/** A running oidc-provider (see oidc.mjs). */
export interface OidcServer {
  /** http://localhost:<port> */
  issuer: string
  clientId: string
  /** The oidc-provider instance (untyped here: the package ships no types). */
  provider: EventEmitter
  /** `issued`: the tokens of every 200 token reply, in order (in memory only; for replays and introspection). */
  log: { requests: OidcRequestLog[]; grants: OidcGrantLog[]; revokedGrants: number; issued: { access_token: string; refresh_token?: string }[] }
  authorization_endpoint: string
  token_endpoint: string
  revocation_endpoint: string
  introspection_endpoint: string
  userinfo_endpoint: string
  grants(grantType: string): OidcGrantLog[]
  /** RFC 7662 introspection as a confidential resource server. */
  introspect(token: string): Promise<{ active: boolean; [claim: string]: unknown }>
  close(): Promise<void>
}

export interface OidcOptions {
  /** @default 'app' */
  clientId?: string
  /** @default ['http://localhost/callback'] */
  redirectUris?: string[]
  /** Origins CORS allows. @default the redirect URIs' origins */
  origins?: string[]
  /** Access token lifetime in seconds. @default 3 */
  accessTokenTtl?: number
  /** @default 3600 */
  refreshTokenTtl?: number
  /** @default 0 */
  clockTolerance?: number
}

export function startOidcProvider(options?: OidcOptions): Promise<OidcServer>

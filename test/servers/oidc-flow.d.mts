interface AuthorizeTarget {
  issuer: string
  clientId: string
  authorization_endpoint: string
}

export interface AuthorizeOptions {
  redirectUri: string
  /** @default 'openid offline_access' */
  scope?: string
  /** @default 'alice' */
  login?: string
  state?: string
  codeChallenge?: string
}

export function authorize(server: AuthorizeTarget, options: AuthorizeOptions): Promise<{ code: string; state: string; codeVerifier: string }>
export function exchangeCode(
  server: { clientId: string; token_endpoint: string },
  grant: { code: string; codeVerifier: string; redirectUri: string },
): Promise<Response>
export function refreshGrant(server: { clientId: string; token_endpoint: string }, refreshToken: string): Promise<Response>

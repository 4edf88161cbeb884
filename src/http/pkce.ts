/** base64url without padding (RFC 4648 §5), as PKCE and `state` use it. */
function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** `bytes` of randomness from the platform CSPRNG, base64url: 32 bytes make a 43-character PKCE verifier (RFC 7636 §4.1). */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)))
}

/** The S256 code challenge of `verifier` (RFC 7636 §4.2). Needs `crypto.subtle` (secure contexts: https, localhost). */
export async function codeChallenge(verifier: string): Promise<string> {
  if (typeof crypto === 'undefined' || !crypto.subtle) {
    throw new TypeError('tokenkeeper: oauth2 sign-in needs crypto.subtle for PKCE, which browsers offer only on https (and localhost)')
  }
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  return base64url(new Uint8Array(digest))
}

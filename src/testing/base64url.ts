// base64url without Buffer: the kit runs in browsers as well as Node.

export function encodeBase64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Throws on text that is not base64url. */
export function decodeBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url')
  const binary = atob(
    text
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(text.length / 4) * 4, '='),
  )
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

/** `bytes` random bytes as base64url (43 characters for the default 32). */
export function randomToken(bytes = 32): string {
  return encodeBase64url(globalThis.crypto.getRandomValues(new Uint8Array(bytes)))
}

/**
 * One browser's cookie jar over real HTTP: the tabs of a profile share it, as they share
 * the HttpOnly refresh cookie. Sends the jar on /auth paths only (the cookie's Path).
 */
export function createJarFetch() {
  const jar = new Map<string, string>()
  const jarFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    if (jar.size > 0 && new URL(request.url).pathname.startsWith('/auth')) {
      request.headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    }
    const response = await fetch(request)
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';')
      const [name, ...rest] = pair!.split('=')
      const value = rest.join('=')
      if (/max-age=0/i.test(header) || value === '') jar.delete(name!.trim())
      else jar.set(name!.trim(), value)
    }
    return response
  }
  return { fetch: jarFetch, jar }
}

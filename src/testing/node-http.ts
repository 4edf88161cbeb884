import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Node `http` ⇄ Fetch for answering from msw handlers in a plain Node server (through msw's
 * `getResponse`, no interception): used by `listen()` and the demo server.
 */

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/**
 * The Node request as a Fetch `Request` against `origin` (the Host may be an alias of it:
 * 127.0.0.1 for localhost). An `Origin` header in `aliases` becomes `origin`, so the browser
 * on either name counts as same-origin; any other Origin is passed on as sent.
 */
export async function toFetchRequest(req: IncomingMessage, origin: string, aliases: ReadonlySet<string> = new Set()): Promise<Request> {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else headers.set(name, value)
  }
  const from = headers.get('origin')
  if (from && aliases.has(from)) headers.set('origin', origin)
  if (!headers.has('x-forwarded-for')) headers.set('x-forwarded-for', (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''))
  const method = req.method ?? 'GET'
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req)
  return new Request(new URL(req.url ?? '/', origin), { method, headers, ...(body && body.length > 0 && { body: new Uint8Array(body) }) })
}

/** Writes a Fetch `Response` to the Node response: one `Set-Cookie` header per cookie. */
export async function writeResponse(res: ServerResponse, response: Response, head = false): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  // Headers#forEach joins Set-Cookie into one line; browsers need one header per cookie.
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  const body = head || response.body === null ? null : Buffer.from(await response.arrayBuffer())
  if (body) headers['content-length'] = String(body.length)
  res.writeHead(response.status, response.statusText || undefined, headers)
  res.end(body ?? undefined)
}

/** The names one loopback server answers to: a request from any of them is same-origin. */
export function loopbackAliases(port: number): Set<string> {
  return new Set([`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`])
}

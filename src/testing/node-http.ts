/**
 * Node `http` ⇄ Fetch for answering from msw handlers in a plain Node server (through msw's
 * `getResponse`, no interception): used by `listen()` and the demo server.
 *
 * `tokenkeeper/testing` holds this module and must type-check and bundle for the browser, so it
 * names no Node global (Uint8Array, not Buffer) and imports no Node types: the few members it
 * uses are declared here, and `node:http`'s own classes fit them.
 */

export interface IncomingMessage {
  headers: Record<string, string | string[] | undefined>
  method?: string | undefined
  url?: string | undefined
  socket: { remoteAddress?: string | undefined; destroy(): void }
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown
  on(event: 'end', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
}

export interface ServerResponse {
  readonly headersSent: boolean
  writeHead(status: number, headers?: Record<string, string | string[]>): unknown
  writeHead(status: number, statusText: string | undefined, headers?: Record<string, string | string[]>): unknown
  end(body?: Uint8Array | string): unknown
}

export interface Server {
  listen(port: number, host: string, callback: () => void): unknown
  once(event: 'error', listener: (error: Error) => void): unknown
  off(event: 'error', listener: (error: Error) => void): unknown
  address(): { port: number } | string | null
  close(callback: () => void): unknown
  closeAllConnections(): void
}

/** `http.createServer` as `listen()` calls it. */
export type CreateServer = (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server

function readBody(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    req.on('data', (chunk: Uint8Array) => chunks.push(chunk))
    req.on('end', () => {
      const body = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
      let at = 0
      for (const chunk of chunks) {
        body.set(chunk, at)
        at += chunk.byteLength
      }
      resolve(body)
    })
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
  return new Request(new URL(req.url ?? '/', origin), { method, headers, ...(body && body.byteLength > 0 && { body }) })
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
  const body = head || response.body === null ? null : new Uint8Array(await response.arrayBuffer())
  if (body) headers['content-length'] = String(body.byteLength)
  res.writeHead(response.status, response.statusText || undefined, headers)
  res.end(body ?? undefined)
}

/** The names one loopback server answers to: a request from any of them is same-origin. */
export function loopbackAliases(port: number): Set<string> {
  return new Set([`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`])
}

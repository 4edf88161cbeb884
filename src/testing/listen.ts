import { getResponse, type HttpHandler } from 'msw'
import { createMockBackend, type MockBackend, type MockBackendOptions } from './backend'
import { type CreateServer, loopbackAliases, toFetchRequest, writeResponse } from './node-http'

/**
 * `listen()`: the mock backend on a real port, for tests that drive a real browser (Playwright)
 * or any HTTP client. Exported by `tokenkeeper/testing` (which must stay bundleable for the
 * browser, so it finds `http` at call time) and by `tokenkeeper/testing/node` (which imports it).
 */

/** Options of `listen()`: the backend's options (its `origin` is the listening URL), the host and extra handlers. */
export interface ListenOptions extends Omit<MockBackendOptions, 'origin'> {
  /** The interface to listen on. @default '127.0.0.1' */
  host?: string
  /** More handlers answered after the backend's (an app's own API mocks). @default none */
  handlers?: (backend: MockBackend) => readonly HttpHandler[]
}

/** A listening mock backend. It stands for its base URL: `` `${server}/auth/login` ``, `new URL('/api/me', server)`. */
export interface MockServer {
  /** `http://localhost:<port>`: the backend's origin (127.0.0.1 answers too). */
  url: string
  /** The port it listens on (the one asked for, or the free one picked for 0). */
  port: number
  /** Its handlers, fault controls and counters. */
  backend: MockBackend
  /** Stops listening and drops open connections. */
  close(): Promise<void>
  /** The base URL (`url`). */
  toString(): string
  /** The base URL (`url`), whatever the hint: string templates, `+`, `String(server)`. */
  [Symbol.toPrimitive](hint: string): string
}

type NodeProcess = { process?: { getBuiltinModule?: (id: string) => unknown } }

/**
 * Node's `http.createServer`, found at call time: no import of `node:http` (static or dynamic)
 * that a browser bundler would try to resolve. Node ≥ 20.16 has `process.getBuiltinModule`.
 */
export function builtinCreateServer(): CreateServer {
  const http = (globalThis as NodeProcess).process?.getBuiltinModule?.('http') as { createServer?: CreateServer } | undefined
  if (typeof http?.createServer !== 'function') {
    throw new Error(
      'listen() from tokenkeeper/testing serves a port and runs in Node only (≥ 20.16, process.getBuiltinModule). In a browser, use createMockBackend().handlers with msw setupWorker.',
    )
  }
  return http.createServer
}

/** `listen()` with the given `createServer`. */
export async function listenWith(createServer: CreateServer, port: number, options: ListenOptions): Promise<MockServer> {
  const { host = '127.0.0.1', handlers: extra, ...backendOptions } = options
  let backend: MockBackend | undefined
  let handlers: HttpHandler[] = []
  let aliases = new Set<string>()
  const server = createServer((req, res) => {
    void (async () => {
      if (!backend) throw new Error('not listening yet')
      const request = await toFetchRequest(req, backend.origin, aliases)
      const response = await getResponse(handlers, request)
      // `HttpResponse.error()`: the network drops the connection.
      if (response?.type === 'error') return void req.socket.destroy()
      if (response) return writeResponse(res, response, req.method === 'HEAD')
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"error":"not_found"}')
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end('{"error":"mock_backend_failed"}')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const actual = (server.address() as { port: number }).port
  const url = `http://localhost:${actual}`
  aliases = loopbackAliases(actual)
  const created = createMockBackend({ ...backendOptions, origin: url })
  backend = created
  handlers = [...created.handlers, ...(extra?.(created) ?? [])]
  return {
    url,
    port: actual,
    backend: created,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
    toString: () => url,
    [Symbol.toPrimitive]: () => url,
  }
}

/**
 * Serves a fresh mock backend on `port` (0: a free one) and resolves to it, standing for its
 * base URL (`url`, also what `${server}` gives). Unmatched requests get 404. Node only: outside
 * Node it rejects with an Error saying so.
 * @param port @default 0
 */
export async function listen(port = 0, options: ListenOptions = {}): Promise<MockServer> {
  return listenWith(builtinCreateServer(), port, options)
}

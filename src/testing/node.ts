import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getResponse, type HttpHandler } from 'msw'
import { createMockBackend, type MockBackend, type MockBackendOptions } from './backend'
import { loopbackAliases, toFetchRequest, writeResponse } from './node-http'

/**
 * `tokenkeeper/testing/node`: the mock backend on a real port, for tests that drive a real
 * browser (Playwright) or any HTTP client. Node only.
 */

export interface ListenOptions extends Omit<MockBackendOptions, 'origin'> {
  /** @default '127.0.0.1' */
  host?: string
  /** More handlers answered after the backend's (an app's own API mocks). @default none */
  handlers?: (backend: MockBackend) => readonly HttpHandler[]
}

export interface MockServer {
  /** `http://localhost:<port>`: the backend's origin (127.0.0.1 answers too). */
  url: string
  port: number
  /** Its handlers, fault controls and counters. */
  backend: MockBackend
  /** Stops listening and drops open connections. */
  close(): Promise<void>
}

/** Serves a fresh mock backend on `port` (0: a free one). Unmatched requests get 404. */
export async function listen(port = 0, options: ListenOptions = {}): Promise<MockServer> {
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
  const actual = (server.address() as AddressInfo).port
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
  }
}

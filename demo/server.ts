import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { getResponse } from 'msw'
import { createMockBackend, type MockBackend, type MockBackendOptions } from './mock/backend'
import { createControlHandlers } from './mock/controls'
import { toFetchRequest, writeResponse } from '../src/testing/node-http'
import { ALLOWED_ORIGINS_ENV, parseAllowedOrigins } from './mock/origins'
import { main } from '../src/cli/main'
import { DEMO_USERS } from './page/users'

/**
 * The demo server: a plain `node:http` server that answers the auth/API/control routes from
 * the mock backend's msw handlers (through `getResponse`, no interception) and serves the
 * built dashboard. State lives in memory and resets on restart.
 */

export interface DemoServerOptions {
  /** 0 picks a free port. Not 5173 (Vite's), so an app's dev server can run beside it. @default PORT or 4780 */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
  /** Directory of the static page. @default demo/public */
  publicDir?: string
  /**
   * Passed to `createMockBackend` (origin is set by the server). `allowedOrigins` defaults to
   * `TOKENKEEPER_ALLOWED_ORIGINS` (comma-separated), else loopback origins of any port.
   */
  backend?: Omit<MockBackendOptions, 'origin'>
  /**
   * More names the server answers to as itself: the page at `http://<name>:<port>` is
   * same-origin for the Origin check. For a resolver alias such as `tokenkeeper.test` (the e2e
   * suite's insecure origin: plain http on a name that is not localhost, so no Web Locks).
   * @default []
   */
  hostnames?: readonly string[]
}

export const DEFAULT_PORT = 4780

export interface DemoServer {
  /** `http://localhost:<port>`: open this one (cookies and the CSRF Origin check use it). */
  url: string
  port: number
  backend: MockBackend
  close(): Promise<void>
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
}

/** demo/public, whether this runs from source (demo/server.ts) or bundled (demo/.build/server.mjs). */
function defaultPublicDir(): string {
  for (const candidate of ['./public/', '../public/']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url))
    if (existsSync(join(dir, 'index.html'))) return dir
  }
  return fileURLToPath(new URL('../public/', import.meta.url))
}

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1'
  const publicDir = resolve(options.publicDir ?? defaultPublicDir())
  let backend: MockBackend | null = null
  let handlers: ReturnType<typeof createControlHandlers> = []
  let port = 0
  let url = ''
  // Names this server answers to: a request from one of them is same-origin.
  let localOrigins = new Set<string>()

  async function serveStatic(pathname: string, res: ServerResponse, head: boolean): Promise<boolean> {
    let decoded: string
    try {
      decoded = decodeURIComponent(pathname)
    } catch {
      return false
    }
    const relative = normalize(decoded === '/' ? '/index.html' : decoded).replace(/^[/\\]+/, '')
    const file = resolve(publicDir, relative)
    if (file !== publicDir && !file.startsWith(publicDir + sep)) return false
    try {
      const info = await stat(file)
      if (!info.isFile()) return false
      const content = await readFile(file)
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': String(content.length),
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      })
      res.end(head ? undefined : content)
      return true
    } catch {
      return false
    }
  }

  let checking: Promise<{ status: number; body: string }> | null = null
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET' && req.url === '/__check') {
        // One run at a time: concurrent GETs share it.
        checking ??= checkItself(url).finally(() => {
          checking = null
        })
        const { status, body } = await checking
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
        return void res.end(body)
      }
      const origin = backend!.origin
      const request = await toFetchRequest(req, origin, localOrigins)
      const response = await getResponse(handlers, request)
      const head = req.method === 'HEAD'
      if (response) {
        // `HttpResponse.error()`: the network drops the connection.
        if (response.type === 'error') return void req.socket.destroy()
        return writeResponse(res, response, head)
      }
      if ((req.method === 'GET' || head) && (await serveStatic(new URL(request.url).pathname, res, head))) return
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('Not found')
    })().catch((error: unknown) => {
      console.error('[demo] request failed', error)
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('Internal error')
    })
  })

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? Number(process.env.PORT ?? DEFAULT_PORT), host, () => {
      server.off('error', reject)
      resolveListen()
    })
  })
  port = (server.address() as AddressInfo).port
  url = `http://localhost:${port}`
  localOrigins = new Set([url, `http://127.0.0.1:${port}`, `http://[::1]:${port}`, ...(options.hostnames ?? []).map((name) => `http://${name}:${port}`)])
  const fromEnv = parseAllowedOrigins(process.env[ALLOWED_ORIGINS_ENV])
  backend = createMockBackend({ ...(fromEnv && { allowedOrigins: fromEnv }), ...options.backend, origin: url })
  handlers = [...backend.handlers, ...createControlHandlers(backend)]

  return {
    url,
    port,
    backend,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose())
        server.closeAllConnections()
      }),
  }
}

/** The demo user the check signs in as: its "logout everywhere" step ends that user's other sessions. */
export const CHECK_USER = DEMO_USERS[2]

/**
 * `GET /__check`: `tokenkeeper check --json` against this server itself, as the demo user
 * {@link CHECK_USER}. 200 with the report (a failing backend included); 502 with `{ error }`
 * when the check could not run.
 */
async function checkItself(url: string): Promise<{ status: number; body: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(['check', '--base-url', url, '--username', CHECK_USER.username, '--password', CHECK_USER.password, '--json'], {
    env: {},
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
  })
  if (code === 2) return { status: 502, body: JSON.stringify({ error: stderr.trim().replace(/^tokenkeeper check: /, '') }) }
  return { status: 200, body: stdout }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href
if (isMain) {
  const demo = await startDemoServer()
  console.log(`Demo running at ${demo.url}`)
  const allowed = parseAllowedOrigins(process.env[ALLOWED_ORIGINS_ENV])
  console.log(
    allowed
      ? `Browser origins allowed besides ${demo.url}: ${allowed.join(', ')} (${ALLOWED_ORIGINS_ENV})`
      : `Browser origins allowed: localhost / 127.0.0.1 of any port (set ${ALLOWED_ORIGINS_ENV} to list others)`,
  )
  console.log('Mock backend state is in memory and resets when this server restarts. Press Ctrl+C to stop.')
  const stop = () => void demo.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

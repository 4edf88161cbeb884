import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A tiny loopback auth server for the benchmarks: login, refresh with rotation and reuse
 * detection (RFC 9700 §4.14, no grace window), logout and one protected endpoint. It follows
 * the README's backend contract (cookie or body transport, camelCase replies) and is kept cheap
 * so the client side dominates the measurements. Runs in its own process (bench/server.ts).
 */

export interface ServerConfig {
  /** Access-token lifetime, seconds. */
  accessTokenLifetime: number
  /** ms the refresh endpoint takes before rotating (a database round trip). */
  refreshDelay: number
  /** ms the protected endpoint takes. */
  apiDelay: number
}

export interface Counters {
  loginCalls: number
  refreshCalls: number
  refreshOk: number
  refreshRejected: number
  reuseDetections: number
  apiCalls: number
  api200: number
  api401: number
  logoutCalls: number
}

const emptyCounters = (): Counters => ({
  loginCalls: 0,
  refreshCalls: 0,
  refreshOk: 0,
  refreshRejected: 0,
  reuseDetections: 0,
  apiCalls: 0,
  api200: 0,
  api401: 0,
  logoutCalls: 0,
})

interface Session {
  id: string
  current: string
  revoked: boolean
  /** Access tokens issued before this (ms) are refused: "the token has expired". */
  notBefore: number
}

export const REFRESH_COOKIE = 'tk_rt'
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const HEADER = b64({ alg: 'HS256', typ: 'JWT' })
const rand = (bytes = 24) => randomBytes(bytes).toString('base64url')

export function createAuthServer(initial: Partial<ServerConfig> = {}) {
  const config: ServerConfig = { accessTokenLifetime: 900, refreshDelay: 0, apiDelay: 0, ...initial }
  let counters = emptyCounters()
  const sessions = new Map<string, Session>()
  const byRefresh = new Map<string, Session>()
  const access = new Map<string, { session: Session; iat: number; exp: number }>()

  function issue(session: Session, status = 200, res: ServerResponse): void {
    const now = Date.now()
    const lifetime = config.accessTokenLifetime
    const iat = Math.floor(now / 1000)
    const accessToken = `${HEADER}.${b64({ sub: 'bench', sid: session.id, iat, exp: iat + lifetime, jti: rand(6) })}.${rand(16)}`
    access.set(accessToken, { session, iat: now, exp: now + lifetime * 1000 })
    const body = JSON.stringify({ accessToken, expiresIn: lifetime, refreshToken: session.current, tokenType: 'Bearer' })
    res.writeHead(status, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
      'set-cookie': `${REFRESH_COOKIE}=${session.current}; Path=/auth; HttpOnly; SameSite=Strict`,
    })
    res.end(body)
  }

  function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
    const body = JSON.stringify(value)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers })
    res.end(body)
  }

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      let data = ''
      req.setEncoding('utf8')
      req.on('data', (chunk: string) => (data += chunk))
      req.on('end', () => resolve(data))
      req.on('error', reject)
    })
  }

  function cookie(req: IncomingMessage): string | null {
    const header = req.headers.cookie
    if (!header) return null
    for (const part of header.split(';')) {
      const [name, ...rest] = part.trim().split('=')
      if (name === REFRESH_COOKIE) return rest.join('=') || null
    }
    return null
  }

  const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : null)

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/'
    if (req.method === 'GET' && path.startsWith('/api/')) {
      counters.apiCalls++
      const wait = sleep(config.apiDelay)
      if (wait) await wait
      const header = req.headers.authorization
      const entry = header?.startsWith('Bearer ') ? access.get(header.slice(7)) : undefined
      const now = Date.now()
      if (!entry || entry.session.revoked || entry.exp <= now || entry.iat < entry.session.notBefore) {
        counters.api401++
        return json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' })
      }
      counters.api200++
      return json(res, 200, { ok: true, sid: entry.session.id })
    }
    if (req.method === 'POST' && path === '/auth/login') {
      counters.loginCalls++
      await readBody(req)
      const session: Session = { id: rand(9), current: rand(), revoked: false, notBefore: 0 }
      sessions.set(session.id, session)
      byRefresh.set(session.current, session)
      return issue(session, 200, res)
    }
    if (req.method === 'POST' && path === '/auth/refresh') {
      counters.refreshCalls++
      const body = await readBody(req)
      const wait = sleep(config.refreshDelay)
      if (wait) await wait
      let presented = cookie(req)
      if (!presented && body) {
        try {
          presented = (JSON.parse(body) as { refreshToken?: string }).refreshToken ?? null
        } catch {
          presented = null
        }
      }
      const session = presented ? byRefresh.get(presented) : undefined
      if (!session || session.revoked) {
        counters.refreshRejected++
        return json(res, 401, { error: 'invalid_refresh_token' })
      }
      if (presented !== session.current) {
        // Reuse of a rotated token: revoke the whole family.
        counters.reuseDetections++
        counters.refreshRejected++
        session.revoked = true
        return json(res, 401, { error: 'refresh_token_reused' })
      }
      session.current = rand()
      byRefresh.set(session.current, session)
      counters.refreshOk++
      return issue(session, 200, res)
    }
    if (req.method === 'POST' && path === '/auth/logout') {
      counters.logoutCalls++
      const body = await readBody(req)
      let presented = cookie(req)
      if (!presented && body) {
        try {
          presented = (JSON.parse(body) as { refreshToken?: string }).refreshToken ?? null
        } catch {
          presented = null
        }
      }
      const session = presented ? byRefresh.get(presented) : undefined
      if (session) session.revoked = true
      res.writeHead(204, { 'set-cookie': `${REFRESH_COOKIE}=; Path=/auth; Max-Age=0` })
      return void res.end()
    }
    json(res, 404, { error: 'not_found' })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('[bench server]', error)
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  server.keepAliveTimeout = 60_000

  return {
    config,
    get counters(): Counters {
      return { ...counters }
    },
    resetCounters() {
      counters = emptyCounters()
    },
    setConfig(next: Partial<ServerConfig>) {
      Object.assign(config, next)
    },
    /** Every access token issued so far is refused from now on (server-side expiry). */
    expireAccessTokens() {
      const now = Date.now() + 1
      for (const session of sessions.values()) session.notBefore = now
    },
    /** Drops all state (between scenarios; keeps memory flat over long runs). */
    reset() {
      sessions.clear()
      byRefresh.clear()
      access.clear()
      counters = emptyCounters()
    },
    listen(): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve((server.address() as AddressInfo).port))
      })
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}

export type AuthServer = ReturnType<typeof createAuthServer>

/** The mock backend's users, options and sessions. */

import type { Counters, Faults } from './faults'
import type { Device } from './user-agent'

/** Name of the refresh-token cookie (`HttpOnly`, `SameSite=Strict`, `Path=/auth`). */
export const REFRESH_COOKIE = 'tk_refresh'
/** The default CSRF header (value `1`) that refresh, logout and the session-revoking routes require; see the `csrfHeader` option. */
export const CSRF_HEADER = 'x-tokenkeeper'

/** A user the mock backend knows. */
export interface MockUser {
  /** Sign-in name (the access token's `sub`). */
  username: string
  /** Password, compared as given (plain text: a test backend). */
  password: string
  /** Display name (the `name` claim, and `GET /api/me`). */
  name: string
  /** The `roles` claim; `admin` may read `GET /api/admin`. */
  roles: readonly string[]
}

/** The demo's users (`alice` / `wonderland` is an admin); the default `users`. */
export const DEMO_USERS: readonly MockUser[] = [
  { username: 'alice', password: 'wonderland', name: 'Alice Liddell', roles: ['admin'] },
  { username: 'bob', password: 'builder', name: 'Bob the Builder', roles: ['user'] },
  { username: 'carol', password: 'singer', name: 'Carol Danvers', roles: ['user'] },
]

/** Options of {@link createMockBackend} (and of `listen()`, which sets `origin` itself). */
export interface MockBackendOptions {
  /**
   * Origin the backend answers on: the handlers match `<origin>/auth/*` and `<origin>/api/*`.
   * With msw in a browser, the app's origin (`location.origin`); `listen()` sets its own.
   * @default 'http://localhost'
   */
  origin?: string
  /** Who can sign in. @default DEMO_USERS (alice / wonderland, bob / builder, carol / singer) */
  users?: readonly MockUser[]
  /** Access-token lifetime in seconds. @default 30 */
  accessTokenLifetime?: number
  /** Refresh-token (session) lifetime in seconds. @default 7 days */
  refreshTokenLifetime?: number
  /** Also return the refresh token in the JSON body (for `refreshTokenTransport: 'body'`). @default false */
  bodyTransport?: boolean
  /**
   * Refuse refresh/logout/sessions without the CSRF header (403 `csrf`). `false` turns the
   * header check off, as `csrfHeader: false` does.
   * @default true
   */
  requireCsrfHeader?: boolean
  /**
   * The CSRF header refresh, logout and the session routes require: match the app's
   * `TokenManager` `csrfHeader` option. The name is case-insensitive, the value compared exactly;
   * the CORS preflight allows the name. `false` requires none (the Origin check still applies).
   * @default { name: 'X-TokenKeeper', value: '1' }
   */
  csrfHeader?:
    | {
        /** The header's name (case-insensitive), e.g. `X-Requested-With`. */
        name: string
        /** The value it must carry, compared exactly. */
        value: string
      }
    | false
  /**
   * Browser origins allowed to call `/auth/*` and `/api/*` (with CORS and credentials when
   * cross-origin); a request with another `Origin` gets 403 `origin_not_allowed`. The backend's
   * own origin is always allowed. The demo server reads `TOKENKEEPER_ALLOWED_ORIGINS`.
   * @default loopback origins of any port: `http(s)://localhost`, `127.0.0.1`, `[::1]`
   */
  allowedOrigins?: readonly string[]
  /** Concurrent sessions per user; the oldest is evicted. @default 10 */
  maxSessionsPerUser?: number
  /**
   * Mirror `Set-Cookie` into an `x-mock-set-cookie` header. Test-only: DOM test environments
   * (happy-dom) hide `Set-Cookie` from scripts, as browsers do, so the test cookie jar reads this.
   * @default false
   */
  exposeSetCookie?: boolean
  /** Set `Secure` on the refresh cookie (real HTTPS deployments). @default false */
  secureCookie?: boolean
  /** The backend's clock (ms since epoch); pass a test's fake clock. @default Date.now */
  now?: () => number
}

/** One signed-in device (internal to the backend). */
export interface Session {
  id: string
  username: string
  createdAt: number
  lastActiveAt: number
  expiresAt: number
  current: string
  /** Rotated tokens → when they were rotated (for the reuse grace window). */
  previous: Map<string, number>
  revoked: boolean
  device: Device
  browser: string
  os: string
  ip: string
  /**
   * Access tokens carry it as `gen`; "expire access tokens" bumps it, and a token of an older
   * generation is refused. A counter, not a time: `iat` has whole-second resolution.
   */
  generation: number
}

/** The backend's in-memory state, shared by its routes and its controls. `reset()` replaces the counters and faults. */
export interface MockStore {
  sessions: Map<string, Session>
  byToken: Map<string, Session>
  failedLogins: Map<string, { count: number; until: number }>
  counters: Counters
  faults: Faults
  accessTokenLifetime: number
}

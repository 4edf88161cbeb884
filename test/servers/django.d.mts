/** A running simplejwt test server (see django.mjs). */
export interface DjangoServer {
  /** http://127.0.0.1:<port> */
  url: string
  users: Record<string, string>
  /** Requests the server received, by "METHOD /path". */
  stats(): Promise<Record<string, number>>
  /** Stops the server's process group and removes its database. */
  close(): Promise<void>
}

export interface DjangoOptions {
  /** ACCESS_TOKEN_LIFETIME in seconds. @default 3 */
  accessSeconds?: number
  /** REFRESH_TOKEN_LIFETIME in seconds. @default 3600 */
  refreshSeconds?: number
  /** username -> password. @default { alice: 'wonderland' } */
  users?: Record<string, string>
  /** ms to wait for start-up. @default 20000 */
  timeout?: number
}

export function assertDjangoInstalled(): void
export function startDjango(options?: DjangoOptions): Promise<DjangoServer>

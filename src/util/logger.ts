/** What the manager did, for debugging. Details hold statuses, counts, times and types, never token text. */
export type LogEvent =
  | 'session.started'
  | 'session.ended'
  | 'refresh.started'
  | 'refresh.retrying'
  | 'refresh.succeeded'
  | 'refresh.rejected'
  | 'refresh.failed'
  | 'refresh.finished'
  | 'refresh.adopted'
  | 'refresh.skipped'
  | 'lock.acquired'
  | 'lock.waited'
  | 'tab.sent'
  | 'tab.received'
  | 'tab.ignored'
  | 'timer.scheduled'
  | 'idle.warning'
  | 'idle.expired'
  | 'wake'
  | 'logout.everywhere_unsupported'
  | 'login.superseded'

/** One debug entry passed to the `logger` option. */
export interface LogEntry {
  /** Epoch ms (the manager's clock). */
  at: number
  /** What happened; see {@link LogEvent}. */
  event: LogEvent
  /** Statuses, counts, times and types; never token text. */
  detail?: Record<string, string | number | boolean | null>
}

/**
 * The `logger` option: receives every {@link LogEntry}.
 * @example new TokenManager({ logger: (entry) => Sentry.addBreadcrumb({ category: 'auth', message: entry.event, data: entry.detail }) })
 */
export type Logger = (entry: LogEntry) => void

/** The `debug: true` logger. */
export const consoleLogger: Logger = (entry) => {
  console.debug(`[tokenkeeper] ${entry.event}`, entry.detail ?? {})
}

/** What the modules log through: `logger` entries stamped by `clock`; a no-op without a logger. */
export type Log = (event: LogEntry['event'], detail?: LogEntry['detail']) => void

/** The manager's `Log` over the app's `logger`: a broken logger must not break the manager. */
export function createLog(logger: Logger | null, clock: { now(): number }): Log {
  return (event, detail) => {
    if (!logger) return
    try {
      logger({ at: clock.now(), event, ...(detail && { detail }) })
    } catch {
      // Swallowed: see above.
    }
  }
}

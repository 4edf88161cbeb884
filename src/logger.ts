/** What the manager did, for debugging. Details hold statuses, counts, times and types, never token text. */
export type LogEvent =
  | 'session.started'
  | 'session.ended'
  | 'refresh.started'
  | 'refresh.retrying'
  | 'refresh.succeeded'
  | 'refresh.rejected'
  | 'refresh.failed'
  | 'refresh.adopted'
  | 'refresh.skipped'
  | 'lock.acquired'
  | 'tab.sent'
  | 'tab.received'
  | 'tab.ignored'
  | 'timer.scheduled'
  | 'idle.warning'
  | 'idle.expired'
  | 'wake'

export interface LogEntry {
  /** Epoch ms (the manager's clock). */
  at: number
  event: LogEvent
  detail?: Record<string, string | number | boolean | null>
}

export type Logger = (entry: LogEntry) => void

/** The `debug: true` logger. */
export const consoleLogger: Logger = (entry) => {
  console.debug(`[tokenkeeper] ${entry.event}`, entry.detail ?? {})
}

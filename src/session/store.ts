import { EventHub } from './event-hub'
import type { SessionSnapshot, TokenManagerEvents } from '../types'

export type PendingEvent = { [K in keyof TokenManagerEvents]: [K, TokenManagerEvents[K]] }[keyof TokenManagerEvents]

/**
 * The observable side of a session: the snapshot for `subscribe`/`getSnapshot` and the typed
 * events. Changes are queued while state moves and emitted by `flush()` once it is consistent,
 * so no handler runs inside a lock, a refresh or a half-applied transition.
 */
export class SessionStore {
  readonly events = new EventHub()
  private readonly listeners = new Set<() => void>()
  private readonly pending: PendingEvent[] = []
  private current: SessionSnapshot
  private closed = false

  /** @param read builds the snapshot from the session state. */
  constructor(private readonly read: () => SessionSnapshot) {
    this.current = read()
  }

  get snapshot(): SessionSnapshot {
    return this.current
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Replaces the snapshot only if a field changed (the same object otherwise), and queues `change`. */
  commit(): void {
    const next = this.read()
    const prev = this.current
    const same = (Object.keys(next) as (keyof SessionSnapshot)[]).every((key) => Object.is(next[key], prev[key]))
    if (same) return
    this.current = next
    this.queue('change', { snapshot: next })
  }

  queue(...event: PendingEvent): void {
    if (!this.closed) this.pending.push(event)
  }

  /** Emits queued events after state is committed, outside any lock or refresh in flight. */
  flush(): void {
    while (this.pending.length > 0) {
      const [type, payload] = this.pending.shift()!
      if (type === 'change') for (const listener of [...this.listeners]) safeCall(listener)
      this.events.emit(type, payload as never)
    }
  }

  /** `destroy()`: drops queued events and every handler and listener. */
  close(): void {
    this.closed = true
    this.pending.length = 0
    this.events.clear()
    this.listeners.clear()
  }
}

function safeCall(listener: () => void): void {
  try {
    listener()
  } catch (error) {
    console.error('[tokenkeeper] a subscribe listener threw', error)
  }
}

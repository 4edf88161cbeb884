import type { Clock } from './clock'

/** The most one message may move a tab's sequence ahead (~35 years of ms): no single message can exhaust the safe integers. */
export const MAX_SEQ_JUMP = 2 ** 40

/**
 * The cross-tab order of sign-ins, token rotations and logouts: a hybrid logical clock. Every
 * number a tab issues is above every number it has seen, so events that followed each other
 * keep their order whatever the wall clock does (set back an hour, or a message stamped far in
 * the future: the tabs simply count on from it). The wall clock is only a floor, so that a tab
 * that has heard no other yet still orders after what happened before it opened.
 */
export class SequenceClock {
  private last = 0

  constructor(private readonly clock: Clock) {}

  /** The highest number issued or seen here. */
  get current(): number {
    return this.last
  }

  /** The number of an event of this tab. */
  next(): number {
    this.last = Math.max(this.last + 1, Math.floor(this.clock.now()))
    return this.last
  }

  /** Counts a number another tab issued; `false` (and ignored) when too far ahead to believe. */
  observe(seq: number): boolean {
    if (seq > Math.max(this.last, this.clock.now()) + MAX_SEQ_JUMP) return false
    this.last = Math.max(this.last, seq)
    return true
  }
}

/** A random id for a session (per sign-in): names the session that a token or a logout belongs to. */
export function newSessionId(): string {
  const cryptoObj = globalThis.crypto
  if (cryptoObj?.randomUUID) return cryptoObj.randomUUID()
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`
}

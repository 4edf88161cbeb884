import { isHeaderSafeToken } from '../token/access-token'
import type { LockSignal } from './channel-lock'
import type { SessionIdentity, SessionMessage, SharedToken } from '../session/tab-link'

export type { SessionIdentity, SharedToken }
/** 2: tokens, sign-ins and logouts carry a session id and a sequence number (their order), not wall-clock times. */
export const TAB_PROTOCOL_VERSION = 2

/** The message kinds of the cross-tab protocol. */
export type TabMessageBody =
  /** What the session and refresh layers say: tokens, sign-ins, expiry, body-mode refresh requests. */
  | SessionMessage
  | { type: 'hello' }
  /**
   * Reply to `hello`: the current token, if this tab has a valid one; `session`: whether it holds
   * a session at all (an idle user's token may have lapsed).
   */
  | {
      type: 'welcome'
      token: SharedToken | null
      lastActivityAt: number | null
      session?: boolean
      seq: number
      /**
       * The session this tab holds, also when its token lapsed (an idle user): a joining tab that
       * then finds it with the refresh cookie continues it rather than starting a new one.
       */
      joinable?: SessionIdentity
      /** A logout in this browser whose server call has not been acknowledged: nobody resumes from the cookie meanwhile. */
      logoutPending?: boolean
    }
  /**
   * `session`: the session the logging-out tab held (`null`: none it knew of); `seq`: the
   * logout's sequence number, to order it against a sign-in it crossed.
   */
  | { type: 'signedOut'; everywhere: boolean; session: string | null; seq: number }
  | { type: 'activity'; at: number }
  /** The cross-tab mutex where Web Locks are missing (`channel-lock.ts`). */
  | LockSignal
  /** The server acknowledged this browser's logout: the cookie it ended is dead, resuming is harmless again. */
  | { type: 'logoutDone' }
  /** A tab made the server call that ends a session which ended by a deadline: the others skip theirs. */
  | { type: 'revoked' }

/** A cross-tab message as it travels: versioned and stamped with the sending tab's id. Never carries a refresh token. */
export type TabMessage = TabMessageBody & {
  /** Protocol version; messages of another version are ignored. */
  v: typeof TAB_PROTOCOL_VERSION
  /** Random id of the sending tab; a tab ignores its own echoes. */
  from: string
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)
const isSeq = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0
const isSessionId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 128
const isSessionIdentity = (value: unknown): boolean => {
  const j = value as Record<string, unknown> | null
  return typeof j === 'object' && j !== null && isSessionId(j.session) && isSeq(j.sessionSeq) && isFiniteNumber(j.sessionStartedAt)
}

function isSharedToken(m: Record<string, unknown>): boolean {
  return (
    // The same size cap and header-safety check as a server reply: a token that cannot go in a header would make every request throw.
    isHeaderSafeToken(m.accessToken) &&
    isFiniteNumber(m.expiresAt) &&
    isFiniteNumber(m.lifetime) &&
    m.lifetime > 0 &&
    isFiniteNumber(m.receivedAt) &&
    isFiniteNumber(m.sessionStartedAt) &&
    isSessionId(m.session) &&
    isSeq(m.seq) &&
    isSeq(m.sessionSeq) &&
    m.sessionSeq <= m.seq
  )
}

/** Validates an incoming message; anything unknown, malformed or from another version is `null`. */
export function parseTabMessage(data: unknown): TabMessage | null {
  if (typeof data !== 'object' || data === null) return null
  const m = data as Record<string, unknown>
  if (m.v !== TAB_PROTOCOL_VERSION || typeof m.from !== 'string' || m.from.length === 0) return null
  switch (m.type) {
    case 'token':
      return isSharedToken(m) ? (m as unknown as TabMessage) : null
    case 'signedIn':
      return isSharedToken(m) && (m.resumed === undefined || typeof m.resumed === 'boolean') ? (m as unknown as TabMessage) : null
    case 'welcome':
      return (m.token === null || (typeof m.token === 'object' && isSharedToken(m.token as Record<string, unknown>))) &&
        (m.lastActivityAt === null || isFiniteNumber(m.lastActivityAt)) &&
        (m.session === undefined || typeof m.session === 'boolean') &&
        isSeq(m.seq) &&
        (m.joinable === undefined || isSessionIdentity(m.joinable)) &&
        (m.logoutPending === undefined || typeof m.logoutPending === 'boolean')
        ? (m as unknown as TabMessage)
        : null
    case 'hello':
    case 'refreshRequest':
    case 'logoutDone':
    case 'revoked':
      return m as unknown as TabMessage
    case 'refreshFailed':
      return m.lost === undefined || m.lost === true ? (m as unknown as TabMessage) : null
    case 'signedOut':
      return typeof m.everywhere === 'boolean' && (m.session === null || isSessionId(m.session)) && isSeq(m.seq) ? (m as unknown as TabMessage) : null
    case 'expired':
      return (m.reason === 'refresh_rejected' || m.reason === 'idle' || m.reason === 'max_age') &&
        (m.session === null || isSessionId(m.session)) &&
        isSeq(m.seq)
        ? (m as unknown as TabMessage)
        : null
    case 'activity':
      return isFiniteNumber(m.at) ? (m as unknown as TabMessage) : null
    case 'lock':
      return (m.op === 'claim' || m.op === 'ack' || m.op === 'held' || m.op === 'probe' || m.op === 'released' || m.op === 'left') &&
        typeof m.id === 'string' &&
        m.id.length > 0 &&
        m.id.length <= 64 &&
        isFiniteNumber(m.rank)
        ? (m as unknown as TabMessage)
        : null
    default:
      return null
  }
}

/** The minimal channel the SDK needs; `broadcast-channel`'s class satisfies it. */
export interface ChannelLike {
  /** Sends to every other tab on the channel (not to this one). */
  postMessage(message: unknown): Promise<unknown> | void
  /** `listener` receives the message data (not a `MessageEvent`). */
  addEventListener(type: 'message', listener: (data: unknown) => void): void
  /** Removes a listener added with `addEventListener`. */
  removeEventListener(type: 'message', listener: (data: unknown) => void): void
  /** Closes this tab's end of the channel (`destroy()`). */
  close(): Promise<unknown> | void
}

/**
 * Creates the cross-tab channel for a name (`crossTab.channel`).
 * @example
 * ```ts
 * import { BroadcastChannel } from 'broadcast-channel'
 * // tests: tabs in one process
 * channelFactory: (name) => new BroadcastChannel(name, { type: 'simulate' })
 * ```
 */
export type ChannelFactory = (name: string) => ChannelLike

/**
 * Default factory: the native `BroadcastChannel`; `null` where none exists (SSR without it, old
 * browsers). Native directly rather than through the broadcast-channel package: only its
 * `native` method would ever be used, and its fallback transports would
 * write tokens to web storage.
 */
export function defaultChannelFactory(): ChannelFactory | null {
  const Native = globalThis.BroadcastChannel
  if (typeof Native !== 'function') return null
  return (name) => {
    const channel = new Native(name)
    // In Node (SSR, tests) an open channel keeps the process alive; a page does not care.
    ;(channel as { unref?: () => void }).unref?.()
    const handlers = new Map<(data: unknown) => void, (event: MessageEvent) => void>()
    return {
      postMessage: (message) => channel.postMessage(message),
      addEventListener(_type, listener) {
        const handler = (event: MessageEvent) => listener(event.data)
        handlers.set(listener, handler)
        channel.addEventListener('message', handler)
      },
      removeEventListener(_type, listener) {
        const handler = handlers.get(listener)
        if (handler) channel.removeEventListener('message', handler)
        handlers.delete(listener)
      },
      close: () => channel.close(),
    }
  }
}

/**
 * One tab's end of the channel: stamps version and sender, validates what arrives, drops its
 * own echoes and counts what it ignored.
 */
export class TabChannel {
  readonly tabId: string
  ignored = 0
  private readonly listener: (data: unknown) => void
  private closed = false

  constructor(
    private readonly channel: ChannelLike,
    onMessage: (message: TabMessage) => void,
    tabId: string = randomId(),
    onIgnored?: () => void,
  ) {
    this.tabId = tabId
    this.listener = (data) => {
      if (this.closed) return
      const message = parseTabMessage(data)
      if (!message || message.from === this.tabId) {
        this.ignored++
        onIgnored?.()
        return
      }
      onMessage(message)
    }
    channel.addEventListener('message', this.listener)
  }

  post(body: TabMessageBody): Promise<void> {
    if (this.closed) return Promise.resolve()
    const message = { ...body, v: TAB_PROTOCOL_VERSION, from: this.tabId }
    // A failing channel must never break the manager: sharing is an optimisation.
    return Promise.resolve()
      .then(() => this.channel.postMessage(message))
      .then(
        () => undefined,
        () => undefined,
      )
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.channel.removeEventListener('message', this.listener)
    void Promise.resolve()
      .then(() => this.channel.close())
      .catch(() => undefined)
  }
}

export function randomId(): string {
  const cryptoObj = globalThis.crypto
  if (cryptoObj?.randomUUID) return cryptoObj.randomUUID()
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
}

import { elapsedSince, momentNow, NEVER, type Clock, type Moment } from '../util/clock'
import type { ChannelLock } from './channel-lock'
import { deferChannelLock, type ChannelLockLoader } from './deferred-channel-lock'
import { createWebLock, type LingeringLock, type LockManagerLike } from './lock'
import { localLock, type RefreshLock } from '../refresh/refresh-lock'
import type { TabLink } from '../session/tab-link'
import { defaultChannelFactory, randomId, TabChannel, type ChannelFactory, type ChannelLike, type TabMessage, type TabMessageBody } from './protocol'

export interface TabSyncOptions {
  channel: ChannelLike
  clock: Clock
  /** Web Locks, or `null` for the channel mutex (`channel-lock.ts`). */
  locks: LockManagerLike | null
  /** Prefix of the lock names (the channel name). */
  lockName: string
  /** Longest a tab waits for another's refresh before doing it itself. */
  lockTimeout: number
  /** How long the refresh lock stays held after a refresh, for the token to reach the other tabs. */
  lockLinger?: number
  /** Activity is broadcast at most once per this many ms (with a trailing flush). */
  activityThrottle: number
  onMessage: (message: TabMessage) => void
  /**
   * Subscribes to the page's unload (a `pagehide` that is not for the back/forward cache);
   * returns the unsubscribe. @default the window's, where there is one
   */
  onUnload?: (listener: () => void) => () => void
  /** Loads the channel mutex where Web Locks are missing. @default a dynamic `import()` of `channel-lock.ts` */
  loadChannelLock?: ChannelLockLoader
  /** Debug log: message types only. */
  log?: (event: 'tab.sent' | 'tab.received' | 'tab.ignored', detail?: Record<string, string>) => void
}

/** The other tabs as the tabs layer and the manager see them: the session layer's `TabLink`, with the whole protocol. */
export interface Tabs extends TabLink {
  post(body: TabMessageBody): Promise<void>
  waitFor(match: (message: TabMessage) => boolean, timeout: number): Promise<TabMessage | null>
  /** Whether other tabs may be listening (`false`: certainly none). */
  mayHavePeers(): Promise<boolean>
  /** Shares this tab's activity, throttled. */
  shareActivity(at: number): void
  close(): void
}

/** Cross-tab sync off, or no channel here: the tab works alone (nobody hears it, nothing to wait for). */
export const noTabs: Tabs = {
  crossTab: false,
  peersSeen: false,
  lock: localLock,
  post: () => Promise.resolve(),
  waitFor: () => Promise.resolve(null),
  mayHavePeers: () => Promise.resolve(false),
  shareActivity: () => undefined,
  close: () => undefined,
}

type Waiter = { match: (message: TabMessage) => boolean; resolve: (message: TabMessage | null) => void }

/**
 * The cross-tab side of a manager: the channel, the refresh mutex, the join handshake and
 * throttled activity sharing. It only moves messages; the manager decides what they mean.
 */
export class TabSync implements Tabs {
  readonly crossTab = true
  readonly lock: RefreshLock
  private readonly tab: TabChannel
  private readonly waiters = new Set<Waiter>()
  private lastActivitySent: Moment = NEVER
  private pendingActivity: number | null = null
  private activityTimer: unknown = null
  private releasePresence: (() => void) | null = null
  private readonly heldLock: LingeringLock
  private readonly channelLock: ChannelLock | null = null
  private stopUnload: (() => void) | null = null
  /** Whether another tab has ever spoken on the channel. */
  peersSeen = false
  private closed = false

  constructor(private readonly options: TabSyncOptions) {
    this.tab = new TabChannel(
      options.channel,
      (message) => {
        this.peersSeen = true
        options.log?.('tab.received', message.type === 'lock' ? { type: 'lock', op: message.op } : { type: message.type })
        this.channelLock?.noticed(message.from)
        if (message.type === 'lock') {
          this.channelLock?.receive(message.from, message)
          return
        }
        for (const waiter of [...this.waiters]) {
          if (waiter.match(message)) {
            this.waiters.delete(waiter)
            waiter.resolve(message)
          }
        }
        options.onMessage(message)
      },
      undefined,
      () => options.log?.('tab.ignored'),
    )
    if (options.locks) {
      this.heldLock = createWebLock(options.locks, `${options.lockName}:refresh`, options.lockTimeout, options.clock, options.lockLinger ?? 0)
      this.holdPresence(options.locks)
    } else {
      this.channelLock = deferChannelLock(options.loadChannelLock ?? (() => import('./channel-lock')), {
        clock: options.clock,
        newId: randomId,
        post: (signal) => void this.tab.post(signal),
        acquireTimeout: options.lockTimeout,
        linger: options.lockLinger ?? 0,
        tabId: this.tab.tabId,
      })
      this.heldLock = this.channelLock
      // A closed tab runs no destroy(): without this, its hold or claim made the others wait out
      // lockTimeout (135 s by default), where the browser frees a Web Lock at once.
      const lock = this.channelLock
      this.stopUnload = (options.onUnload ?? onPageUnload)(() => lock.close())
    }
    this.lock = this.heldLock
  }

  get tabId(): string {
    return this.tab.tabId
  }

  post(body: TabMessageBody): Promise<void> {
    this.options.log?.('tab.sent', body.type === 'lock' ? { type: 'lock', op: body.op } : { type: body.type })
    return this.tab.post(body)
  }

  /**
   * Whether other tabs may be listening. With Web Locks each tab holds a presence lock, so a
   * lone tab knows at once and skips the join wait; without them we cannot know.
   */
  async mayHavePeers(): Promise<boolean> {
    const locks = this.options.locks as (LockManagerLike & { query?: () => Promise<{ held?: { name?: string }[] }> }) | null
    if (!locks?.query) return true
    try {
      const { held = [] } = await locks.query()
      const prefix = `${this.options.lockName}:tab:`
      return held.some((lock) => lock.name?.startsWith(prefix) && lock.name !== `${prefix}${this.tabId}`)
    } catch {
      return true
    }
  }

  /** Resolves with the first matching message, or `null` after `timeout` ms. */
  waitFor(match: (message: TabMessage) => boolean, timeout: number): Promise<TabMessage | null> {
    // Closed (destroyed): no message can come.
    if (this.closed) return Promise.resolve(null)
    return new Promise((resolve) => {
      const waiter: Waiter = {
        match,
        resolve: (message) => {
          this.options.clock.clearTimeout(timer)
          resolve(message)
        },
      }
      const timer = this.options.clock.setTimeout(() => {
        this.waiters.delete(waiter)
        resolve(null)
      }, timeout)
      this.waiters.add(waiter)
    })
  }

  /** Shares activity, throttled; the last activity of a burst is always sent (trailing). */
  shareActivity(at: number): void {
    const { clock, activityThrottle } = this.options
    // A throttle: no clock change (or a sleep that stopped the monotonic clock) may stretch it.
    const elapsed = elapsedSince(clock, this.lastActivitySent)
    if (elapsed >= activityThrottle) {
      this.lastActivitySent = momentNow(clock)
      void this.post({ type: 'activity', at })
      return
    }
    this.pendingActivity = at
    if (this.activityTimer !== null) return
    this.activityTimer = clock.setTimeout(() => {
      this.activityTimer = null
      if (this.pendingActivity === null) return
      this.lastActivitySent = momentNow(clock)
      void this.post({ type: 'activity', at: this.pendingActivity })
      this.pendingActivity = null
    }, activityThrottle - elapsed)
  }

  close(): void {
    this.closed = true
    if (this.activityTimer !== null) this.options.clock.clearTimeout(this.activityTimer)
    this.activityTimer = null
    for (const waiter of this.waiters) waiter.resolve(null)
    this.waiters.clear()
    this.releasePresence?.()
    this.stopUnload?.()
    this.stopUnload = null
    // Leaves the lock queue: a destroyed tab's queued refresh settles now, not after lockTimeout;
    // before the channel closes, so tabs waiting on our hold or claim hear it go.
    this.heldLock.close()
    this.tab.close()
  }

  private holdPresence(locks: LockManagerLike): void {
    const held = new Promise<void>((resolve) => (this.releasePresence = resolve))
    void locks.request(`${this.options.lockName}:tab:${this.tabId}`, {}, () => held).catch(() => undefined)
  }
}

/**
 * Opens the manager's side of the tab channel per its options (`crossTab`, `channelFactory`,
 * `locks`) and announces the tab; `noTabs` when cross-tab sync is off or impossible (no
 * channel here): the tab then works alone.
 */
export function openTabSync(
  crossTab: { channel: string; channelFactory?: ChannelFactory | undefined; locks?: LockManagerLike | null | undefined } | null,
  settings: Omit<TabSyncOptions, 'channel' | 'locks' | 'lockName'>,
): Tabs {
  if (!crossTab) return noTabs
  const factory = crossTab.channelFactory ?? defaultChannelFactory()
  if (!factory) return noTabs
  const name = crossTab.channel
  const locks = crossTab.locks !== undefined ? crossTab.locks : defaultLocks()
  try {
    const sync = new TabSync({ ...settings, channel: factory(name), locks, lockName: name })
    // Announce ourselves: open tabs answer with their token, and know a peer exists.
    void sync.post({ type: 'hello' })
    return sync
  } catch {
    return noTabs
  }
}

/** The document goes away for good (closed, reloaded, navigated away; not into the back/forward cache). */
function onPageUnload(listener: () => void): () => void {
  const win = typeof window !== 'undefined' ? window : undefined
  if (!win?.addEventListener) return () => {}
  const onPageHide = (event: Event) => {
    if (!(event as PageTransitionEvent).persisted) listener()
  }
  win.addEventListener('pagehide', onPageHide)
  return () => win.removeEventListener('pagehide', onPageHide)
}

function defaultLocks(): LockManagerLike | null {
  const locks = typeof navigator !== 'undefined' ? (navigator as { locks?: LockManagerLike | null }).locks : undefined
  return locks ?? null
}

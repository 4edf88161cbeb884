import { monotonicNow, type Clock } from '../util/clock'
import { startElection, type Election } from './election'
import { RefreshError } from '../errors'
import { createLeaderLock, createWebLock, localLock, type LingeringLock, type LockManagerLike, type RefreshLock } from './lock'
import { defaultChannelFactory, TabChannel, type ChannelFactory, type ChannelLike, type TabMessage, type TabMessageBody } from './protocol'

export interface TabSyncOptions {
  channel: ChannelLike
  clock: Clock
  /** Web Locks, or `null` for the leader-election fallback. */
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
  /** Debug log: message types only. */
  log?: (event: 'tab.sent' | 'tab.received' | 'tab.ignored', detail?: Record<string, string>) => void
}

type Waiter = { match: (message: TabMessage) => boolean; resolve: (message: TabMessage | null) => void }

const FOLLOWER_WAKE_TYPES = new Set(['token', 'signedIn', 'expired', 'signedOut', 'refreshFailed', 'noSession'])

/**
 * The cross-tab side of a manager: the channel, the refresh mutex, the join handshake and
 * throttled activity sharing. It only moves messages; the manager decides what they mean.
 */
export class TabSync {
  readonly lock: RefreshLock
  private readonly tab: TabChannel
  private readonly waiters = new Set<Waiter>()
  private election: Election | null = null
  private electionStarted = false
  private closed = false
  private lastActivitySent = -Infinity
  private pendingActivity: number | null = null
  private activityTimer: unknown = null
  private releasePresence: (() => void) | null = null
  private webLock: LingeringLock | null = null
  /** Whether another tab has ever spoken on the channel. */
  peersSeen = false

  constructor(private readonly options: TabSyncOptions) {
    this.tab = new TabChannel(
      options.channel,
      (message) => {
        this.peersSeen = true
        this.ensureElector()
        options.log?.('tab.received', { type: message.type })
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
      this.webLock = createWebLock(options.locks, `${options.lockName}:refresh`, options.lockTimeout, options.clock, options.lockLinger ?? 0)
      this.lock = this.webLock
      this.holdPresence(options.locks)
    } else {
      const sync = this
      const leaderLock = createLeaderLock(
        {
          get isLeader() {
            return sync.isLeader
          },
          hasLeader: () => sync.election?.elector.hasLeader() ?? Promise.resolve(false),
        },
        () => void this.post({ type: 'refreshRequest' }),
        (timeout) =>
          this.waitFor((m) => FOLLOWER_WAKE_TYPES.has(m.type), timeout).then((answer) => {
            // The leader tried and failed: every follower refreshing now would race the others.
            if (answer?.type === 'refreshFailed') throw new RefreshError("The leader tab's refresh failed")
            return answer
          }),
        options.lockTimeout,
      )
      // Until another tab has spoken there is nobody to coordinate with, and no election (its
      // follower loop polls every 3 s); the election module is loaded then. If it cannot load,
      // tabs refresh on their own.
      this.lock = { run: (task) => (this.election ? leaderLock.run(task) : localLock.run(task)) }
    }
  }

  get tabId(): string {
    return this.tab.tabId
  }

  /** In the leader-election fallback, whether this tab refreshes for the others. */
  get isLeader(): boolean {
    return this.election?.elector.isLeader ?? false
  }

  get usesLeaderElection(): boolean {
    return this.options.locks === null
  }

  /** Messages dropped as malformed, foreign-version or own echoes (for debugging). */
  get ignoredMessages(): number {
    return this.tab.ignored
  }

  post(body: TabMessageBody): Promise<void> {
    this.options.log?.('tab.sent', { type: body.type })
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
    const now = monotonicNow(clock) // a throttle: no clock change may stretch it
    if (now - this.lastActivitySent >= activityThrottle) {
      this.lastActivitySent = now
      void this.post({ type: 'activity', at })
      return
    }
    this.pendingActivity = at
    if (this.activityTimer !== null) return
    this.activityTimer = clock.setTimeout(
      () => {
        this.activityTimer = null
        if (this.pendingActivity === null) return
        this.lastActivitySent = monotonicNow(clock)
        void this.post({ type: 'activity', at: this.pendingActivity })
        this.pendingActivity = null
      },
      this.lastActivitySent + activityThrottle - now,
    )
  }

  close(): void {
    if (this.activityTimer !== null) this.options.clock.clearTimeout(this.activityTimer)
    this.activityTimer = null
    for (const waiter of this.waiters) waiter.resolve(null)
    this.waiters.clear()
    this.releasePresence?.()
    // Leaves the lock queue too: a destroyed tab's queued refresh settles now, not after lockTimeout.
    this.webLock?.close()
    this.closed = true
    this.election?.close()
    this.election = null
    this.tab.close()
  }

  private ensureElector(): void {
    if (this.electionStarted || !this.usesLeaderElection) return
    this.electionStarted = true
    startElection(this.options.channel, this.options.lockName).then(
      (election) => {
        if (this.closed) election.close()
        else this.election = election
      },
      // No election possible (no channel transport for it): tabs refresh on their own.
      () => undefined,
    )
  }

  private holdPresence(locks: LockManagerLike): void {
    const held = new Promise<void>((resolve) => (this.releasePresence = resolve))
    void locks.request(`${this.options.lockName}:tab:${this.tabId}`, {}, () => held).catch(() => undefined)
  }
}

/**
 * Opens the manager's side of the tab channel per its options (`crossTab`, `channelFactory`,
 * `locks`) and announces the tab; `null` when cross-tab sync is off or impossible (no
 * channel here): the tab then works alone.
 */
export function openTabSync(
  crossTab: { channel: string; channelFactory?: ChannelFactory | undefined; locks?: LockManagerLike | null | undefined } | null,
  settings: Omit<TabSyncOptions, 'channel' | 'locks' | 'lockName'>,
): TabSync | null {
  if (!crossTab) return null
  const factory = crossTab.channelFactory ?? defaultChannelFactory()
  if (!factory) return null
  const name = crossTab.channel
  const locks = crossTab.locks !== undefined ? crossTab.locks : defaultLocks()
  try {
    const sync = new TabSync({ ...settings, channel: factory(name), locks, lockName: name })
    // Announce ourselves: open tabs answer with their token, and know a peer exists.
    void sync.post({ type: 'hello' })
    return sync
  } catch {
    return null
  }
}

function defaultLocks(): LockManagerLike | null {
  const locks = typeof navigator !== 'undefined' ? (navigator as { locks?: LockManagerLike | null }).locks : undefined
  return locks ?? null
}

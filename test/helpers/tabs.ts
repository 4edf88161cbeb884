import { BroadcastChannel } from 'broadcast-channel'
import { TokenManager, type ChannelLike, type TokenManagerEvents, type TokenManagerOptions } from '../../src'
import { createBrowser, ORIGIN, type TestBrowser } from './browser'
import { createLockManager } from './locks'

let channelSeq = 0

/**
 * Several managers in one process playing the tabs of one browser: one cookie jar, one
 * broadcast-channel ('simulate' type: in-process, delivered on timers) and, unless disabled,
 * one Web Locks manager.
 */
export function createTabs(options: { webLocks?: boolean; browser?: TestBrowser | undefined; tabOptions?: Partial<TokenManagerOptions> } = {}) {
  const browser = options.browser ?? createBrowser()
  const locks = createLockManager()
  const channel = `tk-test-${++channelSeq}`
  const channels: ChannelLike[] = []
  const tabs: { tm: TokenManager; events: { type: keyof TokenManagerEvents; payload: unknown }[] }[] = []

  function open(extra: Partial<TokenManagerOptions> = {}) {
    const tm = new TokenManager({
      baseUrl: ORIGIN,
      fetch: browser.fetch,
      crossTab: { channel },
      locks: options.webLocks === false ? null : locks.managerFor(),
      channelFactory: (name) => {
        const c = new BroadcastChannel(name, { type: 'simulate' }) as unknown as ChannelLike
        channels.push(c)
        return c
      },
      ...options.tabOptions,
      ...extra,
    })
    const events: { type: keyof TokenManagerEvents; payload: unknown }[] = []
    for (const type of ['signedIn', 'tokenRefreshed', 'signedOut', 'sessionExpired', 'error', 'idleWarning'] as const) {
      tm.on(type, (payload) => events.push({ type, payload }))
    }
    const tab = { tm, events, ofType: (type: keyof TokenManagerEvents) => events.filter((e) => e.type === type) }
    tabs.push(tab)
    return tab
  }

  /** A raw channel end for injecting messages as a foreign (possibly hostile) tab. */
  function rawChannel(): BroadcastChannel {
    return new BroadcastChannel(channel, { type: 'simulate' })
  }

  return {
    browser,
    locks,
    channel,
    open,
    rawChannel,
    tabs,
    destroyAll: () => {
      for (const t of tabs) t.tm.destroy()
    },
  }
}

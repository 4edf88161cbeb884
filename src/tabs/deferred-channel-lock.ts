import type { ChannelLock, ChannelLockOptions, LockSignal } from './channel-lock'

/** Loads the channel mutex's module (a dynamic `import()`, its own chunk in an app's bundle). */
export type ChannelLockLoader = () => Promise<Pick<typeof import('./channel-lock'), 'createChannelLock'>>

/** Signals heard before the module is here, replayed in order; beyond this many, the oldest go. */
const MAX_HEARD = 256

const closedError = () => new DOMException('The tab channel is closed', 'AbortError')

/**
 * The channel mutex, fetched when a tab needs it. Secure contexts (nearly every site) have Web
 * Locks and never run it, so it is a chunk of its own, not part of every app's first load.
 *
 * Loading starts at once, since the tab must answer the other tabs' claims; what they say
 * meanwhile is replayed in order when the module is here. Runs wait for it. A load that fails
 * (a network error, a redeploy that removed the chunk) fails the runs that waited on it: the
 * refresh is a transient failure and the next run loads again.
 */
export function deferChannelLock(load: ChannelLockLoader, options: ChannelLockOptions): ChannelLock {
  let lock: ChannelLock | null = null
  let closed = false
  let loading: Promise<ChannelLock> | null = null
  const heard: Array<(lock: ChannelLock) => void> = []
  const noticedMeanwhile = new Set<string>()

  const hear = (replay: (lock: ChannelLock) => void) => {
    heard.push(replay)
    if (heard.length > MAX_HEARD) heard.shift()
  }
  const ready = (): Promise<ChannelLock> => {
    if (closed) return Promise.reject(closedError())
    if (lock) return Promise.resolve(lock)
    loading ??= load().then(
      ({ createChannelLock }) => {
        if (closed) throw closedError()
        const created = createChannelLock(options)
        for (const replay of heard.splice(0)) replay(created)
        noticedMeanwhile.clear()
        lock = created
        return created
      },
      (error: unknown) => {
        loading = null
        throw error
      },
    )
    return loading
  }
  ready().catch(() => undefined)

  return {
    run: (task, shouldLinger) => ready().then((loaded) => loaded.run(task, shouldLinger)),
    noticed(from) {
      if (lock) return lock.noticed(from)
      if (closed || noticedMeanwhile.has(from)) return
      noticedMeanwhile.add(from)
      hear((loaded) => loaded.noticed(from))
    },
    receive(from, signal: LockSignal) {
      if (lock) return lock.receive(from, signal)
      if (!closed) hear((loaded) => loaded.receive(from, signal))
    },
    releaseLingering: () => lock?.releaseLingering(),
    close() {
      if (closed) return
      closed = true
      // Not loaded: this tab never claimed nor held the lock, but the others may count on its answers.
      if (lock) lock.close()
      else options.post({ type: 'lock', op: 'left', id: options.tabId, rank: 0 })
    },
  }
}

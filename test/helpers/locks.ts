import type { LockManagerLike } from '../../src'

/**
 * An in-process Web Locks implementation (exclusive mode only) shared by the "tabs" of a test,
 * with `kill(holder)` to simulate the browser releasing a dead tab's locks.
 */
export function createLockManager() {
  type Entry = { name: string; grant: () => void; owner: object }
  const held = new Map<string, object>()
  const queue: Entry[] = []
  let acquisitions = 0

  const pump = (name: string) => {
    if (held.has(name)) return
    const index = queue.findIndex((entry) => entry.name === name)
    if (index === -1) return
    const [entry] = queue.splice(index, 1)
    entry!.grant()
  }

  function managerFor(): LockManagerLike & { query(): Promise<{ held: { name: string }[] }> } {
    return {
      request(name, options, callback) {
        const owner = {}
        return new Promise((resolve, reject) => {
          const run = () => {
            held.set(name, owner)
            acquisitions++
            Promise.resolve()
              .then(() => callback({ name }))
              .then(resolve, reject)
              .finally(() => {
                if (held.get(name) === owner) held.delete(name)
                pump(name)
              })
          }
          if (!held.has(name) && !queue.some((e) => e.name === name)) return run()
          if (options.ifAvailable) {
            Promise.resolve()
              .then(() => callback(null))
              .then(resolve, reject)
            return
          }
          const entry: Entry = { name, grant: run, owner }
          queue.push(entry)
          options.signal?.addEventListener('abort', () => {
            const i = queue.indexOf(entry)
            if (i !== -1) {
              queue.splice(i, 1)
              reject(new DOMException('aborted', 'AbortError'))
            }
          })
        })
      },
      async query() {
        return { held: [...held.keys()].map((name) => ({ name })) }
      },
    }
  }

  return {
    managerFor,
    /** The browser frees every lock, as when the holding tab dies. */
    releaseAll(name: string) {
      held.delete(name)
      pump(name)
    },
    isHeld: (name: string) => held.has(name),
    /** Requests queued for `name` (not granted yet, not aborted). */
    waiting: (name: string) => queue.filter((entry) => entry.name === name).length,
    get acquisitions() {
      return acquisitions
    },
  }
}

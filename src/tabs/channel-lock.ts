import type { Clock } from '../util/clock'
import type { LingeringLock } from './lock'

/** What one tab says about the channel mutex. */
export interface LockSignal {
  type: 'lock'
  /**
   * `claim`: wants the lock; `ack`: lets the claim `id` go ahead; `held`: holds it (also the
   * answer to a `probe` of hold `id` from a tab waiting on it); `released`: gave it (or its claim)
   * up; `left`: the tab closed.
   */
  op: 'claim' | 'ack' | 'held' | 'probe' | 'released' | 'left'
  /** The acquisition the signal is about (for `ack`, the claim it answers). */
  id: string
  /** Tie-break between claims that cross on the channel: the lower rank wins. */
  rank: number
}

export interface ChannelLockOptions {
  clock: Clock
  post(signal: LockSignal): void
  /** This tab's id on the channel: the tie-break between equal ranks. */
  tabId: string
  /** Longest a tab waits for the others before it goes on anyway (a crashed holder). */
  acquireTimeout: number
  /** How long a hold lingers after a task that asks for it. */
  linger: number
  /**
   * A fresh random id per acquisition. Injected (the tab channel's `randomId`) so that this
   * module imports nothing at run time: it is a chunk of its own (`deferred-channel-lock.ts`).
   */
  newId(): string
}

/** A channel mutex that is told what the other tabs say, and closed with its tab. */
export interface ChannelLock extends LingeringLock {
  /** Any message from a tab: it is alive, and its answer is due to our claims. */
  noticed(from: string): void
  receive(from: string, signal: LockSignal): void
}

type Peer = { id: string; rank: number; op: 'claim' | 'held'; expiry: unknown }
type Mine = { id: string; rank: number; holding: boolean; waitingFor: Set<string> }

/** A live tab answers a claim within a few ms; one that has not in this long is frozen or gone. */
const ANSWER_TIMEOUT = 1000
/** A claim nobody confirmed or withdrew stops counting after this long. */
const STALE_CLAIM = 2 * ANSWER_TIMEOUT
/** A tab waiting on a holder asks it this often whether it still holds the lock... */
const PROBE_INTERVAL = ANSWER_TIMEOUT
/** ...and gives up on one silent this long (it crashed or was discarded without a word). */
const HOLDER_SILENCE = 5 * ANSWER_TIMEOUT

/**
 * The cross-tab mutex where Web Locks are missing: every insecure context (plain-`http:`
 * intranet sites), WebViews, Node before 22, hosts with `locks: null`. The same contract as the
 * Web Lock, so every layer above has one code path.
 *
 * A tab that wants the lock waits while another tab holds or claims it, then posts a `claim`
 * and waits for an answer from every tab it knows: `ack`, a holder's `held` (it waits for that
 * tab), or a crossing claim (the lower rank wins; the loser withdraws and acks). Answered by all,
 * it holds: it posts `held`, runs the task and posts `released` after the task's own messages,
 * so waiting tabs see the token before the lock. Answers are messages, not timers: no delay
 * beyond the channel's own. A tab that knows no other holds at once, but still answers claims;
 * a tab that does not answer in `ANSWER_TIMEOUT` (frozen, crashed) stops being waited for until
 * it speaks again; tabs waiting on a holder probe it every second and give up on one silent for
 * `HOLDER_SILENCE` (a crash: a closed tab says `left` on `pagehide`), and any wait ends after
 * `acquireTimeout`, like a frozen
 * Web Lock holder.
 */
export function createChannelLock(options: ChannelLockOptions): ChannelLock {
  const { clock, post, acquireTimeout, linger, tabId, newId } = options
  const known = new Set<string>()
  const peers = new Map<string, Peer>()
  const listeners = new Set<() => void>()
  let mine: Mine | null = null
  let localTail: Promise<unknown> = Promise.resolve()
  let localRuns = 0
  let endLinger: (() => void) | null = null
  let closed = false
  let rejectClosed!: (reason: unknown) => void
  const closing = new Promise<never>((_, reject) => (rejectClosed = reject))
  closing.catch(() => undefined)

  const changed = () => {
    for (const listener of [...listeners]) listener()
  }
  /** Resolves on the next change: a lock message, a timer of this lock, or close. */
  const nextChange = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        listeners.delete(done)
        resolve()
      }
      listeners.add(done)
    })
  const beats = (a: { rank: number }, aFrom: string, b: { rank: number }, bFrom: string) => a.rank < b.rank || (a.rank === b.rank && aFrom < bFrom)
  // Timers, not the wall clock, bound every wait: like the Web Lock's timeout, they stand still
  // while the machine sleeps, so a clock jump on wake cannot make a live holder look dead.
  const forget = (from: string) => {
    const peer = peers.get(from)
    if (!peer) return
    clock.clearTimeout(peer.expiry)
    peers.delete(from)
  }
  const remember = (from: string, signal: LockSignal & { op: 'claim' | 'held' }) => {
    forget(from)
    const peer: Peer = { id: signal.id, rank: signal.rank, op: signal.op, expiry: null }
    peer.expiry = clock.setTimeout(
      () => {
        if (peers.get(from) !== peer) return
        peers.delete(from)
        changed()
      },
      signal.op === 'held' ? Math.min(HOLDER_SILENCE, acquireTimeout) : STALE_CLAIM,
    )
    peers.set(from, peer)
  }
  const say = (op: LockSignal['op'], id: string, rank = 0) => post({ type: 'lock', op, id, rank })
  const hold = (announce: boolean) => {
    mine = { id: newId(), rank: 0, holding: true, waitingFor: new Set() }
    if (announce) say('held', mine.id)
  }
  const release = () => {
    if (!mine) return
    const was = mine
    mine = null
    say('released', was.id)
  }

  async function acquire(): Promise<boolean> {
    let timedOut = false
    const deadline = clock.setTimeout(() => {
      timedOut = true
      changed()
    }, acquireTimeout)
    try {
      return await contend(() => timedOut)
    } finally {
      clock.clearTimeout(deadline)
    }
  }

  async function contend(timedOut: () => boolean): Promise<boolean> {
    let contended = false
    for (;;) {
      if (closed) return closing
      if (known.size === 0 || timedOut()) {
        // Nobody to ask; or a holder that never released (crashed, frozen): go on, as the Web Lock's timeout does.
        hold(timedOut())
        return contended || timedOut()
      }
      if (peers.size > 0) {
        contended = true
        // A live holder answers each probe with `held` (its entry lives on); a crashed one falls silent.
        const probe = clock.setTimeout(() => {
          for (const peer of peers.values()) if (peer.op === 'held') say('probe', peer.id)
        }, PROBE_INTERVAL)
        await nextChange()
        clock.clearTimeout(probe)
        continue
      }
      const claim: Mine = { id: newId(), rank: Math.random(), holding: false, waitingFor: new Set(known) }
      mine = claim
      say('claim', claim.id, claim.rank)
      let unanswered = false
      const answerBy = clock.setTimeout(() => {
        unanswered = true
        changed()
      }, ANSWER_TIMEOUT)
      while (mine === claim && claim.waitingFor.size > 0 && !closed && !unanswered) await nextChange()
      clock.clearTimeout(answerBy)
      if (unanswered && mine === claim) {
        // Silent tabs are frozen or gone: they cannot refresh meanwhile, and will be asked again once they speak.
        for (const silent of claim.waitingFor) known.delete(silent)
        claim.waitingFor.clear()
      }
      if (mine !== claim || closed) {
        // Lost to a holder or a better claim (receive() withdrew ours): wait for it, then claim again.
        contended = true
        continue
      }
      claim.holding = true
      say('held', claim.id)
      return contended
    }
  }

  return {
    run(task, shouldLinger) {
      // Our own lingering hold is no contention: what it protected (our token) is already here.
      const afterOwnHold = endLinger !== null
      endLinger?.()
      // Another run of this tab holds or wants the lock: queue behind it, as Web Locks do.
      const queued = localRuns++ > 0
      const previous = localTail
      let settled!: () => void
      localTail = new Promise<void>((resolve) => (settled = resolve)).then(() => void localRuns--)
      return Promise.race([previous, closing]).then(async () => {
        let contended: boolean
        try {
          contended = ((await acquire()) || queued) && !afterOwnHold
        } catch (error) {
          settled()
          throw error
        }
        let value: Awaited<ReturnType<typeof task>>
        try {
          value = await task(contended)
        } catch (error) {
          release()
          settled()
          throw error
        }
        settled()
        if (linger > 0 && !closed && shouldLinger?.(value)) {
          const timer = clock.setTimeout(() => endLinger?.(), linger)
          endLinger = () => {
            endLinger = null
            clock.clearTimeout(timer)
            release()
          }
        } else {
          release()
        }
        return value
      })
    },
    noticed(from) {
      if (closed || known.has(from)) return
      known.add(from)
    },
    receive(from, signal) {
      if (closed) return
      if (signal.op === 'left') {
        known.delete(from)
        forget(from)
        mine?.waitingFor.delete(from)
      } else if (signal.op === 'ack') {
        if (mine?.id === signal.id) mine.waitingFor.delete(from)
      } else if (signal.op === 'probe') {
        if (mine?.holding && mine.id === signal.id) say('held', mine.id)
      } else if (signal.op === 'released') {
        if (peers.get(from)?.id === signal.id) forget(from)
      } else {
        remember(from, signal as LockSignal & { op: 'claim' | 'held' })
        mine?.waitingFor.delete(from)
        if (mine?.holding) {
          if (signal.op === 'claim') say('held', mine.id)
        } else if (mine && (signal.op === 'held' || beats(signal, from, mine, tabId))) {
          // Withdraw: the claim loop sees `mine` changed and waits for the winner.
          const lost = mine
          mine = null
          say('released', lost.id)
          if (signal.op === 'claim') say('ack', signal.id)
        } else if (mine) {
          // A worse claim: it will yield to ours, which it may have missed (it joined after we posted).
          say('claim', mine.id, mine.rank)
        } else if (signal.op === 'claim') {
          say('ack', signal.id)
        }
      }
      changed()
    },
    releaseLingering: () => endLinger?.(),
    close(reason = new DOMException('The tab channel is closed', 'AbortError')) {
      if (closed) return
      endLinger?.()
      release()
      say('left', tabId)
      closed = true
      for (const from of [...peers.keys()]) forget(from)
      rejectClosed(reason)
      changed()
    },
  }
}

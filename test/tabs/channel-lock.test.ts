import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createChannelLock, type ChannelLock, type LockSignal } from '../../src/tabs/channel-lock'
import { randomId } from '../../src/tabs/protocol'
import { systemClock } from '../../src/util/clock'

/** Tabs on one channel: every signal reaches the others after `delay` ms (a fake timer). */
function network(delay = 5) {
  const tabs: { id: string; lock: ChannelLock; open: boolean }[] = []
  const sent: { from: string; signal: LockSignal }[] = []
  function open(id: string, options: { acquireTimeout?: number; linger?: number } = {}) {
    const tab = {
      id,
      open: true,
      lock: createChannelLock({
        clock: systemClock,
        newId: randomId,
        tabId: id,
        acquireTimeout: options.acquireTimeout ?? 10_000,
        linger: options.linger ?? 0,
        post: (signal) => {
          sent.push({ from: id, signal })
          setTimeout(() => {
            for (const other of tabs) if (other !== tab && other.open) deliver(other, id, signal)
          }, delay)
        },
      }),
    }
    tabs.push(tab)
    return tab
  }
  const deliver = (to: (typeof tabs)[number], from: string, signal: LockSignal) => {
    to.lock.noticed(from)
    to.lock.receive(from, signal)
  }
  /** Every tab hears from every other (their hello/welcome, in the manager). */
  const meet = () => {
    for (const a of tabs) for (const b of tabs) if (a !== b) a.lock.noticed(b.id)
  }
  return { open, sent, meet }
}

/** A task that records when it runs and how many tasks overlap. */
function probe() {
  let running = 0
  let maxRunning = 0
  const log: string[] = []
  const task = (name: string, ms: number) => async (contended: boolean) => {
    running++
    maxRunning = Math.max(maxRunning, running)
    log.push(`${name} start${contended ? ' (contended)' : ''}`)
    await new Promise((resolve) => setTimeout(resolve, ms))
    log.push(`${name} end`)
    running--
    return name
  }
  return { task, log, max: () => maxRunning }
}

describe('channel lock (the cross-tab mutex without Web Locks)', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('a lone tab that never heard a peer runs at once, without a claim window', async () => {
    const net = network()
    const a = net.open('a')
    const { task, log } = probe()
    const done = a.lock.run(task('a', 0))
    await vi.advanceTimersByTimeAsync(0)
    expect(log).toEqual(['a start', 'a end'])
    await expect(done).resolves.toBe('a')
  })

  it('tabs that claim at the same moment run one at a time, the loser told it was contended', async () => {
    const net = network()
    const tabs = ['a', 'b', 'c', 'd'].map((id) => net.open(id))
    net.meet()
    const { task, log, max } = probe()
    const runs = tabs.map((tab) => tab.lock.run(task(tab.id, 200)))
    await vi.advanceTimersByTimeAsync(5000)
    await Promise.all(runs)
    expect(max()).toBe(1)
    expect(log.filter((l) => l.endsWith('start'))).toHaveLength(1) // the winner only
    expect(log.filter((l) => l.endsWith('(contended)'))).toHaveLength(3)
  })

  it('a tab that joins while another holds the lock waits for it (the holder answers its claim)', async () => {
    const net = network()
    const a = net.open('a') // alone so far: holds at once, posts nothing
    const { task, log, max } = probe()
    const first = a.lock.run(task('a', 1000))
    await vi.advanceTimersByTimeAsync(100)
    const b = net.open('b')
    b.lock.noticed('a') // a's welcome
    const second = b.lock.run(task('b', 10))
    await vi.advanceTimersByTimeAsync(3000)
    await Promise.all([first, second])
    expect(log).toEqual(['a start', 'a end', 'b start (contended)', 'b end'])
    expect(max()).toBe(1)
  })

  it('runs of one tab queue behind each other', async () => {
    const net = network()
    const a = net.open('a')
    const { task, log, max } = probe()
    const runs = [a.lock.run(task('1', 100)), a.lock.run(task('2', 100))]
    await vi.advanceTimersByTimeAsync(1000)
    await Promise.all(runs)
    expect(log).toEqual(['1 start', '1 end', '2 start (contended)', '2 end'])
    expect(max()).toBe(1)
  })

  it('releases after a failing task', async () => {
    const net = network()
    const [a, b] = [net.open('a'), net.open('b')]
    net.meet()
    const failed = a.lock.run(async () => Promise.reject(new Error('boom')))
    const rejection = expect(failed).rejects.toThrow('boom')
    await vi.advanceTimersByTimeAsync(100)
    await rejection
    const next = b.lock.run(async (contended) => contended)
    await vi.advanceTimersByTimeAsync(100)
    await expect(next).resolves.toBe(false)
  })

  it('a live holder that never releases (a hung task: it still answers probes) is outwaited by the acquire timeout', async () => {
    const net = network()
    const a = net.open('a')
    const b = net.open('b', { acquireTimeout: 2000 })
    net.meet()
    void a.lock.run(() => new Promise(() => undefined)) // never settles: a frozen or crashed tab
    await vi.advanceTimersByTimeAsync(100)
    let ran = false
    const late = b.lock.run(async (contended) => {
      ran = true
      return contended
    })
    await vi.advanceTimersByTimeAsync(1500)
    expect(ran).toBe(false)
    await vi.advanceTimersByTimeAsync(600)
    await expect(late).resolves.toBe(true)
  })

  it('a holder that crashed (silent: no release, no answer to probes) is given up after 5 s, not the acquire timeout', async () => {
    const net = network()
    const a = net.open('a')
    const b = net.open('b', { acquireTimeout: 60_000 })
    net.meet()
    void a.lock.run(() => new Promise(() => undefined))
    await vi.advanceTimersByTimeAsync(100)
    a.open = false // the tab crashed or was discarded: no pagehide, no `left`
    let ranAt: number | null = null
    const started = Date.now()
    const late = b.lock.run(async (contended) => {
      ranAt = Date.now() - started
      return contended
    })
    await vi.advanceTimersByTimeAsync(4000)
    expect(ranAt).toBeNull()
    await vi.advanceTimersByTimeAsync(3000)
    await expect(late).resolves.toBe(true)
    expect(ranAt).toBeGreaterThanOrEqual(4000)
    expect(ranAt).toBeLessThan(7000)
    expect(net.sent.some((s) => s.from === 'b' && s.signal.op === 'probe')).toBe(true)
  })

  it('closing a tab frees its hold for the others at once, and rejects its own waiting runs', async () => {
    const net = network()
    const [a, b] = [net.open('a'), net.open('b')]
    net.meet()
    void a.lock.run(() => new Promise(() => undefined))
    await vi.advanceTimersByTimeAsync(100)
    const waiting = a.lock.run(async () => 'never')
    const rejected = expect(waiting).rejects.toThrow(/closed/)
    const next = b.lock.run(async (contended) => contended)
    await vi.advanceTimersByTimeAsync(100)
    a.lock.close()
    await vi.advanceTimersByTimeAsync(100)
    await expect(next).resolves.toBe(true)
    await rejected
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a lingering hold keeps other tabs out, but not its own next run', async () => {
    const net = network()
    const [a, b] = [net.open('a', { linger: 300 }), net.open('b')]
    net.meet()
    const { task, log } = probe()
    const first = a.lock.run(task('a1', 0), () => true)
    await vi.advanceTimersByTimeAsync(100) // claimed, ran, now lingering
    await first
    const other = b.lock.run(task('b', 0))
    await vi.advanceTimersByTimeAsync(100)
    expect(log).toEqual(['a1 start', 'a1 end']) // b waits on the lingering hold
    const own = a.lock.run(task('a2', 0)) // a's own next run ends the linger, not contended
    await vi.advanceTimersByTimeAsync(1000)
    await Promise.all([own, other])
    expect(log.slice(2).sort()).toEqual(['a2 end', 'a2 start', 'b end', 'b start (contended)'].sort())
  })
  it('answers are messages: with every tab answering, a claim takes no timer', async () => {
    const net = network(0)
    const [a] = [net.open('a'), net.open('b'), net.open('c')]
    net.meet()
    const done = a.lock.run(async (contended) => contended)
    await vi.advanceTimersByTimeAsync(1) // the channel's own delivery only
    await expect(done).resolves.toBe(false)
    expect(net.sent.map((s) => `${s.from}:${s.signal.op}`)).toEqual(['a:claim', 'b:ack', 'c:ack', 'a:held', 'a:released'])
  })

  it('a tab that stops answering (frozen) is waited for once, then not until it speaks again', async () => {
    const net = network()
    const [a, b] = [net.open('a'), net.open('b')]
    net.meet()
    b.open = false // frozen: receives nothing, says nothing
    const { task, log } = probe()
    const first = a.lock.run(task('1', 0))
    await vi.advanceTimersByTimeAsync(900)
    expect(log).toEqual([])
    await vi.advanceTimersByTimeAsync(200)
    await first
    const second = a.lock.run(task('2', 0))
    await vi.advanceTimersByTimeAsync(0)
    await second
    expect(log).toEqual(['1 start', '1 end', '2 start', '2 end'])
  })

  it('crossing claims of tabs that had not met yet still end with one holder', async () => {
    const net = network()
    const [a, b] = [net.open('a'), net.open('b')]
    a.lock.noticed('b') // a knows b, b does not know a yet
    const { task, max, log } = probe()
    const runs = [a.lock.run(task('a', 300)), b.lock.run(task('b', 300))]
    await vi.advanceTimersByTimeAsync(3000)
    await Promise.all(runs)
    expect(log).toHaveLength(4)
    // b held at once (it knew nobody) and answers a's claim with held: a waits.
    expect(max()).toBe(1)
  })
})

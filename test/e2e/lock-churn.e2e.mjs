// Lock churn in a real browser (issue 15, item 6): managers created and destroyed over and
// over (React StrictMode, hot reload) while a refresh holds the Web Lock must not pile up in
// the lock queue, and a destroyed manager's lock request, queued or held, never blocks the
// next caller (the bug class of supabase-js #2111). All in one page of the demo dashboard:
// its own manager (window.tm) plus managers made with the same class and options.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { launchBrowser, login, mock, newDevice, openDashboard, startDemo, state } from './harness.mjs'

let demo
let browser

before(async () => {
  demo = await startDemo()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await demo?.close()
})

/**
 * Installs `window.churn` in the page: `make(gated)` builds a manager like the page's; with
 * `gated`, its refresh replies are held back (the server has answered, the reply is "slow")
 * until `release()`. `refreshLock()` reads the refresh lock from `navigator.locks.query()`.
 */
async function installChurn(page) {
  await page.evaluate(() => {
    const TokenManager = window.tm.constructor
    window.churn = {
      gate: null,
      make(gated = false) {
        // Each gated manager gets its own gate; an aborted request stops waiting, as a real one does.
        const gate = { held: 0, release: () => undefined }
        const open = new Promise((resolve) => (gate.release = resolve))
        const fetchThroughGate = async (input, init) => {
          const request = new Request(input, init)
          const response = await fetch(request)
          if (!request.url.endsWith('/auth/refresh')) return response
          gate.held++
          await new Promise((resolve, reject) => {
            if (request.signal.aborted) reject(request.signal.reason)
            request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true })
            open.then(resolve)
          })
          return response
        }
        if (gated) window.churn.gate = gate
        return new TokenManager({ ...window.demo.config, ...(gated && { fetch: fetchThroughGate }) })
      },
      async refreshLock() {
        const { held = [], pending = [] } = await navigator.locks.query()
        const isRefresh = (lock) => lock.name?.endsWith(':refresh')
        return { held: held.filter(isRefresh).length, pending: pending.filter(isRefresh).length }
      },
    }
  })
}

/** Polls a page-side condition (no fixed sleeps); `expression` runs in the page. */
const waitInPage = (page, fn, arg, timeout = 5000) => page.waitForFunction(fn, arg, { timeout, polling: 20 })

test('lock churn: 100 create/destroy cycles while a refresh holds the lock, then the next refresh is prompt', async (t) => {
  await mock(demo.url, 'reset')
  const { context, problems } = await newDevice(browser)
  const page = await openDashboard(context, demo.url)
  await login(page)
  await installChurn(page)

  await t.test('the destroyed managers leave the lock queue at once, and the next refresh completes within a second', async () => {
    const before = (await state(demo.url)).counters
    // The holder: a manager whose refresh is in flight under the lock (its reply held back).
    await page.evaluate(async () => {
      const holder = window.churn.make(true)
      window.churn.holder = holder
      await holder.start()
      window.churn.slow = holder.refresh().then(
        (token) => ({ ok: typeof token === 'string' }),
        (error) => ({ ok: false, error: error.name }),
      )
    })
    await waitInPage(page, () => window.churn.gate.held === 1)
    assert.deepEqual(await page.evaluate(() => window.churn.refreshLock()), { held: 1, pending: 0 })

    // 100 cycles, as StrictMode's double mount and hot reload do: construct, start, ask for a
    // refresh (it queues behind the holder), destroy. Half are destroyed in the same tick
    // (StrictMode), half once their lock request is in the browser's queue (a later unmount).
    const churn = await page.evaluate(async () => {
      const outcomes = []
      let maxPending = 0
      for (let i = 0; i < 100; i++) {
        const manager = window.churn.make()
        manager.start().catch(() => undefined)
        outcomes.push(
          manager.refresh().then(
            () => 'resolved',
            (error) => error.name,
          ),
        )
        if (i % 2 === 1) {
          for (;;) {
            const { pending } = await window.churn.refreshLock()
            maxPending = Math.max(maxPending, pending)
            if (pending > 0) break
            await new Promise((resolve) => setTimeout(resolve, 1))
          }
        }
        manager.destroy()
      }
      const settledAt = performance.now()
      const results = await Promise.all(outcomes)
      return { results, settleMs: performance.now() - settledAt, maxPending }
    })
    assert.equal(churn.results.length, 100)
    assert.deepEqual([...new Set(churn.results)], ['DestroyedError'], 'every destroyed manager\u2019s refresh() settled with DestroyedError')
    assert.ok(churn.maxPending >= 1, 'the churned managers did queue for the lock')
    assert.ok(churn.settleMs < 1000, `the destroyed managers\u2019 callers settled in ${Math.round(churn.settleMs)} ms, not after the lock timeout`)
    // No orphan stays in line: only the holder has the lock, nobody waits.
    await waitInPage(page, async () => {
      const { held, pending } = await window.churn.refreshLock()
      return held === 1 && pending === 0
    })

    // The next refresh: queued behind the slow one now, measured from the slow one's end.
    const next = await page.evaluate(async () => {
      const queued = window.tm.refresh()
      window.churn.gate.release()
      const slow = await window.churn.slow
      const slowEndedAt = performance.now()
      const token = await queued
      const queuedMs = performance.now() - slowEndedAt
      // And a fresh one, which must take the lock and reach the server at once.
      const freshStartedAt = performance.now()
      const fresh = await window.tm.refresh()
      return {
        slow,
        queued: typeof token === 'string',
        queuedMs,
        fresh: typeof fresh === 'string' && fresh !== token,
        freshMs: performance.now() - freshStartedAt,
        status: window.tm.getSnapshot().status,
      }
    })
    assert.deepEqual(next.slow, { ok: true })
    assert.equal(next.queued, true)
    assert.ok(next.queuedMs < 1000, `the queued refresh took ${Math.round(next.queuedMs)} ms after the slow one ended`)
    assert.equal(next.fresh, true, 'the fresh refresh rotated')
    assert.ok(next.freshMs < 1000, `the fresh refresh took ${Math.round(next.freshMs)} ms`)
    assert.equal(next.status, 'active')
    const after = (await state(demo.url)).counters
    // The holder's start() probe may or may not refresh; the holder's slow one and the fresh one do.
    assert.ok(after.refreshSuccesses - before.refreshSuccesses >= 2)
    assert.equal(after.reuseDetections - before.reuseDetections, 0)
    await page.evaluate(() => window.churn.holder.destroy())
  })

  await t.test('an orphaned lock holder (destroyed mid-refresh, its reply never comes) does not block later calls', async () => {
    await page.evaluate(async () => {
      const holder = window.churn.make(true)
      window.churn.holder = holder
      await holder.start()
      window.churn.slow = holder.refresh().then(
        () => 'resolved',
        (error) => error.name,
      )
    })
    // This holder's gate is never released: its reply never comes.
    await waitInPage(page, () => window.churn.gate.held === 1)
    assert.equal((await page.evaluate(() => window.churn.refreshLock())).held, 1)
    const outcome = await page.evaluate(async () => {
      const queued = window.tm.refresh()
      const destroyedAt = performance.now()
      window.churn.holder.destroy()
      const holderOutcome = await window.churn.slow
      const token = await queued
      return { holderOutcome, ok: typeof token === 'string', ms: performance.now() - destroyedAt, status: window.tm.getSnapshot().status }
    })
    assert.equal(outcome.holderOutcome, 'DestroyedError')
    assert.equal(outcome.ok, true)
    assert.ok(outcome.ms < 1000, `the next refresh took ${Math.round(outcome.ms)} ms after the holder was destroyed`)
    assert.equal(outcome.status, 'active')
    await waitInPage(page, async () => {
      const { held, pending } = await window.churn.refreshLock()
      return held === 0 && pending === 0
    })
  })

  assert.deepEqual(
    problems.filter((p) => p.startsWith('pageerror')),
    [],
  )
  await context.close()
})

// Cross-tab behaviour in a real browser: three pages of one profile (shared cookies,
// BroadcastChannel and Web Locks), one server. Every test runs twice (LOCK_MODES): on localhost
// with Web Locks, and on an insecure origin without them, where the channel mutex must give the
// same guarantees.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { eventually, LOCK_MODES, launchBrowser, login, mock, newDevice, openDashboard, pageUrl, startDemo, state } from './harness.mjs'

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

const snap = (page) => page.evaluate(() => window.tm.getSnapshot())
const callMe = (page) =>
  page.evaluate(async () => {
    const response = await window.tm.fetch('/api/me')
    return response.status
  })
const localRefreshes = (page) => page.evaluate(() => window.demo.events.filter((e) => e.type === 'tokenRefreshed' && e.source === 'local').map((e) => e.at))

async function threeTabs(t, mode, query = '') {
  await mock(demo.url, 'reset')
  const { context, problems } = await newDevice(browser)
  // Closed even when the test fails: a failed test's tabs must not act in the next one.
  t.after(() => context.close())
  const url = pageUrl(demo, mode)
  const first = await openDashboard(context, url, query, mode)
  await login(first)
  // Later tabs join the session over the channel (hello/welcome) instead of refreshing.
  const second = await openDashboard(context, url, query, mode)
  const third = await openDashboard(context, url, query, mode)
  const pages = [first, second, third]
  for (const page of pages) assert.equal((await snap(page)).status, 'active')
  return { context, problems, pages }
}

/**
 * Gives every tab a token of `seconds` lifetime. A tab ignores a shared token that expires
 * before its own (see the report), so after a lifetime cut each tab refreshes once; the
 * last token expires last and every tab ends up with it.
 */
async function shortTokens(pages, seconds) {
  await mock(demo.url, 'faults', { accessTokenLifetime: seconds })
  for (const page of pages) await page.evaluate(() => window.tm.refresh())
  await eventually(
    async () => {
      const expiries = await Promise.all(pages.map(async (p) => (await snap(p)).expiresAt))
      return expiries.every((e) => e === expiries[0])
    },
    { message: 'every tab to hold the new token' },
  )
}

for (const mode of LOCK_MODES) {
  test(`${mode.name}: three tabs: one refresh request per rotation, on demand and proactive`, async (t) => {
    const { context, problems, pages } = await threeTabs(t, mode)
    assert.equal((await state(demo.url)).counters.refreshCalls, 1, 'only the first tab\u2019s start() probe; the others joined over the channel')

    await t.test('on demand: all tabs call the API after expiry, the server sees one refresh each time', async () => {
      await shortTokens(pages, 2)
      for (let rotation = 1; rotation <= 4; rotation++) {
        const before = (await state(demo.url)).counters
        await pages[0].waitForFunction(() => window.tm.getSnapshot().expiresAt < Date.now(), null, { timeout: 5000 })
        const statuses = await Promise.all(pages.flatMap((p) => [callMe(p), callMe(p)]))
        assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200])
        const after = (await state(demo.url)).counters
        assert.equal(after.refreshCalls - before.refreshCalls, 1, `rotation ${rotation}: refresh requests`)
        assert.equal(after.reuseDetections, 0)
        const expiries = await Promise.all(pages.map(async (p) => (await snap(p)).expiresAt))
        assert.ok(
          expiries.every((e) => e === expiries[0]),
          'every tab adopted the same token',
        )
      }
    })

    await t.test('proactive: with activity, tabs refresh ahead of expiry and never twice for one rotation', async () => {
      await shortTokens(pages, 4)
      const before = (await state(demo.url)).counters
      const startedAt = Date.now()
      const localBefore = (await Promise.all(pages.map(localRefreshes))).flat().length
      // Activity in one tab is shared; each token's lifetime is 4 s, refreshed 2 s before expiry.
      // A user's pace in real time: the tokens expire on the demo server's clock, which no fake
      // timer in the page reaches, so the 10 s are real and the moves are spaced as a hand would.
      while (Date.now() - startedAt < 10_000) {
        await pages[((Date.now() / 1000) % 3) | 0].mouse.move(100 + Math.random() * 400, 100 + Math.random() * 300)
        await new Promise((r) => setTimeout(r, 400))
      }
      const after = (await state(demo.url)).counters
      const all = (await Promise.all(pages.map(localRefreshes))).flat().sort((a, b) => a - b)
      const during = all.slice(localBefore)
      const calls = after.refreshCalls - before.refreshCalls
      assert.ok(calls >= 3 && calls <= 7, `about one rotation every 2 s in 10 s, got ${calls}`)
      assert.equal(during.length, calls, 'every refresh request was made by exactly one tab')
      assert.equal(after.refreshSuccesses - before.refreshSuccesses, calls)
      assert.equal(after.reuseDetections, 0)
      for (let i = 1; i < during.length; i++) assert.ok(during[i] - during[i - 1] > 1000, `two refreshes ${during[i] - during[i - 1]} ms apart`)
      for (const page of pages) assert.equal((await snap(page)).status, 'active')
    })

    await t.test('logout in one tab signs out the others', async () => {
      await pages[1].click('[data-action=logout]')
      for (const page of pages) await page.waitForFunction(() => window.tm.getSnapshot().status === 'signedOut', null, { timeout: 3000 })
      for (const page of [pages[0], pages[2]]) {
        const signedOut = await page.evaluate(() => window.demo.events.filter((e) => e.type === 'signedOut').map((e) => e.source))
        assert.deepEqual(signedOut, ['remote'])
      }
      await eventually(async () => (await state(demo.url)).counters.logoutCalls === 1, { message: 'the server logout' })
      // A check that nothing more happens needs a window: a second tab's call would follow its
      // signedOut within milliseconds; 300 ms of the real server's time is ample.
      await new Promise((r) => setTimeout(r, 300))
      assert.equal((await state(demo.url)).counters.logoutCalls, 1, 'one server logout for every tab')
      assert.equal((await state(demo.url)).sessions, 0)
    })

    assert.deepEqual(
      problems.filter((p) => p.startsWith('pageerror')),
      [],
    )
  })

  test(`${mode.name}: closing the tab that holds the refresh lock mid-refresh does not strand the others`, async (t) => {
    const { context, pages } = await threeTabs(t, mode)
    const [holder, second, third] = pages
    await shortTokens(pages, 2)
    // A lenient rotation window, as production servers use: the closed tab's request still
    // rotates the token on the server, and its reply (with the new cookie) is lost.
    await mock(demo.url, 'faults', { reuseGrace: 10_000 })
    await holder.waitForFunction(() => window.tm.getSnapshot().expiresAt < Date.now(), null, { timeout: 5000 })
    // Slow server from now on; new tokens live long enough to survive the slow API call.
    await mock(demo.url, 'faults', { latency: 1500, accessTokenLifetime: 30 })
    await mock(demo.url, 'reset-counters')

    await holder.evaluate(() => {
      window.pendingRefresh = window.tm.refresh().catch(() => null)
    })
    await holder.waitForFunction(() => window.tm.getSnapshot().status === 'refreshing')
    // Both other tabs need a token now: they queue behind the holder's lock.
    for (const page of [second, third]) {
      await page.evaluate(() => {
        window.pendingCall = window.tm.fetch('/api/me').then(
          (r) => r.status,
          (e) => `error: ${e.name}`,
        )
      })
    }
    // Queued: a refresh begun (status `refreshing`) waits on the lock the holder has.
    for (const page of [second, third]) await page.waitForFunction(() => window.tm.getSnapshot().status === 'refreshing', null, { timeout: 3000 })
    const started = Date.now()
    await holder.close()

    const results = await Promise.all([second, third].map((p) => p.evaluate(() => window.pendingCall)))
    const elapsed = Date.now() - started
    assert.deepEqual(results, [200, 200])
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`)
    for (const page of [second, third]) assert.equal((await snap(page)).status, 'active')
    const expiries = await Promise.all([second, third].map(async (p) => (await snap(p)).expiresAt))
    assert.equal(expiries[0], expiries[1], 'the two tabs share one token')
    // The orphaned request plus one from a surviving tab: the third adopted instead of asking.
    await eventually(async () => (await state(demo.url)).counters.refreshCalls === 2, { timeout: 5000, message: '2 refresh calls' })
    assert.equal((await state(demo.url)).counters.reuseDetections, 0)
    await mock(demo.url, 'reset')
  })

  test(`${mode.name}: idle expiry in three tabs: one server logout, one sessionExpired per tab`, async (t) => {
    // No activity after the login click: the shared idle deadline ends the session in every tab.
    const { context, problems, pages } = await threeTabs(t, mode, '?idle=4&warn=1')
    for (const page of pages) await page.waitForFunction(() => window.tm.getSnapshot().status === 'expired', null, { timeout: 10_000 })
    for (const page of pages) {
      const expired = await page.evaluate(() => window.demo.events.filter((e) => e.type === 'sessionExpired').length)
      assert.equal(expired, 1, 'each tab emits its sessionExpired once')
    }
    await eventually(async () => (await state(demo.url)).counters.logoutCalls >= 1, { message: 'the server logout' })
    // Let a second tab's call, if there were one, arrive (the tabs are already expired: not a sync).
    await new Promise((r) => setTimeout(r, 300))
    const { counters, sessions } = await state(demo.url)
    assert.equal(counters.logoutCalls, 1, 'one server logout for three tabs')
    assert.equal(counters.reuseDetections, 0)
    assert.equal(sessions, 0)
    assert.deepEqual(
      problems.filter((p) => p.startsWith('pageerror')),
      [],
    )
  })
}

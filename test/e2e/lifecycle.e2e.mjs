// Page lifecycle in a real browser: a page restored from the back/forward cache re-syncs before
// it uses its token. Real bfcache (not a synthetic pageshow): the harness keeps Chromium's cache on.
// Every test runs with and without Web Locks (LOCK_MODES): the re-sync takes the cross-tab lock.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { eventually, LOCK_MODES, launchBrowser, login, mock, newDevice, openDashboard, pageUrl, startDemo } from './harness.mjs'

let demo
let browser

before(async () => {
  demo = await startDemo()
  browser = await launchBrowser({ bfcache: true })
})

after(async () => {
  await browser?.close()
  await demo?.close()
})

/**
 * Signs A in, arms an app's `pageshow` handler that calls the API at once on a restore (as an app
 * refetching on return would), records the Authorization headers of A's API calls and leaves A
 * for another page of the origin.
 */
async function cachedPage(context, mode) {
  // Added before the page's own scripts, so before the SDK's listener: the SDK must still go first.
  await context.addInitScript(() => {
    addEventListener('pageshow', (event) => {
      if (!event.persisted) return
      window.__restored = window.tm.fetch('/api/me').then((r) => ({ status: r.status, after: window.tm.getSnapshot().status }))
    })
  })
  const page = await openDashboard(context, pageUrl(demo, mode), '', mode)
  await login(page)
  const oldToken = await page.evaluate(() => window.tm.getAccessToken())
  const sent = []
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/me') sent.push(request.headers().authorization ?? null)
  })
  await page.evaluate(() => {
    window.__marker = 'kept'
  })
  await page.goto(`${pageUrl(demo, mode)}/styles.css`)
  return { page, oldToken, sent }
}

for (const mode of LOCK_MODES) {
  test(`${mode.name}: a page restored from the back/forward cache after the session ended on the server never sends its old token`, async () => {
    await mock(demo.url, 'reset')
    const { context, problems } = await newDevice(browser)
    const { page, oldToken, sent } = await cachedPage(context, mode)
    // Meanwhile, on another device, alice signs out everywhere: only the server knows.
    const other = await newDevice(browser)
    const elsewhere = await openDashboard(other.context, pageUrl(demo, mode), '', mode)
    await login(elsewhere)
    await elsewhere.evaluate(() => window.tm.logout({ everywhere: true }))
    // A restore does not fire `load`: wait for the commit only.
    await page.goBack({ waitUntil: 'commit' })
    await page.waitForFunction(() => window.__restored !== undefined, null, { timeout: 10_000 })
    assert.equal(await page.evaluate(() => window.__marker), 'kept', 'the page came back from the back/forward cache, not a reload')
    const result = await page.evaluate(() => window.__restored)
    assert.equal(result.status, 401)
    assert.equal(result.after, 'expired')
    assert.ok(!sent.includes(`Bearer ${oldToken}`), 'the request right after the restore did not carry the token the server had revoked')
    assert.deepEqual(problems, [])
    await other.context.close()
    await context.close()
  })

  test(`${mode.name}: a page restored with its session alive refreshes once, and its first request uses the new token`, async () => {
    await mock(demo.url, 'reset')
    const { context, problems } = await newDevice(browser)
    const { page, oldToken, sent } = await cachedPage(context, mode)
    const before = (await mock(demo.url, 'state')).counters.refreshCalls
    await page.goBack({ waitUntil: 'commit' })
    await page.waitForFunction(() => window.__restored !== undefined, null, { timeout: 10_000 })
    assert.equal(await page.evaluate(() => window.__marker), 'kept')
    const result = await page.evaluate(() => window.__restored)
    assert.equal(result.status, 200)
    assert.equal(result.after, 'active')
    const token = await page.evaluate(() => window.tm.getAccessToken())
    assert.notEqual(token, oldToken)
    assert.deepEqual(sent, [`Bearer ${token}`])
    assert.equal((await mock(demo.url, 'state')).counters.refreshCalls - before, 1)
    assert.deepEqual(problems, [])
    await context.close()
  })

  test(`${mode.name}: a logout in another tab while the page is cached: Chromium evicts it (a channel message arrived), and it comes back signed out`, async (t) => {
    await mock(demo.url, 'reset')
    const { context, problems } = await newDevice(browser)
    const { page, oldToken, sent } = await cachedPage(context, mode)
    const other = await openDashboard(context, pageUrl(demo, mode), '', mode)
    assert.equal(await other.evaluate(() => window.tm.getSnapshot().status), 'active')
    await other.evaluate(() => window.tm.logout())
    await page.goBack({ waitUntil: 'commit' })
    await page.waitForFunction(() => window.tm?.getSnapshot().status === 'signedOut', null, { timeout: 10_000 })
    const restored = await page.evaluate(() => window.__marker === 'kept')
    t.diagnostic(restored ? 'restored from the back/forward cache' : 'evicted from the back/forward cache (BroadcastChannelOnMessage): reloaded')
    const status = await page.evaluate(async () => (await window.tm.fetch('/api/me')).status)
    assert.equal(status, 401)
    assert.ok(!sent.includes(`Bearer ${oldToken}`))
    await eventually(async () => (await page.evaluate(() => window.tm.getSnapshot().status)) === 'signedOut', { message: 'signed out' })
    assert.deepEqual(problems, [])
    await context.close()
  })
}

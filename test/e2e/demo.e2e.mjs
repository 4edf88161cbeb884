// Real-browser walk through the demo dashboard (Debian chromium via playwright-core).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { eventually, launchBrowser, login, mock, newDevice, openDashboard, screenshot, startDemo, state } from './harness.mjs'

const IPHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

let demo
let browser
const devices = []

before(async () => {
  demo = await startDemo()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await demo?.close()
  const problems = devices.flatMap((d) => d.problems)
  // Failed fetches (401s, dropped connections) are expected; uncaught page errors are not.
  assert.deepEqual(
    problems.filter((p) => p.startsWith('pageerror')),
    [],
  )
})

async function device(viewport, options) {
  const d = await newDevice(browser, viewport, options)
  devices.push(d)
  return d
}

const snapshot = (page) => page.evaluate(() => window.tm.getSnapshot())
const resultText = (page) => page.textContent('#action-result')
/** Clicks without pointer events, so the SDK sees no user activity (proactive refresh stays off). */
const press = (page, selector) => page.evaluate((s) => document.querySelector(s).click(), selector)

test('dashboard: login, countdown, one refresh for 20 concurrent calls, 503 recovery, remote revoke, logout everywhere, errors by kind', async (t) => {
  const laptop = await device({ width: 1280, height: 800 })
  const page = await openDashboard(laptop.context, demo.url)
  assert.equal((await snapshot(page)).status, 'signedOut')
  assert.equal(await page.isVisible('#login-card'), true)

  await t.test('wrong password is reported as such', async () => {
    await page.fill('#username', 'alice')
    await page.fill('#password', 'wrong')
    await page.click('#login-button')
    await page.waitForSelector('#login-error:not([hidden])')
    assert.match(await page.textContent('#login-error'), /Wrong username or password/)
  })

  await t.test('log in and watch the countdown move', async () => {
    await login(page, 'alice', 'wonderland')
    assert.equal(await page.isVisible('#login-card'), false)
    assert.match(await page.textContent('#st-user'), /Alice Liddell \(alice\)/)
    const first = await page.textContent('#st-expires')
    await eventually(async () => (await page.textContent('#st-expires')) !== first, { timeout: 3000, message: 'countdown to change' })
    assert.match(await page.textContent('#st-expires'), /^\d+ s \(at /)
    await page.waitForSelector('.ev-signedIn')
  })

  await t.test('20 concurrent calls across an expiry make exactly one refresh request', async () => {
    await mock(demo.url, 'faults', { accessTokenLifetime: 3 })
    await page.evaluate(() => window.tm.refresh())
    const { expiresAt } = await snapshot(page)
    assert.ok(expiresAt - Date.now() <= 3100)
    await mock(demo.url, 'reset-counters')
    // No user activity since that token: the SDK lets it lapse instead of refreshing it.
    await page.waitForFunction(() => window.tm.getSnapshot().expiresAt < Date.now(), null, { timeout: 6000 })
    await press(page, '[data-action=burst]')
    await page.waitForFunction(() => document.querySelector('#action-result').textContent.startsWith('20 concurrent'))
    assert.match(await resultText(page), /→ 20 × 200\./)
    assert.equal(await page.getAttribute('#action-result', 'data-refreshes'), '1')
    const { counters } = await state(demo.url)
    assert.equal(counters.refreshCalls, 1)
    assert.equal(counters.apiCalls, 20)
    assert.equal(counters.statuses['401'] ?? 0, 0, 'no call was sent with an expired token')
    await page.waitForFunction(() => document.querySelector('[data-counter=refreshCalls]')?.textContent === '1')
  })

  await t.test('a 503 on refresh is retried and the session recovers', async () => {
    await mock(demo.url, 'faults', { accessTokenLifetime: 30, refreshFailures: { count: 1, kind: 503 } })
    await mock(demo.url, 'reset-counters')
    await press(page, '[data-action=refresh]')
    await page.waitForFunction(() => /Refreshed|error|trouble/i.test(document.querySelector('#action-result').textContent), null, { timeout: 10_000 })
    assert.match(await resultText(page), /^Refreshed\. New access token valid until/)
    const { counters } = await state(demo.url)
    assert.equal(counters.refreshCalls, 2)
    assert.equal(counters.statuses['503'], 1)
    assert.equal(counters.refreshSuccesses, 1)
    assert.equal((await snapshot(page)).status, 'active')
    await press(page, '[data-action=me]')
    await page.waitForFunction(() => document.querySelector('#action-result').textContent.startsWith('GET /api/me → 200'))
    // The panel polls once a second: shoot once it shows the server's current state (a stale
    // "Token lifetime 3 s" beside a 30 s token is what the old screenshot showed).
    await page.waitForFunction(
      () =>
        document.querySelector('[data-counter=accessTokenLifetime]')?.textContent === '30 s' &&
        document.querySelector('[data-counter=refreshCalls]')?.textContent === '2' &&
        document.querySelector('[data-counter=apiCalls]')?.textContent === '1',
      null,
      { timeout: 5000 },
    )
    await screenshot(page, 'dashboard-1280x800')
  })

  await t.test('admin endpoint: alice may', async () => {
    await press(page, '[data-action=admin]')
    await page.waitForFunction(() => document.querySelector('#action-result').textContent.startsWith('GET /api/admin'))
    assert.match(await resultText(page), /→ 200/)
  })

  const phone = await device({ width: 390, height: 844 }, { userAgent: IPHONE_UA, isMobile: true, hasTouch: true })
  const phonePage = await openDashboard(phone.context, demo.url)
  const desktop = await device({ width: 1280, height: 800 })
  const otherPage = await openDashboard(desktop.context, demo.url)

  await t.test('another device sees every session and revokes the first one', async () => {
    await login(phonePage, 'alice', 'wonderland')
    await login(otherPage, 'alice', 'wonderland')
    await otherPage.waitForFunction(() => document.querySelectorAll('#sessions-body tr').length === 3)
    assert.equal(await otherPage.textContent('#sessions-body tr.current .badge'), 'This device')
    assert.match(await otherPage.textContent('#sessions-body'), /Phone.*Safari on iOS/s)
    await screenshot(otherPage.locator('section:has(#sessions-table)'), 'sessions-table')
    await phonePage.waitForFunction(() => document.querySelectorAll('#sessions-body tr').length >= 2)
    await screenshot(phonePage, 'dashboard-phone-390', { fullPage: true })

    const laptopSession = await page.evaluate(async () => (await (await window.tm.fetch('/api/me')).json()).sessionId)
    await otherPage.click(`[data-revoke="${laptopSession}"]`)
    await otherPage.waitForFunction(() => document.querySelectorAll('#sessions-body tr').length === 2)
  })

  await t.test('the revoked laptop gets the session-expired modal on its next call', async () => {
    await page.click('[data-action=me]')
    await page.waitForSelector('#expired-modal[open]')
    assert.equal(await page.getAttribute('#expired-modal', 'data-reason'), 'refresh_rejected')
    assert.match(await page.textContent('#expired-reason'), /no longer accepts this session/)
    assert.equal((await snapshot(page)).status, 'expired')
    await screenshot(page, 'session-expired-modal')
    await page.click('#expired-login')
    assert.equal(await page.isVisible('#expired-modal'), false)
    assert.equal(await page.isVisible('#login-card'), true)
  })

  await t.test('logout everywhere signs out the other devices too', async () => {
    await otherPage.click('[data-action=logout-everywhere]')
    await otherPage.waitForFunction(() => window.tm.getSnapshot().status === 'signedOut')
    // The SDK signs out locally first, then tells the server.
    await otherPage.waitForFunction(() => document.querySelector('#action-result').textContent === 'Signed out on every device.')
    assert.equal((await state(demo.url)).sessions, 0)
    // The phone learns it at its next call: the refresh is rejected.
    await phonePage.click('[data-action=me]')
    await phonePage.waitForSelector('#expired-modal[open]')
    assert.equal((await snapshot(phonePage)).status, 'expired')
  })

  await t.test('rate limiting is shown with the wait', async () => {
    await otherPage.fill('#username', 'bob')
    for (let i = 0; i < 5; i++) {
      await otherPage.fill('#password', `nope${i}`)
      await otherPage.click('#login-button')
      await otherPage.waitForFunction(() => !document.querySelector('#login-button').disabled)
      assert.equal(await otherPage.getAttribute('#login-error', 'data-status'), '401')
    }
    await otherPage.fill('#password', 'builder')
    await otherPage.click('#login-button')
    await otherPage.waitForFunction(() => document.querySelector('#login-error').dataset.status === '429')
    assert.match(await otherPage.textContent('#login-error'), /Too many requests\. Please try again later\. \(wait 30 s\)/)
    assert.match(await otherPage.textContent('#login-button'), /^Wait \d+ s$/)
  })

  await t.test('a non-admin gets "You do not have permission" from /api/admin', async () => {
    await phonePage.click('#expired-close')
    await login(phonePage, 'carol', 'singer')
    await phonePage.click('[data-action=admin]')
    await phonePage.waitForFunction(() => document.querySelector('#action-result').textContent.startsWith('GET /api/admin'))
    assert.equal(await resultText(phonePage), 'GET /api/admin → 403. You do not have permission.')
    assert.equal(await phonePage.getAttribute('#action-result', 'data-kind'), 'error')
  })

  await t.test('a dropped connection on login is reported as a network error', async () => {
    await page.route('**/auth/login', (route) => route.abort('connectionreset'))
    await page.fill('#username', 'alice')
    await page.fill('#password', 'wonderland')
    await page.click('#login-button')
    await page.waitForFunction(() => document.querySelector('#login-error').dataset.status === 'network')
    assert.match(await page.textContent('#login-error'), /^Network error/)
    await page.unroute('**/auth/login')
  })
})

test('idle warning modal, "Stay signed in", then idle sign-out (short idle via ?idle=5&warn=3)', async () => {
  const d = await device({ width: 1280, height: 800 })
  const page = await openDashboard(d.context, demo.url, '?idle=5&warn=3')
  await login(page, 'carol', 'singer') // bob is rate limited by the test above
  await page.waitForSelector('#idle-modal[open]', { timeout: 6000 })
  assert.match(await page.textContent('#idle-countdown'), /^\d s$/)
  // A real pointer would count as activity by itself (and close the modal on the way):
  // click without pointer events to see that the button alone keeps the session.
  const before = (await snapshot(page)).idleDeadline
  await press(page, '#idle-stay')
  assert.equal(await page.isVisible('#idle-modal'), false)
  assert.ok((await snapshot(page)).idleDeadline > before)
  await page.waitForSelector('#idle-modal[open]', { timeout: 6000 })
  // No activity this time: the session ends and the modal says why.
  await page.waitForSelector('#expired-modal[open]', { timeout: 6000 })
  assert.equal(await page.getAttribute('#expired-modal', 'data-reason'), 'idle')
  assert.match(await page.textContent('#expired-reason'), /inactive/)
  assert.equal(await page.isVisible('#idle-modal'), false)
  const events = await page.evaluate(() => window.demo.events.map((e) => e.type).filter((t) => t !== 'change'))
  assert.deepEqual(events.slice(-3), ['idleWarning', 'idleWarning', 'sessionExpired'])
})

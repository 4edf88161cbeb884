// The "Break the server" controls do what they say, in a real browser.
import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import { launchBrowser, login, mock, newDevice, openDashboard, startDemo, state } from './harness.mjs'

let demo
let browser
const contexts = []

before(async () => {
  demo = await startDemo()
  browser = await launchBrowser()
})

beforeEach(() => mock(demo.url, 'reset'))

after(async () => {
  await browser?.close()
  await demo?.close()
})

async function signedInPage(username = 'alice', password = 'wonderland') {
  const { context } = await newDevice(browser)
  contexts.push(context)
  const page = await openDashboard(context, demo.url)
  await login(page, username, password)
  return page
}

const resultText = (page) => page.textContent('#action-result')
/** Clicks without pointer events, so the SDK sees no user activity. */
const press = (page, selector) => page.evaluate((s) => document.querySelector(s).click(), selector)
const faultMessage = (page, prefix) => page.waitForFunction((p) => document.querySelector('#fault-message').textContent.startsWith(p), prefix)

test('"Expire access tokens", then an immediate call: one refresh, and the call succeeds', async () => {
  const page = await signedInPage()
  await mock(demo.url, 'reset-counters')
  await page.click('[data-mock=expire-access]')
  await faultMessage(page, 'Expire access tokens: done.')
  await page.click('[data-action=me]')
  await page.waitForFunction(() => document.querySelector('#action-result').textContent.startsWith('GET /api/me'))
  assert.match(await resultText(page), /^GET \/api\/me → 200 in \d+ ms: Alice Liddell/)
  const { counters } = await state(demo.url)
  assert.equal(counters.refreshCalls, 1)
  assert.equal(counters.statuses['401'], 1, 'the expired token was refused once')
  assert.equal(counters.apiCalls, 2)
})

test('"Replay stolen refresh token" attacks this tab\u2019s session, not another user\u2019s, and says whose', async () => {
  const bob = await signedInPage('bob', 'builder')
  const alice = await signedInPage('alice', 'wonderland')
  const aliceSid = await alice.evaluate(() => window.tm.getSnapshot().claims.sid)
  await alice.click('[data-mock=steal]')
  await faultMessage(alice, 'Replay stolen refresh token:')
  assert.equal(
    await alice.textContent('#fault-message'),
    `Replay stolen refresh token: replayed the previous refresh token of alice's session ${aliceSid} (this tab's); the server revoked it. This tab learns it at its next refresh.`,
  )
  await press(alice, '[data-action=refresh]')
  await alice.waitForSelector('#expired-modal[open]')
  assert.equal(await alice.getAttribute('#expired-modal', 'data-reason'), 'refresh_rejected')
  // Bob, signed in first, is untouched.
  await press(bob, '[data-action=refresh]')
  await bob.waitForFunction(() => document.querySelector('#action-result').textContent.startsWith('Refreshed'))
  assert.equal(await bob.evaluate(() => window.tm.getSnapshot().status), 'active')
})

test('a queued fault shows which request consumed it; "Clear queued faults" drops the rest', async () => {
  const page = await signedInPage()
  await page.selectOption('#f-kind', '500')
  await page.fill('#f-count', '3')
  await page.click('#f-apply-failures')
  await faultMessage(page, 'Queued 3 × 500: done.')
  await page.waitForFunction(() => document.querySelector('#faults-pending').textContent.includes('next refreshes fail: 500, 500, 500'))
  // One forced refresh takes one fault per attempt; stop it after the first by clearing fast.
  const first = page.evaluate(() =>
    window.tm.refresh().then(
      () => 'ok',
      (e) => e.code,
    ),
  )
  await page.waitForSelector('#faults-consumed li', { timeout: 10_000 })
  assert.match(await page.textContent('#faults-consumed li'), /^500 taken by POST \/auth\/refresh at .+ \(alice, this browser's session\)$/)
  await page.click('[data-mock=clear-faults]')
  await faultMessage(page, 'Clear queued faults:')
  assert.match(await page.textContent('#fault-message'), /^Clear queued faults: [0-2] queued faults? dropped\.$/)
  assert.equal(await first, 'ok', 'the retries after the clear succeed')
  await page.waitForFunction(() => document.querySelector('#faults-pending').textContent === 'No faults active.')
  assert.equal(await page.isHidden('#faults-consumed'), true)
  const s = await state(demo.url)
  assert.deepEqual(s.faults.refreshFailures, [])
  assert.equal(s.sessions, 1, 'clearing faults keeps the sessions')
  assert.equal(await page.evaluate(() => window.tm.getSnapshot().status), 'active')
})

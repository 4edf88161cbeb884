// The demo's "Check this backend" panel shows the conformance check's report, in a real browser.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { launchBrowser, newDevice, openDashboard, startDemo } from './harness.mjs'

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

test('"Run the check" renders the pass / warn / fail table of `tokenkeeper check` against the mock', async () => {
  const { context } = await newDevice(browser)
  const page = await openDashboard(context, demo.url)
  assert.equal(await page.isHidden('#check-table'), true)
  await page.click('#check-run')
  await page.waitForSelector('#check-table:not([hidden]) tr[data-check]', { timeout: 30_000 })
  const rows = await page.$$eval('#check-body tr', (trs) =>
    trs.map((tr) => ({ id: tr.getAttribute('data-check'), status: tr.querySelector('.check-badge').textContent })),
  )
  assert.ok(rows.length >= 10, `a full report (${rows.length} rows)`)
  assert.ok(!rows.some((r) => r.status === 'FAIL'), `the mock keeps the contract: ${JSON.stringify(rows.filter((r) => r.status === 'FAIL'))}`)
  assert.ok(rows.some((r) => r.status === 'PASS'))
  assert.match(await page.textContent('#check-message'), /^\d+ pass, \d+ warn, 0 fail, \d+ skipped$/)
  // No token text reaches the page.
  assert.doesNotMatch(await page.textContent('#check-body'), /eyJ[\w-]{10,}/)
  await context.close()
})

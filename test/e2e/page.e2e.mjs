// Demo page details in a real browser: labels while active, modals across tabs, hit targets, narrow layout.
import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import { launchBrowser, login, mock, newDevice, openDashboard, startDemo } from './harness.mjs'

let demo
let browser

before(async () => {
  demo = await startDemo()
  browser = await launchBrowser()
})

beforeEach(() => mock(demo.url, 'reset'))

after(async () => {
  await browser?.close()
  await demo?.close()
})

const snap = (page) => page.evaluate(() => window.tm.getSnapshot())

test('"Next proactive refresh" never says it waits for activity while the mouse moves, across refreshes', async () => {
  await mock(demo.url, 'faults', { accessTokenLifetime: 4 })
  const { context } = await newDevice(browser)
  const page = await openDashboard(context, demo.url)
  await login(page)
  const labels = new Set()
  const refreshesBefore = await page.evaluate(() => window.demo.events.filter((e) => e.type === 'tokenRefreshed').length)
  const until = Date.now() + 7000
  for (let i = 0; Date.now() < until; i++) {
    await page.mouse.move(200 + (i % 20) * 10, 300 + (i % 7) * 5)
    labels.add(await page.textContent('#st-refresh'))
    await page.waitForTimeout(50)
  }
  const refreshes = (await page.evaluate(() => window.demo.events.filter((e) => e.type === 'tokenRefreshed').length)) - refreshesBefore
  assert.ok(refreshes >= 1, `proactive refreshes happened while moving (${refreshes})`)
  for (const label of labels) assert.doesNotMatch(label, /next use|next activity|lapse/, `label while active: ${label}`)
  // Still, hands off: the label says the tab waits for the user.
  await page.waitForFunction(() => /when you next use the page/.test(document.querySelector('#st-refresh').textContent), null, { timeout: 8000 })
})

test('the expired modal of another tab closes as soon as any tab signs in', async () => {
  const { context } = await newDevice(browser)
  const first = await openDashboard(context, demo.url)
  await login(first)
  const second = await openDashboard(context, demo.url)
  await second.waitForFunction(() => window.tm.getSnapshot().status === 'active')
  await mock(demo.url, 'revoke-all', { username: 'alice' })
  await first.click('[data-action=refresh]')
  for (const page of [first, second]) await page.waitForSelector('#expired-modal[open]')
  await first.click('#expired-login')
  await login(first, 'bob', 'builder')
  await second.waitForSelector('#expired-modal:not([open])', { state: 'attached', timeout: 3000 })
  assert.equal((await snap(second)).status, 'active')
  assert.match(await second.textContent('#st-user'), /Bob the Builder/)
})

test('demo-user rows are whole-row buttons: a click at the far right of the row fills the form', async () => {
  const { context } = await newDevice(browser)
  const page = await openDashboard(context, demo.url)
  const row = page.locator('#demo-users button[data-user=bob]')
  const box = await row.boundingBox()
  const list = await page.locator('#demo-users').boundingBox()
  assert.ok(box.width >= list.width - 2, `row spans the list (${box.width} of ${list.width})`)
  await page.mouse.click(box.x + box.width - 4, box.y + box.height / 2)
  assert.equal(await page.inputValue('#username'), 'bob')
  assert.equal(await page.inputValue('#password'), 'builder')
  assert.match(await row.textContent(), /not an admin/)
})

test('at 390 px the fault-kind select shows its whole choice and fits inside its card', async () => {
  const { context } = await newDevice(browser, { width: 390, height: 844 }, { isMobile: true, hasTouch: true })
  const page = await openDashboard(context, demo.url)
  for (const option of await page.$$eval('#f-kind option', (options) => options.map((o) => o.value))) {
    await page.selectOption('#f-kind', option)
    const fit = await page.evaluate(() => {
      const select = document.querySelector('#f-kind')
      const style = getComputedStyle(select)
      const context2d = document.createElement('canvas').getContext('2d')
      context2d.font = `${style.fontSize} ${style.fontFamily}`
      const text = context2d.measureText(select.selectedOptions[0].textContent).width
      // Content box minus room for the drop-down arrow.
      const room = select.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight) - 20
      const box = select.getBoundingClientRect()
      const card = select.closest('fieldset').getBoundingClientRect()
      return { text, room, inside: box.left >= card.left && box.right <= card.right }
    })
    assert.ok(fit.text <= fit.room, `"${option}" needs ${fit.text} px, the select has ${fit.room}`)
    assert.ok(fit.inside, 'inside its fieldset')
  }
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'no horizontal scroll')
})

test('?idle=0 reads "Idle sign-out is off"', async () => {
  const { context } = await newDevice(browser)
  const page = await openDashboard(context, demo.url, '?idle=0')
  const note = await page.textContent('#policy-note')
  // The note goes on with the lost-reply policy (R34) after a semicolon.
  assert.match(note, /^Idle sign-out is off; sessions end 30 min after sign-in[.;]/)
  assert.doesNotMatch(note, /warning|— \(off\)/)
  await login(page)
  assert.equal(await page.textContent('#st-idle'), 'off')
})

test('the idle prompt answered with a real mouse: move to "Stay signed in", click, the session stays', async () => {
  const { context } = await newDevice(browser)
  const page = await openDashboard(context, demo.url, '?idle=6&warn=4')
  await login(page, 'carol', 'singer')
  await page.waitForSelector('#idle-modal[open]', { timeout: 8000 })
  const before = (await snap(page)).idleDeadline
  const button = await page.locator('#idle-stay').boundingBox()
  // Approach in steps, as a hand would: pointer moves alone must not close the prompt.
  await page.mouse.move(10, 10)
  await page.mouse.move(button.x + button.width / 2, button.y + button.height / 2, { steps: 15 })
  assert.equal(await page.isVisible('#idle-modal'), true, 'the prompt is still up under the cursor')
  await page.mouse.down()
  await page.mouse.up()
  await page.waitForSelector('#idle-modal:not([open])', { state: 'attached' })
  const after = await snap(page)
  assert.equal(after.status, 'active')
  assert.ok(after.idleDeadline > before, 'the click moved the idle deadline')
})

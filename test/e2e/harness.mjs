// Shared set-up for the real-browser tests: build the demo once, start its server in-process
// on a free port, launch Debian's chromium through playwright-core.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const root = fileURLToPath(new URL('../../', import.meta.url))
export const screenshotsDir = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))

/**
 * A name that resolves to the demo server but is not localhost: `http://tokenkeeper.test:<port>`
 * is an insecure context, where Chromium has no `navigator.locks` (every plain-http intranet
 * site), so the SDK runs its channel mutex. Mapped by Chromium's resolver, no hosts file.
 */
export const INSECURE_HOST = 'tokenkeeper.test'

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Background tabs must keep their timers: the cross-tab tests drive several pages at once.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`,
]

export function executablePath() {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!existsSync(path)) throw new Error(`No chromium at ${path}: apt-get install -y chromium, or set CHROMIUM_PATH`)
  return path
}

let built = false
/** Builds page + server unless E2E_SKIP_BUILD=1 (CI that already ran `node demo/build.mjs`). */
export function buildDemo() {
  if (built || process.env.E2E_SKIP_BUILD === '1') return
  execFileSync(process.execPath, ['demo/build.mjs'], { cwd: root, stdio: 'inherit' })
  built = true
}

export async function startDemo() {
  buildDemo()
  const { startDemoServer } = await import(new URL('../../demo/.build/server.mjs', import.meta.url).href)
  return startDemoServer({ port: 0, hostnames: [INSECURE_HOST] })
}

/**
 * The multi-tab tests run once per mode: on the secure localhost origin with Web Locks, and on
 * the insecure {@link INSECURE_HOST} origin without them (the channel mutex). `E2E_LOCKS=web` or
 * `E2E_LOCKS=channel` runs one mode only (while iterating; CI runs both).
 */
export const LOCK_MODES = [
  { name: 'Web Locks', webLocks: true, host: 'localhost' },
  { name: 'no Web Locks (insecure origin)', webLocks: false, host: INSECURE_HOST },
].filter((mode) => !process.env.E2E_LOCKS || process.env.E2E_LOCKS === (mode.webLocks ? 'web' : 'channel'))

/** The URL the browser opens the demo at in `mode`; Node's own control calls keep `demo.url`. */
export const pageUrl = (demo, mode) => `http://${mode.host}:${demo.port}`

/** Proves the page runs in the mode it was opened for: a run without Web Locks must not have them. */
export async function assertLockMode(page, mode) {
  const seen = await page.evaluate(() => ({
    secureContext: window.isSecureContext,
    locks: navigator.locks === undefined ? 'undefined' : typeof navigator.locks,
  }))
  assert.deepEqual(seen, mode.webLocks ? { secureContext: true, locks: 'object' } : { secureContext: false, locks: 'undefined' }, `lock mode ${mode.name}`)
}

/**
 * `bfcache: true` keeps the back/forward cache on: playwright-core turns it off by default
 * (`--disable-back-forward-cache`), and Chromium honours it headless too.
 */
export async function launchBrowser({ bfcache = false } = {}) {
  return chromium.launch({
    executablePath: executablePath(),
    args: CHROMIUM_ARGS,
    ...(bfcache && { ignoreDefaultArgs: ['--disable-back-forward-cache'] }),
  })
}

/** A browser context ("a device") whose console errors and page errors are collected. */
export async function newDevice(browser, viewport = { width: 1280, height: 800 }, options = {}) {
  const context = await browser.newContext({ viewport, ...options })
  const problems = []
  context.on('page', (page) => watch(page, problems))
  return { context, problems }
}

function watch(page, problems) {
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(`console: ${message.text()}`)
  })
}

/**
 * Opens the dashboard and waits for the SDK's start() to settle. With `mode` (one of
 * {@link LOCK_MODES}), first checks the page has Web Locks exactly when the mode says so.
 */
export async function openDashboard(context, url, query = '', mode = null) {
  const page = await context.newPage()
  await page.goto(`${url}/${query}`)
  if (mode) await assertLockMode(page, mode)
  await page.waitForFunction(() => window.demo && window.tm)
  await page.evaluate(() => window.demo.ready)
  return page
}

export async function login(page, username = 'alice', password = 'wonderland') {
  await page.fill('#username', username)
  await page.fill('#password', password)
  await page.click('#login-button')
  await page.waitForFunction(() => window.tm.getSnapshot().status === 'active')
}

export async function mock(url, path, body) {
  const response = await fetch(`${url}/__mock/${path}`, {
    method: body === undefined && path === 'state' ? 'GET' : 'POST',
    ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  })
  if (!response.ok) throw new Error(`/__mock/${path} answered ${response.status}: ${await response.text()}`)
  return response.json()
}

export const state = (url) => mock(url, 'state')

/**
 * Takes the screenshot either way (it must render), but writes the README's images in
 * docs/screenshots only with UPDATE_SCREENSHOTS=1: a test run leaves the tree as it found it.
 */
export async function screenshot(page, name, options = {}) {
  const update = process.env.UPDATE_SCREENSHOTS === '1'
  if (update) mkdirSync(screenshotsDir, { recursive: true })
  await page.screenshot({ ...(update && { path: `${screenshotsDir}${name}.png` }), ...options })
}

/** Polls `check` (async, returns truthy when done) until `timeout` ms. */
export async function eventually(check, { timeout = 10_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout
  let last
  for (;;) {
    last = await check()
    if (last) return last
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message}`)
    await new Promise((r) => setTimeout(r, interval))
  }
}

// The two dev setups the README documents, with the real tool: a Vite dev server (started
// here through Vite's programmatic API) serving a tiny app (test/fixtures/vite-app, the SDK
// from src through an alias), the demo's mock backend beside it on another port.
//   (a) dev proxy: the app calls its own origin, Vite forwards /auth and /api to the mock;
//   (b) cross-origin baseUrl: the app calls the mock directly (CORS with credentials).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { build, createServer, preview } from 'vite'
import { eventually, INSECURE_HOST, launchBrowser, mock, newDevice, root, startDemo, state } from './harness.mjs'

let demo
let browser
const cacheDir = mkdtempSync(join(tmpdir(), 'tokenkeeper-vite-'))

before(async () => {
  demo = await startDemo()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await demo?.close()
  rmSync(cacheDir, { recursive: true, force: true })
})

async function startVite(proxy) {
  const server = await createServer({
    configFile: false,
    root: join(root, 'test/fixtures/vite-app'),
    cacheDir,
    logLevel: 'error',
    resolve: { alias: { tokenkeeper: join(root, 'src/index.ts') } },
    server: {
      host: 'localhost',
      port: 0,
      // (a) is exactly this: both prefixes to the backend, nothing else.
      ...(proxy && { proxy: { '/auth': demo.url, '/api': demo.url } }),
    },
  })
  await server.listen()
  const { port } = server.httpServer.address()
  return { server, url: `http://localhost:${port}` }
}

/** Sign in, reload (the session survives), call the API, refresh, log out. */
async function lifecycle(appUrl, query) {
  await mock(demo.url, 'reset')
  const { context, problems } = await newDevice(browser)
  const page = await context.newPage()
  await page.goto(`${appUrl}/${query}`)
  await page.waitForFunction(() => window.tm)
  await page.evaluate(() => window.ready)
  assert.equal(await page.evaluate(() => window.tm.getSnapshot().status), 'signedOut')

  await page.evaluate(() => window.tm.login({ username: 'bob', password: 'builder' }))
  const me = () =>
    page.evaluate(async () => {
      const response = await window.tm.fetch(`${window.api}/api/me`)
      return { status: response.status, body: await response.json() }
    })
  assert.deepEqual((await me()).status, 200)

  await page.reload()
  await page.waitForFunction(() => window.tm)
  await page.evaluate(() => window.ready)
  assert.equal(await page.evaluate(() => window.tm.getSnapshot().status), 'active', 'the session survives a reload')
  assert.equal(await page.textContent('#status'), 'active')
  const afterReload = await me()
  assert.equal(afterReload.status, 200)
  assert.equal(afterReload.body.username, 'bob')

  const before = await page.evaluate(() => window.tm.getSnapshot().expiresAt)
  await page.waitForTimeout(5)
  await page.evaluate(() => window.tm.refresh())
  assert.ok((await page.evaluate(() => window.tm.getSnapshot().expiresAt)) >= before)
  assert.equal((await me()).status, 200)

  await page.evaluate(() => window.tm.logout())
  assert.equal(await page.evaluate(() => window.tm.getSnapshot().status), 'signedOut')
  await page.reload()
  await page.waitForFunction(() => window.tm)
  await page.evaluate(() => window.ready)
  assert.equal(await page.evaluate(() => window.tm.getSnapshot().status), 'signedOut', 'logged out for good')

  const s = await state(demo.url)
  assert.equal(s.counters.statuses['403'] ?? 0, 0, 'no CSRF or origin refusal')
  assert.equal(s.counters.refreshSuccesses, 2, 'one resume after the reload, one forced refresh')
  assert.equal(s.counters.logoutCalls, 1)
  assert.equal(s.sessions, 0)
  assert.deepEqual(
    problems.filter((p) => p.startsWith('pageerror')),
    [],
  )
  await context.close()
}

test('(a) Vite dev proxy for /auth and /api: sign in, reload keeps the session, refresh, logout', async () => {
  const vite = await startVite(true)
  try {
    await lifecycle(vite.url, '')
  } finally {
    await vite.server.close()
  }
})

test('(b) cross-origin baseUrl (app and mock on different ports, CORS with credentials): the same', async () => {
  const vite = await startVite(false)
  try {
    assert.notEqual(new URL(vite.url).port, new URL(demo.url).port)
    await lifecycle(vite.url, `?api=${encodeURIComponent(demo.url)}`)
  } finally {
    await vite.server.close()
  }
})

test('(c) an origin outside the allow-list: login fails at once, saying which origin and which setting', async () => {
  const { startDemoServer } = await import(new URL('../../demo/.build/server.mjs', import.meta.url).href)
  // The demo server reads the allow-list from the environment (`npm run demo` with it set).
  process.env.TOKENKEEPER_ALLOWED_ORIGINS = 'https://app.example.test, https://admin.example.test'
  const strict = await startDemoServer({ port: 0 }).finally(() => delete process.env.TOKENKEEPER_ALLOWED_ORIGINS)
  const server = await createServer({
    configFile: false,
    root: join(root, 'test/fixtures/vite-app'),
    cacheDir,
    logLevel: 'error',
    resolve: { alias: { tokenkeeper: join(root, 'src/index.ts') } },
    server: { host: 'localhost', port: 0, proxy: { '/auth': strict.url, '/api': strict.url } },
  })
  await server.listen()
  const appUrl = `http://localhost:${server.httpServer.address().port}`
  const { context } = await newDevice(browser)
  try {
    const page = await context.newPage()
    await page.goto(`${appUrl}/`)
    await page.waitForFunction(() => window.tm)
    await page.evaluate(() => window.ready.catch(() => undefined))
    const failure = await page.evaluate(() =>
      window.tm.login({ username: 'bob', password: 'builder' }).then(
        () => null,
        (e) => ({ name: e.name, status: e.status, error: e.error, errorDescription: e.errorDescription }),
      ),
    )
    assert.deepEqual(failure, {
      name: 'LoginError',
      status: 403,
      error: 'origin_not_allowed',
      errorDescription: `Origin ${appUrl} is not allowed: add it to TOKENKEEPER_ALLOWED_ORIGINS (or the allowedOrigins option)`,
    })
  } finally {
    await context.close()
    await server.close()
    await strict.close()
  }
})

test('(d) a production build of the built package on an insecure origin: the channel mutex chunk loads on demand, three tabs make one refresh between them', async () => {
  // What an app ships: `vite build` of the app against dist/ (the package as published), served by
  // `vite preview` on a plain-http name that is not localhost, so Chromium gives it no Web Locks.
  const outDir = mkdtempSync(join(tmpdir(), 'tokenkeeper-vite-build-'))
  const app = join(root, 'test/fixtures/vite-app')
  const config = { configFile: false, root: app, cacheDir, logLevel: 'error', resolve: { alias: { tokenkeeper: join(root, 'dist/index.js') } } }
  await build({ ...config, build: { outDir, emptyOutDir: true } })
  // The app's origin must be on the backend's allow-list, so its port is chosen first.
  const port = await new Promise((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
  const appUrl = `http://${INSECURE_HOST}:${port}`
  const { startDemoServer } = await import(new URL('../../demo/.build/server.mjs', import.meta.url).href)
  const backend = await startDemoServer({ port: 0, backend: { allowedOrigins: [appUrl] } })
  const server = await preview({
    ...config,
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: true, allowedHosts: [INSECURE_HOST], proxy: { '/auth': backend.url, '/api': backend.url } },
  })
  const { context, problems } = await newDevice(browser)
  const chunks = []
  context.on('request', (request) => {
    if (/channel-lock[^/]*\.js$/.test(new URL(request.url()).pathname)) chunks.push(request.url())
  })
  try {
    await mock(backend.url, 'reset')
    const open = async () => {
      const page = await context.newPage()
      await page.goto(`${appUrl}/`)
      await page.waitForFunction(() => window.tm)
      await page.evaluate(() => window.ready)
      return page
    }
    const first = await open()
    assert.deepEqual(await first.evaluate(() => ({ secure: window.isSecureContext, locks: typeof navigator.locks })), { secure: false, locks: 'undefined' })
    await first.evaluate(() => window.tm.login({ username: 'bob', password: 'builder' }))
    const pages = [first, await open(), await open()]
    assert.equal(chunks.length, 3, `one chunk load per tab: ${chunks.join(', ')}`)
    const expiresAt = () => Promise.all(pages.map((p) => p.evaluate(() => window.tm.getSnapshot().expiresAt)))
    for (let rotation = 1; rotation <= 3; rotation++) {
      const before = (await state(backend.url)).counters
      // Every tab asks for a new token at once: the mutex lets one refresh, the others adopt its token.
      await Promise.all(pages.map((p) => p.evaluate(() => window.tm.refresh())))
      const after = (await state(backend.url)).counters
      assert.equal(after.refreshCalls - before.refreshCalls, 1, `rotation ${rotation}: refresh requests`)
      assert.equal(after.reuseDetections, 0)
      await eventually(async () => new Set(await expiresAt()).size === 1, { message: 'every tab to hold the new token' })
      const statuses = await Promise.all(pages.map((p) => p.evaluate(async () => (await window.tm.fetch('/api/me')).status)))
      assert.deepEqual(statuses, [200, 200, 200])
    }
    assert.deepEqual(
      problems.filter((p) => p.startsWith('pageerror')),
      [],
    )
  } finally {
    await context.close()
    await new Promise((resolve) => server.httpServer.close(resolve))
    await backend.close()
    rmSync(outDir, { recursive: true, force: true })
  }
})

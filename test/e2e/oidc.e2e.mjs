// The oauth2() preset in real Chromium against panva's oidc-provider (test/servers/oidc.mjs):
// the authorization code + PKCE flow through the provider's own login and consent pages,
// refresh-token rotation with 3 s access tokens across three tabs, a replayed refresh token,
// logout by RFC 7009 revocation checked with RFC 7662 introspection.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startOidcProvider } from '../servers/oidc.mjs'
import { refreshGrant } from '../servers/oidc-flow.mjs'
import { eventually, launchBrowser, newDevice } from './harness.mjs'
import { startOidcApp } from './oidc-app/server.mjs'

const ACCESS_TTL = 3

let app
let oidc
let browser

before(async () => {
  app = await startOidcApp()
  oidc = await startOidcProvider({ redirectUris: [app.redirectUri], origins: [app.origin], accessTokenTtl: ACCESS_TTL })
  app.configure({ issuer: oidc.issuer, clientId: oidc.clientId, redirectUri: app.redirectUri, userinfoEndpoint: oidc.userinfo_endpoint })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await oidc?.close()
  await app?.close()
})

const snap = (page) => page.evaluate(() => window.app.tm.getSnapshot())
const events = (page) => page.evaluate(() => window.app.events)
const callMe = (page) => page.evaluate(() => window.app.callMe())
const refreshGrants = () => oidc.grants('refresh_token')

/** The token endpoint's 200 replies so far, as the server sent them (the harness keeps them). */
const tokenReplies = () => oidc.log.issued

async function openApp(context, path = '/') {
  const page = await context.newPage()
  await page.goto(`${app.origin}${path}`)
  await page.waitForFunction(() => window.app)
  return { page, started: await page.evaluate(() => window.app.ready) }
}

/** login(): to the provider, through its login page (any login/password) and consent page, back to the app. */
async function signIn(page) {
  await page.evaluate(() => window.app.login())
  await eventually(
    () => step(page).catch(() => false), // a navigation can destroy the page's context mid-step
    { timeout: 15_000, interval: 50, message: 'the authorization flow to come back to the app' },
  )
  return page.evaluate(() => window.app.ready)
}

/** One step of the flow: fills the login form or confirms consent; true once back on the app's callback. */
async function step(page) {
  const url = new URL(page.url())
  if (url.origin === app.origin) return url.pathname === '/callback' && (await page.evaluate(() => window.app?.ready)) !== undefined
  if (await page.locator('input[name="login"]').count()) {
    await page.fill('input[name="login"]', 'alice')
    await page.fill('input[name="password"]', 'any')
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')])
  } else if (await page.locator('button.login-submit').count()) {
    await Promise.all([page.waitForNavigation(), page.click('button.login-submit')])
  }
  return false
}

test('oauth2() with oidc-provider in Chromium', async (t) => {
  const { context, problems } = await newDevice(browser)
  const { page: first, started } = await openApp(context)
  assert.deepEqual(started, { status: 'signedOut' }, 'no session before the redirect sign-in')

  await t.test('code + PKCE through the login and consent pages signs in; code and state leave the address bar', async () => {
    const result = await signIn(first)
    assert.deepEqual(result, { status: 'active' })
    const url = new URL(first.url())
    assert.equal(url.searchParams.has('code'), false)
    assert.equal(url.searchParams.has('state'), false)
    assert.deepEqual(await callMe(first), { status: 200, body: { sub: 'alice' } })
    assert.deepEqual(
      oidc.grants('authorization_code').map((g) => g.ok),
      [true],
    )
    const tokenCalls = oidc.log.requests.filter((r) => r.path === '/token' && r.method === 'POST')
    for (const call of tokenCalls) {
      assert.match(call.contentType, /^application\/x-www-form-urlencoded/)
      assert.equal(call.authorization, '', 'a public client sends no Authorization header')
      assert.equal(call.origin, app.origin)
    }
    assert.ok(tokenReplies()[0]?.refresh_token, 'the exchange issued a refresh token')
  })

  const pages = [first]
  await t.test('two more tabs join the session without a token request of their own', async () => {
    for (let i = 0; i < 2; i += 1) {
      const { page } = await openApp(context)
      await eventually(async () => (await snap(page)).status === 'active', { message: 'the new tab to join' })
      // It took the session from the first tab: no token request of its own (the first tab's
      // proactive refresh may run meanwhile, 3 s tokens rotate every 1.5 s).
      assert.deepEqual(
        (await events(page)).filter((e) => e.type === 'tokenRefreshed' && e.source === 'local'),
        [],
      )
      pages.push(page)
    }
    assert.equal(oidc.grants('authorization_code').length, 1, 'no tab exchanged a code of its own')
  })

  await t.test('rotation with 3 s tokens across three tabs: one refresh per rotation, no invalid_grant', async () => {
    const start = refreshGrants().length
    for (let rotation = 1; rotation <= 3; rotation += 1) {
      await eventually(() => refreshGrants().length >= start + rotation, { timeout: (ACCESS_TTL + 3) * 1000, message: `rotation ${rotation}` })
      // Every tab can use the API on the token of this rotation.
      for (const page of pages) assert.equal((await callMe(page)).status, 200)
    }
    const grants = refreshGrants()
    assert.deepEqual(
      grants.filter((g) => !g.ok),
      [],
      'no refresh failed (a second use of a rotated token would be invalid_grant)',
    )
    // Each rotation refreshed once: consecutive refreshes are at least a third of a lifetime apart.
    const times = grants.map((g) => g.at)
    for (let i = 1; i < times.length; i += 1) assert.ok(times[i] - times[i - 1] >= 1000, `refreshes ${i - 1} and ${i} were ${times[i] - times[i - 1]} ms apart`)
    // Exactly one tab did each refresh; the others adopted its token.
    await eventually(
      async () => {
        const local = (await Promise.all(pages.map(events))).flat().filter((e) => e.type === 'tokenRefreshed' && e.source === 'local')
        return local.length === refreshGrants().length
      },
      { message: 'local refreshes across tabs to match the server\u2019s count' },
    )
    const expiries = await Promise.all(pages.map(async (page) => (await snap(page)).expiresAt))
    assert.ok(
      expiries.every((e) => e === expiries[0]),
      'every tab holds the same token',
    )
    // No userinfo call was answered 401 (the token in use never outlived its lifetime).
    assert.deepEqual(
      oidc.log.requests.filter((r) => r.path === '/me' && r.status === 401),
      [],
    )
  })

  await t.test('a replayed refresh token: the provider revokes the grant, every tab ends with reason refresh_rejected', async () => {
    const rotatedAway = tokenReplies()[0]?.refresh_token
    assert.ok(rotatedAway)
    const replay = await refreshGrant(oidc, rotatedAway)
    assert.equal(replay.status, 400)
    assert.equal((await replay.json()).error, 'invalid_grant')
    await eventually(async () => (await Promise.all(pages.map(snap))).every((s) => s.status === 'expired'), {
      timeout: (ACCESS_TTL + 3) * 1000,
      message: 'every tab to end the session',
    })
    for (const page of pages) {
      const ended = (await events(page)).filter((e) => e.type === 'sessionExpired')
      assert.deepEqual(
        ended.map((e) => e.reason),
        ['refresh_rejected'],
      )
    }
    // Signed out of the API: the next call goes out without a Bearer and the API refuses it.
    const after = await callMe(first)
    assert.ok(after.status === 400 || after.status === 401, `userinfo without a token answered ${after.status}`)
    assert.equal(oidc.log.requests.filter((r) => r.path === '/me' && r.method === 'GET').at(-1)?.authorization, '')
  })

  await t.test('logout revokes the tokens (RFC 7009): introspection says inactive, the refresh token fails invalid_grant', async () => {
    for (const page of pages.slice(1)) await page.close()
    pages.length = 1
    const replies = tokenReplies().length
    assert.deepEqual(await signIn(first), { status: 'active' })
    assert.ok(tokenReplies().length > replies, 'the second sign-in exchanged a code')

    assert.deepEqual(await first.evaluate(() => window.app.logout()), { ok: true })

    assert.equal((await snap(first)).status, 'signedOut')
    // The tokens the tab held when it logged out: the last reply (a proactive refresh may have rotated them).
    const { access_token: accessToken, refresh_token: refreshToken } = tokenReplies().at(-1) ?? {}
    assert.ok(refreshToken)
    const revocations = oidc.log.requests.filter((r) => r.path === '/token/revocation' && r.method === 'POST')
    assert.ok(revocations.length >= 1, 'logout called the revocation endpoint')
    for (const call of revocations) {
      assert.equal(call.status, 200)
      assert.match(call.contentType, /^application\/x-www-form-urlencoded/)
      assert.equal(call.authorization, '', 'no Authorization: Bearer on revocation')
    }
    assert.deepEqual(await oidc.introspect(refreshToken), { active: false })
    assert.deepEqual(await oidc.introspect(accessToken), { active: false })
    const refresh = await refreshGrant(oidc, refreshToken)
    assert.equal((await refresh.json()).error, 'invalid_grant')
  })

  assert.deepEqual(problems, [])
  await context.close()
})

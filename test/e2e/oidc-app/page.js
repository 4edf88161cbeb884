// The page of the oidc-provider e2e test: tokenkeeper's dist with the oauth2() preset, its state
// exposed on window.app for the test to drive. Config comes from the server (issuer, client).
import { isTokenKeeperError, oauth2, TokenManager } from 'tokenkeeper'

const config = JSON.parse(document.getElementById('config')?.textContent ?? '{}')

/** The error fields a test asserts on; never a token. */
const describe = (error) =>
  isTokenKeeperError(error)
    ? { name: error.name, code: error.code, reason: error.reason, status: error.status, error: error.error, transient: error.transient }
    : { name: String(error?.name), message: String(error?.message) }

const tm = new TokenManager({
  authorizedOrigins: [new URL(config.issuer).origin],
  backend: oauth2({ issuer: config.issuer, clientId: config.clientId, redirectUri: config.redirectUri, scope: 'openid offline_access' }),
  ...config.options,
})

const events = []
for (const type of ['signedIn', 'tokenRefreshed', 'signedOut', 'sessionExpired', 'error']) {
  tm.on(type, (payload) => {
    events.push({ type, at: Date.now(), source: payload.source, reason: payload.reason, ...(payload.error && { error: describe(payload.error) }) })
  })
}

window.app = {
  tm,
  events,
  ready: tm.start().then(
    (snapshot) => ({ status: snapshot.status }),
    (error) => ({ error: describe(error) }),
  ),
  login: (params) => {
    // Pending while the page navigates away; a rejection is recorded.
    tm.login(params).catch((error) => events.push({ type: 'loginFailed', at: Date.now(), error: describe(error) }))
  },
  async callMe() {
    try {
      const response = await tm.fetch(config.userinfoEndpoint)
      return { status: response.status, body: response.ok ? await response.json() : await response.text() }
    } catch (error) {
      return { error: describe(error) }
    }
  },
  async logout() {
    try {
      await tm.logout()
      return { ok: true }
    } catch (error) {
      return { error: describe(error) }
    }
  },
  describe,
}

// Server-side rendering of the React and Vue bindings, in plain Node (no DOM globals), and every
// framework entry importing there without throwing (from src/ and from the built dist/).
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { trackSubscribers } from './helpers/subscribers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeJwt } from './helpers/jwt'

const BROWSER_GLOBALS = ['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'self'] as const
const touched: string[] = []
const saved = new Map<string, PropertyDescriptor | undefined>()

describe('tokenkeeper/react on the server', () => {
  beforeAll(() => {
    // Trap every browser global: reading one (even `typeof window`) is recorded.
    for (const name of BROWSER_GLOBALS) {
      saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name))
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          touched.push(name)
          return undefined
        },
      })
    }
  })
  afterAll(() => {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor)
      else delete (globalThis as Record<string, unknown>)[name]
    }
  })

  it('renderToString renders the server snapshot, subscribes to nothing and touches no browser global', async () => {
    const [{ createElement: h }, { renderToString }, { TokenManager }, { TokenKeeperProvider, useSession, useSessionEvent, useTokenManager }] =
      await Promise.all([import('react'), import('react-dom/server'), import('../src'), import('../src/react')])
    const importTouched = [...touched]

    const tm = new TokenManager({ baseUrl: 'http://app.test', crossTab: false })
    // Even with a session in this manager (a shared server-side singleton, say), the server
    // renders the constant snapshot, so every request renders the same and hydration matches.
    const now = Math.floor(Date.now() / 1000)
    tm.setSession({ accessToken: makeJwt({ sub: 'alice', iat: now, exp: now + 300 }), expiresIn: 300 })
    expect(tm.getSnapshot().status).toBe('active')

    let subscribes = 0
    let handlers = 0
    const subscribe = tm.subscribe.bind(tm)
    tm.subscribe = (listener) => (subscribes++, subscribe(listener))
    const on = tm.on.bind(tm)
    tm.on = (type, handler) => (handlers++, on(type, handler))

    // The manager's own setup may probe `typeof window` (guarded); the render must not.
    touched.length = 0
    let sameManager = false
    function App() {
      const session = useSession()
      const status = useSession((s) => s.status)
      sameManager = useTokenManager() === tm
      useSessionEvent('sessionExpired', () => undefined)
      return h('p', null, `${session.status}/${status}/${String(session.claims)}/${String(session.expiresAt)}`)
    }
    const html = renderToString(h(TokenKeeperProvider, { manager: tm }, h(App)))

    expect(html).toBe('<p>unknown/unknown/null/null</p>')
    expect(sameManager).toBe(true)
    // Effects never run on the server: no subscription, no event handler, nothing to leak.
    expect(subscribes).toBe(0)
    expect(handlers).toBe(0)
    expect({ importTouched, renderTouched: touched }).toEqual({ importTouched: [], renderTouched: [] })
    tm.destroy()
  })
})

describe('tokenkeeper/vue on the server', () => {
  it('SSR renders the server snapshot, as React does, and leaves no listener on a manager shared by every request', async () => {
    const [{ createSSRApp, defineComponent, h }, { renderToString }, { TokenManager }, { useSession, tokenKeeper }] = await Promise.all([
      import('vue'),
      import('vue/server-renderer'),
      import('../src'),
      import('../src/vue'),
    ])
    const tm = new TokenManager({ baseUrl: 'http://app.test', crossTab: false })
    const subscribers = trackSubscribers(tm)
    // A session in the shared server-side manager never reaches the page: every request renders
    // the constant snapshot, the same as the first client render during hydration.
    const now = Math.floor(Date.now() / 1000)
    tm.setSession({ accessToken: makeJwt({ sub: 'alice', iat: now, exp: now + 300 }), expiresIn: 300 })
    expect(tm.getSnapshot().status).toBe('active')
    const Status = defineComponent({
      setup() {
        const session = useSession(tm)
        const injected = useSession()
        const sub = useSession((s) => s.claims?.sub ?? null)
        return () => h('p', `${session.value.status}/${injected.value.status}/${String(sub.value)}/${String(session.value.expiresAt)}`)
      },
    })
    for (let request = 0; request < 3; request++) {
      expect(await renderToString(createSSRApp(Status).use(tokenKeeper(tm)))).toBe('<p>unknown/unknown/null/null</p>')
      expect(subscribers()).toBe(0)
    }
    tm.destroy()
  })
})

const ENTRIES = ['react', 'vue', 'axios', 'svelte', 'angular'] as const
const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** The newest modification time under `dir` (ms), 0 when it does not exist. */
function newest(dir: string): number {
  let latest = 0
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) latest = Math.max(latest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs)
    }
  } catch {
    return 0
  }
  return latest
}

describe('every framework entry imports in Node without throwing (server rendering)', () => {
  // No @angular/compiler here (test/angular.test.ts loads it in its own file): the Angular entry
  // must not need it at import, as a server bundle does not have it.
  it.each(ENTRIES)('src/%s', async (entry) => {
    const module: Record<string, unknown> = await import(`../src/${entry}.ts`)
    expect(Object.keys(module).length).toBeGreaterThan(0)
  })

  it('dist: `tokenkeeper/<entry>` through the package exports, as import (ESM) and require (CJS)', { timeout: 120_000 }, () => {
    // A dist/ older than src/ (or none) is rebuilt, so the check is about this tree.
    if (newest(`${ROOT}dist`) < newest(`${ROOT}src`))
      execFileSync(process.execPath, [`${ROOT}node_modules/tsup/dist/cli-default.js`], { cwd: ROOT, stdio: 'pipe' })
    const list = JSON.stringify(ENTRIES)
    const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }).trim()
    const esm = run([
      '--input-type=module',
      '-e',
      `for (const e of ${list}) { const m = await import('tokenkeeper/' + e); console.log(e, Object.keys(m).length > 0) }`,
    ])
    const cjs = run(['-e', `for (const e of ${list}) { const m = require('tokenkeeper/' + e); console.log(e, Object.keys(m).length > 0) }`])
    const expected = ENTRIES.map((e) => `${e} true`).join('\n')
    expect({ esm, cjs }).toEqual({ esm: expected, cjs: expected })
    // tokenkeeper/angular builds managers (provideTokenKeeper(options)) with the package's own core,
    // imported, not copied: no core code (an expiry reason, say) in its files.
    for (const file of ['angular.js', 'angular.cjs']) {
      const code = readFileSync(`${ROOT}dist/${file}`, 'utf8')
      expect(code).toMatch(/from 'tokenkeeper'|require\('tokenkeeper'\)/)
      expect(code).not.toContain('refresh_rejected')
    }
  })
})

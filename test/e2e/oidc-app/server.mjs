// The test app of test/e2e/oidc.e2e.mjs: serves one page (at / and at the redirect URI) that loads
// tokenkeeper's dist with the oauth2() preset, bundled by esbuild. The config (issuer, client,
// TokenManager options) is set by the test once the provider is up, and read per request.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('../../../', import.meta.url))

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** Builds dist (tsup) when it is missing or older than src/, unless E2E_SKIP_BUILD=1. */
export function ensureDist() {
  const entry = join(root, 'dist/index.js')
  if (process.env.E2E_SKIP_BUILD === '1' && existsSync(entry)) return
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(root, 'src'))) return
  execFileSync(process.execPath, [join(root, 'node_modules/tsup/dist/cli-default.js')], { cwd: root, stdio: 'inherit' })
}

async function bundle() {
  ensureDist()
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page.js', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    alias: { tokenkeeper: join(root, 'dist/index.js') },
    logLevel: 'warning',
  })
  return result.outputFiles[0].text
}

const escapeJson = (value) => JSON.stringify(value).replace(/</g, '\\u003c')

/** Starts the app on a free port of 127.0.0.1; its origin is http://localhost:<port>. */
export async function startOidcApp() {
  const script = await bundle()
  let config = null
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost')
    if (pathname === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' })
      res.end(script)
      return
    }
    if (pathname === '/' || pathname === '/callback') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(`<!doctype html><meta charset="utf-8"><title>tokenkeeper oauth2 e2e</title>
<script type="application/json" id="config">${escapeJson(config)}</script>
<script type="module" src="/app.js"></script>`)
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not found')
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const origin = `http://localhost:${server.address().port}`
  return {
    origin,
    redirectUri: `${origin}/callback`,
    /** @param {{ issuer: string, clientId: string, redirectUri: string, userinfoEndpoint: string, options?: object }} next */
    configure(next) {
      config = next
    },
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(() => resolve(undefined)))
    },
  }
}

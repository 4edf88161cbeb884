#!/usr/bin/env node
// Renders `tokenkeeper check` reports as HTML in Chromium (Debian's, via playwright-core) and
// writes the README's screenshots: docs/screenshots/check-report.png (the mock backend: all
// pass) and check-report-broken.png (test/fixtures/broken-backend.ts: the failures).
// Needs dist/ (npm run build). Runs the built bin exactly as `npx tokenkeeper check --json` would.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { launchBrowser } from '../test/e2e/harness.mjs'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const OUT = join(ROOT, 'docs', 'screenshots')
const run = promisify(execFile)

async function report(baseUrl) {
  const args = [join(ROOT, 'dist', 'cli.js'), 'check', '--base-url', baseUrl, '--username', 'alice', '--password', 'wonderland', '--json']
  try {
    return JSON.parse((await run(process.execPath, args)).stdout)
  } catch (error) {
    if (error.code === 1) return JSON.parse(error.stdout)
    throw new Error(`check against ${baseUrl} exited ${error.code}: ${error.stderr}`)
  }
}

const escapeHtml = (text) => String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])
const COLORS = { pass: ['#e7f6ec', '#1a7f37'], warn: ['#fff5d6', '#9a6700'], fail: ['#ffe9e9', '#cf222e'], skip: ['#f0f1f3', '#57606a'] }

function html(title, r) {
  const rows = r.results
    .map((x) => {
      const [bg, fg] = COLORS[x.status]
      return `<tr><td><span class="badge" style="background:${bg};color:${fg}">${x.status.toUpperCase()}</span></td><td class="group">${escapeHtml(x.group)}</td><td>${escapeHtml(x.title)}</td><td class="evidence">${escapeHtml(x.evidence)}</td></tr>`
    })
    .join('')
  const { pass, warn, fail, skip } = r.summary
  return `<!doctype html><meta charset="utf-8"><style>
    body { margin: 0; padding: 24px; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #fff; }
    h1 { font-size: 16px; margin: 0 0 4px; } .sub { color: #57606a; margin: 0 0 14px; font-family: ui-monospace, monospace; font-size: 12px; }
    table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid #d8dee4; vertical-align: top; }
    th { font-size: 12px; color: #57606a; font-weight: 600; } .badge { display: inline-block; min-width: 38px; text-align: center; font-weight: 700; font-size: 11px; border-radius: 4px; padding: 1px 6px; }
    .group { color: #57606a; font-family: ui-monospace, monospace; font-size: 12px; } .evidence { color: #424a53; font-family: ui-monospace, monospace; font-size: 11.5px; }
    .summary { margin-top: 12px; font-weight: 600; } .summary .fail { color: #cf222e; } .summary .ok { color: #1a7f37; }
  </style><div id="report"><h1>${escapeHtml(title)}</h1><p class="sub">$ npx tokenkeeper check --base-url ${escapeHtml(r.baseUrl)} --username alice --password …</p>
  <table><tr><th></th><th>group</th><th>check</th><th>evidence</th></tr>${rows}</table>
  <p class="summary">${pass} pass, ${warn} warn, ${fail} fail, ${skip} skipped: <span class="${fail ? 'fail' : 'ok'}">${fail ? 'the backend breaks the contract (exit 1)' : 'the backend keeps the contract (exit 0)'}</span></p></div>`
}

const work = mkdtempSync(join(tmpdir(), 'tokenkeeper-shot-'))
const { listen } = await import(pathToFileURL(join(ROOT, 'dist', 'testing', 'node.js')).href)
await build({
  entryPoints: [join(ROOT, 'test', 'fixtures', 'broken-backend.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: join(work, 'broken.mjs'),
  logLevel: 'silent',
})
const { startBrokenBackend } = await import(pathToFileURL(join(work, 'broken.mjs')).href)
const mock = await listen(0)
const broken = await startBrokenBackend()
const browser = await launchBrowser()
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 600 }, deviceScaleFactor: 1 })
  for (const [name, title, url] of [
    ['check-report', 'tokenkeeper check: the mock backend (tokenkeeper/testing)', mock.url],
    ['check-report-broken', 'tokenkeeper check: a deliberately broken backend (test/fixtures/broken-backend.ts)', broken.url],
  ]) {
    await page.setContent(html(title, await report(url)))
    await page.locator('#report').screenshot({ path: join(OUT, `${name}.png`) })
    console.log(`wrote docs/screenshots/${name}.png`)
  }
} finally {
  await browser.close()
  await mock.close()
  await broken.close()
  rmSync(work, { recursive: true, force: true })
}

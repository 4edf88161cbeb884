#!/usr/bin/env node
// CI smoke test of the built bin: `dist/cli.js check` against the mock backend served by
// `tokenkeeper/testing/node` (must exit 0, rate-limit check included) and against
// test/fixtures/broken-backend.ts (must exit 1). Needs dist/ (npm run build). Exits 1 otherwise.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const check = (baseUrl, extra = []) =>
  new Promise((resolve) => {
    const args = [join(ROOT, 'dist', 'cli.js'), 'check', '--base-url', baseUrl, ...extra]
    const env = { ...process.env, TOKENKEEPER_USERNAME: 'alice', TOKENKEEPER_PASSWORD: 'wonderland' }
    execFile(process.execPath, args, { env }, (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }))
  })

const work = mkdtempSync(join(tmpdir(), 'tokenkeeper-check-'))
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
let failed = false
try {
  const good = await check(mock.url, ['--check-rate-limit'])
  process.stdout.write(good.stdout)
  if (good.code !== 0) {
    failed = true
    console.error(`check against the mock backend exited ${good.code} (expected 0)${good.stderr ? `: ${good.stderr.trim()}` : ''}`)
  }
  const bad = await check(broken.url)
  if (bad.code !== 1) {
    failed = true
    console.error(`check against the broken backend exited ${bad.code} (expected 1)${bad.stderr ? `: ${bad.stderr.trim()}` : ''}`)
  } else {
    console.log(`check against the broken backend: exit 1 as expected (${bad.stdout.trim().split('\n').at(-1)})`)
  }
} finally {
  await mock.close()
  await broken.close()
  rmSync(work, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)

// Packs the package as `npm publish` would (prepack builds; CI calls this BEFORE any build, on a
// clean clone), checks the tarball holds ESM, CJS and types for every entry of package.json
// "exports", then installs it into a scratch app and imports every entry (ESM and CJS), and builds
// that app as a minimal Vite app (the project's own vite, through its JS API: no install of vite).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const work = mkdtempSync(join(tmpdir(), 'tokenkeeper-pack-'))
const failures = []
try {
  // prepack's build output shares stdout with the JSON report: read the report from its start.
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  const [{ filename, files }] = JSON.parse(out.slice(out.search(/^\[/m)))
  const listed = new Set(files.map((f) => f.path))
  const entries = Object.entries(pkg.exports).filter(([, t]) => typeof t === 'object')
  for (const [subpath, target] of entries) {
    for (const file of [target.import.types, target.import.default, target.require.types, target.require.default]) {
      if (!listed.has(file.replace(/^\.\//, ''))) failures.push(`${subpath}: ${file} is not in the tarball`)
    }
  }
  const app = join(work, 'app')
  execFileSync('mkdir', ['-p', app])
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }))
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=peer', join(work, filename)], {
    cwd: app,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  for (const [subpath] of entries) {
    const spec = subpath === '.' ? 'tokenkeeper' : `tokenkeeper/${subpath.slice(2)}`
    // Entries whose optional peer (react, vue, ...) is not installed are expected to fail on that peer only.
    for (const [kind, code] of [
      ['import', `await import(${JSON.stringify(spec)})`],
      ['require', `require(${JSON.stringify(spec)})`],
    ]) {
      const script =
        kind === 'import' ? `${code}` : `const { createRequire } = await import('node:module'); const require = createRequire(process.cwd() + '/x.js'); ${code}`
      try {
        execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, stdio: ['ignore', 'ignore', 'pipe'] })
      } catch (error) {
        const text = String(error.stderr)
        const peer = Object.keys(pkg.peerDependencies ?? {}).find((p) => text.includes(`'${p}'`) || text.includes(`"${p}"`))
        if (!peer) failures.push(`${kind} ${spec}: ${text.split('\n').find((l) => /Error/.test(l)) ?? text.slice(0, 200)}`)
      }
    }
  }
  // The bin, as `npx tokenkeeper` finds it in an app: node_modules/.bin/<name>.
  for (const [name, file] of Object.entries(pkg.bin ?? {})) {
    if (!listed.has(file.replace(/^\.\//, ''))) failures.push(`bin ${name}: ${file} is not in the tarball`)
    try {
      const out = execFileSync(join(app, 'node_modules', '.bin', name), ['check', '--help'], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      if (!out.startsWith('Usage: tokenkeeper check')) failures.push(`bin ${name}: --help printed no usage`)
    } catch (error) {
      failures.push(`bin ${name}: ${String(error.stderr || error.message).split('\n')[0]}`)
    }
  }
  const vite = await viteBuild(app)
  console.log(`pack check: ${filename}, ${files.length} files, ${entries.length} entries imported (ESM + CJS) in a scratch app; ${vite}`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
if (failures.length) {
  console.error(failures.join('\n'))
  process.exit(1)
}

/**
 * Turns the scratch app into a minimal Vite app, as a user would write it, and builds it for the
 * browser with the project's vite. The build must succeed without warnings about Node modules, and
 * the bundle must hold the package's code and no Node-only module. React, when the project has
 * it, is linked into the app (an app using tokenkeeper/react has react installed).
 * @returns a summary for the report line
 */
async function viteBuild(app) {
  const started = Date.now()
  const react = join(root, 'node_modules', 'react')
  const withReact = existsSync(join(react, 'package.json'))
  if (withReact) symlinkSync(react, join(app, 'node_modules', 'react'), 'dir')
  writeFileSync(join(app, 'index.html'), '<!doctype html>\n<div id="status"></div>\n<script type="module" src="/main.ts"></script>\n')
  writeFileSync(
    join(app, 'main.ts'),
    [
      "import { TokenManager } from 'tokenkeeper'",
      withReact ? "import { TokenKeeperProvider, useTokenManager } from 'tokenkeeper/react'" : '',
      "const tm = new TokenManager({ baseUrl: 'https://app.example.com', crossTab: false })",
      "tm.subscribe(() => { document.getElementById('status')!.textContent = tm.getSnapshot().status })",
      withReact ? 'Object.assign(window, { tm, TokenKeeperProvider, useTokenManager })' : 'Object.assign(window, { tm })',
      '',
    ].join('\n'),
  )
  const { build } = await import('vite')
  const warnings = []
  const log = (msg) => warnings.push(String(msg))
  const logger = { info() {}, warn: log, warnOnce: log, error: log, clearScreen() {}, hasErrorLogged: () => false, hasWarned: false }
  const outDir = join(app, 'dist')
  try {
    await build({
      root: app,
      configFile: false,
      envFile: false,
      logLevel: 'silent',
      customLogger: logger,
      build: { outDir, emptyOutDir: true, reportCompressedSize: false },
    })
  } catch (error) {
    failures.push(`vite build: ${String(error.message).split('\n')[0]}`)
    return 'vite build failed'
  }
  for (const w of warnings) if (/externalized for browser|node:|built-in/i.test(w)) failures.push(`vite build: ${w.split('\n')[0]}`)
  const assets = join(outDir, 'assets')
  const bundle = readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(assets, f), 'utf8'))
    .join('\n')
  if (!bundle.includes('X-TokenKeeper')) failures.push("vite build: the bundle lacks the package's code (no 'X-TokenKeeper')")
  if (withReact && !bundle.includes('tokenkeeper/react: useTokenManager()')) failures.push('vite build: the bundle lacks tokenkeeper/react')
  const nodeOnly = bundle.match(
    /__vite-browser-external|\bnode:[a-z_/]+|require\(["'](?:fs|path|os|crypto|http|https|child_process|stream|util|url|net|tls|zlib|worker_threads)["']\)|\bmsw\b/g,
  )
  if (nodeOnly) failures.push(`vite build: the bundle holds Node-only code: ${[...new Set(nodeOnly)].join(', ')}`)
  return `built into a Vite app (${withReact ? 'tokenkeeper + tokenkeeper/react' : 'tokenkeeper'}, ${Math.round(bundle.length / 1024)} kB JS, ${((Date.now() - started) / 1000).toFixed(1)} s)`
}

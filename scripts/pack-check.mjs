// Packs the package as `npm publish` would (prepack builds; CI calls this BEFORE any build, on a
// clean clone), checks the tarball holds ESM, CJS and types for every entry of package.json
// "exports", then installs it into a scratch app and imports every entry (ESM and CJS).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=peer', join(work, filename)], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] })
  for (const [subpath] of entries) {
    const spec = subpath === '.' ? 'tokenkeeper' : `tokenkeeper/${subpath.slice(2)}`
    // Entries whose optional peer (react, vue, ...) is not installed are expected to fail on that peer only.
    for (const [kind, code] of [
      ['import', `await import(${JSON.stringify(spec)})`],
      ['require', `require(${JSON.stringify(spec)})`],
    ]) {
      const script = kind === 'import' ? `${code}` : `const { createRequire } = await import('node:module'); const require = createRequire(process.cwd() + '/x.js'); ${code}`
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
  console.log(`pack check: ${filename}, ${files.length} files, ${entries.length} entries imported (ESM + CJS) in a scratch app`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
if (failures.length) {
  console.error(failures.join('\n'))
  process.exit(1)
}

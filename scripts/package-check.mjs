#!/usr/bin/env node
// Package quality, on what `npm pack` would publish (needs dist/: npm run build):
//   1. the tarball holds only dist/, README.md, LICENSE and package.json, and every file that
//      package.json points at (main, module, types, exports, typesVersions) is in it;
//   2. publint --strict passes;
//   3. attw --pack (@arethetypeswrong/cli, "strict" profile: node10, node16 CJS, node16 ESM and
//      bundler resolution, since the package ships both ESM and CJS) finds no problem;
//   4. a consumer project with the packed tarball installed type-checks for ESM (.mts) and CJS
//      (.cts) under moduleResolution nodenext, and for bundler resolution, with skipLibCheck off;
//   5. the packed package imports (ESM) and requires (CJS) in plain Node.
// Exits 1 on any failure, naming the fix. `--write` also records the outcome in BENCHMARKS.md.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const BIN = (name) => join(ROOT, 'node_modules', '.bin', name)
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
const results = []
const record = (name, ok, detail = '', fix = '') => {
  results.push({ name, ok, detail, fix })
  console.log(`${ok ? '✅' : '❌'} ${name}${detail ? `\n   ${detail.split('\n').join('\n   ')}` : ''}${!ok && fix ? `\n   fix: ${fix}` : ''}`)
}
const run = (command, args, options = {}) => spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, ...options })

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` first')
  process.exit(1)
}

// ------------------------------------------------------------------ 1. tarball contents
const packed = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'])
let files = []
try {
  files = JSON.parse(packed.stdout)[0].files.map((f) => f.path)
} catch {
  record('npm pack --dry-run', false, packed.stderr.trim().split('\n').slice(-5).join('\n'))
}
if (files.length > 0) {
  const allowed = (path) => path === 'package.json' || path === 'README.md' || path === 'LICENSE' || path.startsWith('dist/')
  const extra = files.filter((path) => !allowed(path))
  record(
    `tarball holds only dist/, README.md, LICENSE, package.json (${files.length} files)`,
    extra.length === 0,
    extra.length ? `unexpected: ${extra.join(', ')}` : files.join(', '),
    'narrow "files" in package.json (or add an .npmignore) so only dist, README.md and LICENSE are published',
  )
  for (const required of ['README.md', 'LICENSE']) {
    if (!files.includes(required)) record(`tarball has ${required}`, false, '', `add ${required} at the root and keep it in "files"`)
  }
  // Every target package.json points at must be in the tarball.
  const targets = new Set()
  const collect = (value) => {
    if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''))
    else if (value && typeof value === 'object') Object.values(value).forEach(collect)
  }
  collect({ main: pkg.main, module: pkg.module, types: pkg.types, bin: pkg.bin, exports: pkg.exports, typesVersions: pkg.typesVersions })
  const missing = [...targets].filter((t) => t !== 'package.json' && !t.includes('*') && !files.includes(t))
  record(
    `every main/module/types/bin/exports/typesVersions target is packed (${targets.size})`,
    missing.length === 0,
    missing.length ? `missing: ${missing.join(', ')}` : '',
    'build first (npm run build), or make tsup.config.ts emit these entries / fix the paths in package.json',
  )
}

// ------------------------------------------------------------------ 2. publint
const publint = run(BIN('publint'), ['--strict'])
// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes (ESC)
const publintOut = `${publint.stdout}${publint.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').trim()
record(
  'publint --strict',
  publint.status === 0,
  publintOut
    .split('\n')
    .filter((l) => !/^npm warn/i.test(l))
    .slice(-12)
    .join('\n'),
  'apply the changes publint lists above to package.json',
)

// ------------------------------------------------------------------ 3. attw
const attw = run(BIN('attw'), ['--pack', '.', '--format', 'json', '--no-definitely-typed', '--profile', 'strict'])
let attwOk = attw.status === 0
let attwDetail = ''
try {
  const report = JSON.parse(attw.stdout)
  const problems = report.analysis?.problems ?? report.problems ?? []
  const entrypoints = Object.keys(report.analysis?.entrypoints ?? {})
  attwOk = attwOk && problems.length === 0
  attwDetail = problems.length
    ? problems.map((p) => `${p.kind}${p.entrypoint ? ` at ${p.entrypoint}` : ''}${p.resolutionKind ? ` (${p.resolutionKind})` : ''}`).join('\n')
    : `entrypoints ${entrypoints.join(', ')}: no problems under node10, node16 (CJS), node16 (ESM), bundler`
} catch {
  attwDetail = `${attw.stdout}${attw.stderr}`.trim().split('\n').slice(-12).join('\n')
}
const ATTW_FIXES = {
  FalseESM: 'the .d.ts the "require" condition resolves to is read as ESM: point "require.types" at dist/*.d.cts (tsup dts emits them for format cjs)',
  FalseCJS: 'the .d.ts the "import" condition resolves to is read as CJS: point "import.types" at dist/*.d.ts under "type": "module" (or .d.mts)',
  NoResolution: 'an entrypoint does not resolve: add it to "exports" (and "typesVersions" for node10) and build it in tsup.config.ts entry',
  UntypedResolution: 'an entrypoint resolves to JS without types: add a "types" condition first in that "exports" entry',
  FallbackCondition: 'a fallback condition is used: list "types" before "default" in each "exports" entry',
  CJSResolvesToESM: 'require() reaches an ESM file: add a "require" condition pointing at dist/*.cjs',
}
record(
  'attw --pack . (profile strict)',
  attwOk,
  attwDetail,
  Object.entries(ATTW_FIXES)
    .filter(([kind]) => attwDetail.includes(kind))
    .map(([, fix]) => fix)
    .join('; ') || 'see attw --pack . for the table',
)

// ------------------------------------------------------------------ 4 + 5. a real consumer
const work = mkdtempSync(join(tmpdir(), 'tokenkeeper-consumer-'))
try {
  const tgzJson = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work])
  const tarball = join(work, JSON.parse(tgzJson.stdout)[0].filename)
  const installed = join(work, 'node_modules', 'tokenkeeper')
  mkdirSync(installed, { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'])
  // Runtime dependencies and peer types come from this repository's node_modules.
  for (const dep of [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), '@types/react', '@types/node']) {
    const from = join(ROOT, 'node_modules', dep)
    const to = join(work, 'node_modules', dep)
    if (!existsSync(from) || existsSync(to)) continue
    mkdirSync(join(to, '..'), { recursive: true })
    symlinkSync(from, to, 'dir')
  }
  const subpaths = Object.keys(pkg.exports ?? { '.': null })
    .filter((key) => key !== './package.json' && !key.includes('*'))
    .map((key) => (key === '.' ? 'tokenkeeper' : `tokenkeeper/${key.slice(2)}`))
  const esmLines = subpaths.map((spec, i) => `import * as m${i} from '${spec}'\nexport type T${i} = typeof m${i}`)
  const cjsLines = subpaths.map((spec, i) => `import m${i} = require('${spec}')\nexport type T${i} = typeof m${i}`)
  const usage = `const tm: TokenManager = new TokenManager({ baseUrl: 'https://app.example' })\nconst snapshot: SessionSnapshot = tm.getSnapshot()\nconst expired: boolean = isSessionExpiredError(new Error())\nexport { snapshot, expired }\n`
  writeFileSync(
    join(work, 'esm.mts'),
    `import { TokenManager, isSessionExpiredError, type SessionSnapshot } from 'tokenkeeper'\n${esmLines.join('\n')}\n${usage}`,
  )
  writeFileSync(
    join(work, 'cjs.cts'),
    `import tk = require('tokenkeeper')\nimport TokenManager = tk.TokenManager\ntype SessionSnapshot = tk.SessionSnapshot\nconst isSessionExpiredError = tk.isSessionExpiredError\n${cjsLines.join('\n')}\n${usage}`,
  )
  writeFileSync(
    join(work, 'bundler.ts'),
    `import { TokenManager, isSessionExpiredError, type SessionSnapshot } from 'tokenkeeper'\n${esmLines.join('\n')}\n${usage}`,
  )
  const base = { strict: true, noEmit: true, skipLibCheck: false, target: 'es2022', lib: ['es2022', 'dom', 'dom.iterable'], types: [], jsx: 'react-jsx' }
  writeFileSync(
    join(work, 'tsconfig.node.json'),
    JSON.stringify({ compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['esm.mts', 'cjs.cts'] }),
  )
  writeFileSync(
    join(work, 'tsconfig.bundler.json'),
    JSON.stringify({ compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' }, files: ['bundler.ts'] }),
  )
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'commonjs' }))
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  for (const [label, config] of [
    ['types resolve for ESM (.mts) and CJS (.cts) consumers, moduleResolution nodenext', 'tsconfig.node.json'],
    ['types resolve for bundler consumers, moduleResolution bundler', 'tsconfig.bundler.json'],
  ]) {
    const out = run(process.execPath, [tsc, '-p', config], { cwd: work })
    const text = `${out.stdout}${out.stderr}`.trim()
    record(
      `${label} (${subpaths.join(', ')})`,
      out.status === 0,
      text.split('\n').slice(0, 12).join('\n'),
      'the .d.ts/.d.cts files must only import packages the consumer has (dependencies or peerDependencies): check "types" conditions in "exports" and tsup dts output',
    )
  }
  // 5. Runtime: ESM import and CJS require of the packed package (main entry).
  const esmRun = run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const m = await import('tokenkeeper'); const tm = new m.TokenManager({ baseUrl: 'https://app.example' }); tm.destroy(); console.log(Object.keys(m).length + ' exports')",
    ],
    { cwd: work },
  )
  record(
    'packed package imports as ESM in Node',
    esmRun.status === 0,
    `${esmRun.stdout}${esmRun.stderr}`.trim().split('\n').slice(-4).join('\n'),
    'dist/index.js must only import "dependencies"; anything else must be bundled (noExternal in tsup.config.ts) or declared',
  )
  const cjsRun = run(
    process.execPath,
    [
      '-e',
      "const m = require('tokenkeeper'); const tm = new m.TokenManager({ baseUrl: 'https://app.example' }); tm.destroy(); console.log(Object.keys(m).length + ' exports')",
    ],
    { cwd: work },
  )
  record(
    'packed package requires as CJS in Node',
    cjsRun.status === 0,
    `${cjsRun.stdout}${cjsRun.stderr}`.trim().split('\n').slice(-4).join('\n'),
    'dist/index.cjs must only require "dependencies"; anything else must be bundled (noExternal in tsup.config.ts) or declared',
  )
  // 6. The bin (`npx tokenkeeper check`): a node shebang, and it runs from the packed files alone.
  for (const [name, file] of Object.entries(pkg.bin ?? {})) {
    const path = join(installed, file)
    const shebang = existsSync(path) && readFileSync(path, 'utf8').startsWith('#!/usr/bin/env node\n')
    const help = run(process.execPath, [path, 'check', '--help'], { cwd: work })
    const bad = run(process.execPath, [path, 'check', '--base-url', 'not a url', '--username', 'u', '--password', 'p'], { cwd: work })
    record(
      `bin ${name} (${file}): node shebang, --help exits 0, bad input exits 2 with one line`,
      shebang && help.status === 0 && /^Usage: tokenkeeper check/.test(help.stdout) && bad.status === 2 && bad.stderr.trim().split('\n').length === 1,
      `shebang ${shebang ? 'ok' : 'missing'}; --help exit ${help.status}; bad input exit ${bad.status}: ${bad.stderr.trim().split('\n')[0] ?? ''}`,
      'tsup.config.ts builds dist/cli.js from src/cli/bin.ts with a "#!/usr/bin/env node" banner; it must bundle everything but Node built-ins',
    )
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}

const failed = results.filter((r) => !r.ok)
console.log(
  failed.length === 0 ? `\npackage check: all ${results.length} checks passed` : `\npackage check: ${failed.length} of ${results.length} checks failed`,
)
if (process.argv.includes('--write')) {
  const { section, writeSection } = await import('../bench/lib/report.mjs')
  const body = results
    .map(
      (r) => `- ${r.ok ? '✅' : '❌'} ${r.name}${r.detail && !r.ok ? `: ${r.detail.split('\n').join('; ')}` : ''}${!r.ok && r.fix ? ` (fix: ${r.fix})` : ''}`,
    )
    .join('\n')
  writeSection(
    'package',
    section({
      title: '7. Package quality',
      command: 'node scripts/package-check.mjs',
      body: `${body}\n\n${failed.length === 0 ? `All ${results.length} checks pass.` : `${failed.length} of ${results.length} checks fail.`}`,
    }),
  )
}
process.exit(failed.length === 0 ? 0 : 1)

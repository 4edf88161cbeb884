#!/usr/bin/env node
// Type-checks every ```ts and ```tsx block of README.md against the BUILT package (dist/*.d.ts,
// resolved through package.json "exports" as an app resolves `tokenkeeper`), so a snippet
// cannot rot. Needs dist/ (npm run build). Exits 1 naming the block and the error.
//
// - Each block is one module; the blocks of one `##` section form one project (a folder). A
//   block whose first line is a file-name comment (`// auth.ts`) is written under that name,
//   so later blocks of its section can `import { tm } from './auth'`.
// - The app's own functions a snippet calls (showLoginModal, App, ...) are declared once in
//   scripts/readme-snippets.d.ts, with the types an app would give them.
// - A block that is deliberately not a whole module (a shape, an excerpt) is preceded by the
//   line `<!-- snippet: partial -->`; it is skipped and counted.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync, copyFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const README = join(ROOT, 'README.md')
const MARKER = '<!-- snippet: partial -->'

/** The README's ts/tsx blocks: `{ lang, code, line, partial, file }`. */
export function extractSnippets(markdown) {
  const lines = markdown.split('\n')
  const blocks = []
  let section = 'top'
  for (let i = 0; i < lines.length; i++) {
    const heading = /^## (.+)$/.exec(lines[i])
    if (heading)
      section = heading[1]
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
    const open = /^```(ts|tsx|typescript)\s*$/.exec(lines[i])
    if (!open) continue
    let previous = i - 1
    while (previous >= 0 && lines[previous].trim() === '') previous--
    const partial = previous >= 0 && lines[previous].trim() === MARKER
    const start = i + 1
    let end = start
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++
    const code = lines.slice(start, end).join('\n')
    const named = /^\/\/\s*([\w./-]+\.tsx?)\b/.exec(lines[start] ?? '')
    blocks.push({ lang: open[1] === 'tsx' ? 'tsx' : 'ts', code, line: start + 1, partial, file: named?.[1], section })
    i = end
  }
  return blocks
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]
if (isMain) {
  if (!existsSync(join(ROOT, 'dist', 'index.d.ts'))) {
    console.error('dist/ is missing: run `npm run build` first (the snippets are checked against the built types)')
    process.exit(1)
  }
  const blocks = extractSnippets(readFileSync(README, 'utf8'))
  const work = mkdtempSync(join(tmpdir(), 'tokenkeeper-readme-'))
  try {
    // `tokenkeeper` resolves to this package through its package.json exports (dist/*.d.ts);
    // react, vue and friends from this repository's node_modules.
    mkdirSync(join(work, 'node_modules'))
    symlinkSync(ROOT, join(work, 'node_modules', 'tokenkeeper'), 'dir')
    // msw, vitest and playwright-core for the "Testing your app" snippets.
    for (const dep of [
      'react',
      'react-dom',
      '@types',
      'vue',
      '@vue',
      'ky',
      'mitt',
      'csstype',
      'msw',
      'vitest',
      '@vitest',
      'playwright-core',
      'axios',
      'svelte',
      '@angular',
      'rxjs',
      'tslib',
    ]) {
      if (existsSync(join(ROOT, 'node_modules', dep))) symlinkSync(join(ROOT, 'node_modules', dep), join(work, 'node_modules', dep), 'dir')
    }
    copyFileSync(join(ROOT, 'scripts', 'readme-snippets.d.ts'), join(work, 'app-globals.d.ts'))
    const files = []
    const where = new Map()
    let n = 0
    for (const block of blocks) {
      if (block.partial) continue
      const name = `${block.section}/${block.file ?? `snippet-${++n}.${block.lang}`}`
      if (files.includes(name)) throw new Error(`README.md:${block.line}: two blocks of one section are named ${name}`)
      mkdirSync(join(work, block.section), { recursive: true })
      // `export {}` keeps a block without imports a module (its own scope).
      writeFileSync(join(work, name), `${block.code}\nexport {}\n`)
      files.push(name)
      where.set(name, block.line)
    }
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'readme-snippets', private: true, type: 'module' }))
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          target: 'es2022',
          module: 'esnext',
          moduleResolution: 'bundler',
          lib: ['es2022', 'dom', 'dom.iterable'],
          jsx: 'react-jsx',
          types: [],
          noUnusedLocals: false,
        },
        files: ['app-globals.d.ts', ...files],
      }),
    )
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
    const out = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: work, encoding: 'utf8' })
    const text = `${out.stdout}${out.stderr}`.trim()
    const skipped = blocks.filter((b) => b.partial).length
    if (out.status !== 0) {
      // Point each error at the README line: `snippet-3.tsx(4,10)` -> README.md:<block line + 3>.
      const mapped = text.replace(/^([\w./-]+\.tsx?)\((\d+),(\d+)\)/gm, (match, file, row, col) =>
        where.has(file) ? `README.md:${where.get(file) + Number(row) - 1}:${col} (${file})` : match,
      )
      console.error(mapped)
      console.error(`\nREADME snippets: type errors in the blocks above (${files.length} checked, ${skipped} marked partial)`)
      process.exit(1)
    }
    console.log(`README snippets: ${files.length} ts/tsx blocks type-check against dist/ (${skipped} marked partial: ${MARKER})`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

#!/usr/bin/env node
// Runs the benchmarks, prints their tables and rewrites their sections of BENCHMARKS.md.
//
//   node bench/run.mjs                     everything (about 4 minutes on 2 cores)
//   node bench/run.mjs --only storm,idle   some of them (storm, storm-oauth2, crosstab,
//                                          crosstab-oauth2, crosstab-browser, overhead, idle,
//                                          size, memory)
//   node bench/run.mjs --quick             fewer repetitions: checks the harness, not figures
//   node bench/run.mjs --no-write          print only
//
// Benchmarks report; they never fail on a figure (exit code 1 only if one crashes). The size
// budget is enforced by `npm run size` (scripts/size.mjs), not here.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildBench } from './build.mjs'
import { ROOT, section, writeSection } from './lib/report.mjs'

const arg = (name) => {
  const i = process.argv.indexOf(name)
  return i === -1 ? null : (process.argv[i + 1] ?? '')
}
const quick = process.argv.includes('--quick')
const write = !process.argv.includes('--no-write')
const ALL = ['storm', 'storm-oauth2', 'crosstab', 'crosstab-oauth2', 'crosstab-browser', 'overhead', 'idle', 'size', 'memory']
const only =
  arg('--only')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean) ?? ALL
for (const name of only) if (!ALL.includes(name)) throw new Error(`unknown benchmark ${name}; one of ${ALL.join(', ')}`)
const selected = ALL.filter((name) => only.includes(name))

const BENCHES = {
  storm: { file: 'bench/.build/storm.mjs' },
  'storm-oauth2': { file: 'bench/.build/storm-oauth2.mjs' },
  crosstab: { file: 'bench/.build/crosstab.mjs' },
  'crosstab-oauth2': { file: 'bench/.build/crosstab-oauth2.mjs' },
  'crosstab-browser': { file: 'bench/crosstab-browser.mjs', before: () => runNode(['demo/build.mjs']) },
  overhead: { file: 'bench/.build/overhead.mjs' },
  idle: { file: 'bench/.build/idle.mjs' },
  memory: { file: 'bench/.build/memory.mjs', flags: ['--expose-gc'] },
}

function runNode(args, { flags = [], env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, ...args], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } })
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`node ${args.join(' ')} exited with ${code}`))))
  })
}

// The command as typed, so that a section made by a partial run says so.
const flags = [...(only === ALL ? [] : ['--only', only.join(',')]), ...(quick ? ['--quick'] : [])]
const command = `npm run bench${flags.length ? ` -- ${flags.join(' ')}` : ''}`
const started = performance.now()
const tmp = mkdtempSync(join(tmpdir(), 'tokenkeeper-bench-'))
const goals = []
let crashed = 0
try {
  await buildBench()
  for (const name of selected) {
    const t0 = performance.now()
    console.error(`\n▶ ${name}`)
    try {
      let result
      if (name === 'size') {
        if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
          console.error('size: skipped, dist/ is missing (npm run build)')
          continue
        }
        const { measureAll, render } = await import('../scripts/size.mjs')
        const { body, ok } = render(await measureAll())
        result = {
          id: 'size',
          title: '5. Bundle size',
          body,
          goals: [
            { name: 'size: own code ≤ 5 kB min+gzip', met: ok.own, value: body.match(/own code ([\d.]+ kB)/)?.[1] ?? '?' },
            { name: 'size: whole import ≤ 16 kB min+gzip', met: ok.whole, value: body.match(/whole import ([\d.]+ kB)/)?.[1] ?? '?' },
          ],
          seconds: (performance.now() - t0) / 1000,
        }
      } else {
        const bench = BENCHES[name]
        await bench.before?.()
        const out = join(tmp, `${name}.json`)
        await runNode([bench.file, '--out', out], { flags: bench.flags, env: quick ? { BENCH_QUICK: '1' } : {} })
        result = JSON.parse(readFileSync(out, 'utf8'))
      }
      const markdown = section({ title: result.title, command: name === 'size' ? 'npm run size' : command, body: result.body, seconds: result.seconds })
      console.log(`\n${markdown}`)
      if (write) writeSection(result.id, markdown)
      goals.push(...result.goals)
    } catch (error) {
      crashed++
      console.error(`✖ ${name} failed: ${error.stack ?? error}`)
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}

const seconds = (performance.now() - started) / 1000
const summary = [
  `Goals from the last full run (\`${command}\`, ${seconds.toFixed(0)} s):`,
  '',
  ...goals.map((g) => `- ${g.met ? '✅' : '❌'} ${g.name}: ${g.value}`),
].join('\n')
console.log(`\n${summary}`)
if (write && selected.length === ALL.length && crashed === 0 && !quick) writeSection('summary', summary)
console.error(`\nbench: ${selected.length} benchmark(s) in ${seconds.toFixed(0)} s${crashed ? `, ${crashed} crashed` : ''}`)
process.exit(crashed ? 1 : 0)

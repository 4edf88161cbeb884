#!/usr/bin/env node
// Soak the model-based test: many random command sequences, split across worker processes.
//
//   npm run soak                          # 10 000 sequences, one worker per core (at most 4)
//   npm run soak -- --runs 2000 --workers 1 --seed 42
//   npm run soak -- --locks off              # every sequence without Web Locks (the channel mutex); `on`: with
//
// Each worker runs test/reliability/model.test.ts with SOAK_RUNS and its own seed, and writes a
// JSON report; this script adds them up, prints the count and every violation with the one
// command that replays it, and exits 1 if there was any.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(args[i + 1])
}
const runs = option('runs', Number(process.env.SOAK_RUNS ?? 10_000))
const workers = Math.max(1, Math.min(option('workers', Math.min(4, availableParallelism())), runs))
const baseSeed = option('seed', (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0)
const locksAt = args.indexOf('--locks')
const locks = locksAt === -1 ? null : args[locksAt + 1]
if (locks !== null && locks !== 'on' && locks !== 'off') throw new Error('--locks takes on or off')

const dir = mkdtempSync(join(tmpdir(), 'tokenkeeper-soak-'))
const started = Date.now()
console.log(`soak: ${runs} sequences on ${workers} worker(s), base seed ${baseSeed}${locks ? `, Web Locks ${locks}` : ''}`)

function worker(index) {
  const share = Math.floor(runs / workers) + (index < runs % workers ? 1 : 0)
  const seed = (baseSeed ^ Math.imul(index, 0x85ebca6b)) | 0
  const reportFile = join(dir, `worker-${index}.json`)
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/reliability/model.test.ts'], {
      cwd: root,
      env: {
        ...process.env,
        SOAK_RUNS: String(share),
        SOAK_SEED: String(seed),
        SOAK_REPORT: reportFile,
        FORCE_COLOR: '0',
        ...(locks && { MODEL_LOCKS: locks }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('close', (code) => {
      let report = null
      try {
        report = JSON.parse(readFileSync(reportFile, 'utf8'))
      } catch {
        // No report: the worker crashed before the end; show its output.
      }
      done({ index, seed, share, code, report, output })
    })
  })
}

const results = await Promise.all(Array.from({ length: workers }, (_, i) => worker(i)))
rmSync(dir, { recursive: true, force: true })

let total = 0
const violations = []
const known = {}
let crashed = false
for (const r of results) {
  if (!r.report) {
    crashed = true
    console.error(`worker ${r.index} (seed ${r.seed}) produced no report (exit ${r.code}):\n${r.output.slice(-4000)}`)
    continue
  }
  total += r.report.runs
  violations.push(...r.report.violations)
  for (const [issue, count] of Object.entries(r.report.known)) known[issue] = (known[issue] ?? 0) + count
}

const seconds = Math.round((Date.now() - started) / 1000)
console.log(`\nsoak: ${total} sequences in ${seconds} s, ${violations.length} violating sequence(s)`)
for (const [issue, count] of Object.entries(known)) console.log(`known open issue seen in ${count} sequence(s): ${issue}`)
for (const v of violations) {
  console.log(`\n--- seed ${v.seed} path ${v.path}\nreplay: ${v.replay}\n${v.message}\nsequence: ${JSON.stringify(v.counterexample)}`)
}
process.exit(violations.length > 0 || crashed ? 1 : 0)

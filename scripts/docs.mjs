#!/usr/bin/env node
// `npm run docs`: the API reference (typedoc.json) into docs/api/, failing on any TypeDoc warning
// (an undocumented public member, a referenced type left out, a broken {@link}), so the
// reference stays complete: every public option, method, event and error is documented.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const typedocPackage = createRequire(import.meta.url).resolve('typedoc/package.json')
const typedoc = join(dirname(typedocPackage), 'bin', 'typedoc')
const run = spawnSync(process.execPath, [typedoc, ...process.argv.slice(2)], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } })
const output = `${run.stdout}${run.stderr}`
process.stdout.write(output)

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n')
const warnings = lines.filter((line) => line.startsWith('[warning]') && !/^\[warning\] Found \d+ errors? and \d+ warnings?/.test(line))

if (run.status !== 0) process.exit(run.status ?? 1)
if (warnings.length > 0) {
  console.error(`\ndocs: ${warnings.length} warning(s): document them (see typedoc.json's validation)`)
  for (const line of warnings) console.error(`  ${line}`)
  process.exit(1)
}
console.log('docs: no warnings')

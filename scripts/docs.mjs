#!/usr/bin/env node
// `npm run docs`: the API reference (typedoc.json) into docs/api/, failing on any TypeDoc warning
// (an undocumented public member, a referenced type left out, a broken {@link}), so the
// reference stays complete. Warnings from the files in NOT_YET_DOCUMENTED are listed, not fatal.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * Sources whose public members are not all documented yet: the test kit (tokenkeeper/testing,
 * tokenkeeper/testing/node), which is being extended as this is written. Empty this list once its
 * warnings are gone, and then nothing is excused.
 */
export const NOT_YET_DOCUMENTED = ['src/testing/']

const typedocPackage = createRequire(import.meta.url).resolve('typedoc/package.json')
const typedoc = join(dirname(typedocPackage), 'bin', 'typedoc')
const run = spawnSync(process.execPath, [typedoc, ...process.argv.slice(2)], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } })
const output = `${run.stdout}${run.stderr}`
process.stdout.write(output)

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n')
const warnings = lines.filter((line) => line.startsWith('[warning]') && !/^\[warning\] Found \d+ errors? and \d+ warnings?/.test(line))
const excused = warnings.filter((line) => NOT_YET_DOCUMENTED.some((path) => line.includes(path)))
const fatal = warnings.filter((line) => !excused.includes(line))

if (excused.length > 0) console.log(`\ndocs: ${excused.length} warning(s) in ${NOT_YET_DOCUMENTED.join(', ')} (not yet documented; excused for now)`)
if (run.status !== 0) process.exit(run.status ?? 1)
if (fatal.length > 0) {
  console.error(
    `\ndocs: ${fatal.length} warning(s) outside ${NOT_YET_DOCUMENTED.join(', ') || 'the excused files'}: document them (see typedoc.json's validation)`,
  )
  for (const line of fatal) console.error(`  ${line}`)
  process.exit(1)
}
console.log('docs: no warnings outside the excused files')

// Shared by bench/run.mjs and scripts/size.mjs: the machine line, markdown tables, and
// BENCHMARKS.md sections between <!-- BEGIN id --> / <!-- END id --> markers.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BENCHMARKS_MD = `${ROOT}BENCHMARKS.md`

export function machineLine() {
  const cpus = os.cpus()
  const model = cpus[0]?.model?.trim() || 'unknown CPU'
  const load = os.loadavg()[0].toFixed(1)
  return `Node ${process.version} · ${os.platform()} ${os.arch()} · ${cpus.length} CPU${cpus.length === 1 ? '' : 's'} (${model}) · ${Math.round(os.totalmem() / 2 ** 30)} GB RAM · load average ${load}`
}

export function today() {
  return new Date().toISOString().slice(0, 10)
}

export function table(columns, rows, align) {
  const line = (cells) => `| ${cells.map((c) => String(c)).join(' | ')} |`
  const sep = columns.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : '---'))
  return [line(columns), `|${sep.join('|')}|`, ...rows.map(line)].join('\n')
}

/** `### title` + command/machine/date header + body. */
export function section({ title, command, body, date = today(), seconds }) {
  const took = seconds === undefined ? '' : ` · took ${seconds.toFixed(0)} s`
  return `### ${title}\n\n\`${command}\` · ${machineLine()} · ${date}${took}\n\n${body.trim()}\n`
}

/** Replaces (or appends) the section `id` in BENCHMARKS.md. */
export function writeSection(id, markdown, file = BENCHMARKS_MD) {
  const begin = `<!-- BEGIN ${id} -->`
  const end = `<!-- END ${id} -->`
  const block = `${begin}\n${markdown.trim()}\n${end}`
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n'
  const from = text.indexOf(begin)
  const to = text.indexOf(end)
  if (from !== -1 && to > from) text = text.slice(0, from) + block + text.slice(to + end.length)
  else text = `${text.trimEnd()}\n\n${block}\n`
  writeFileSync(file, text)
}

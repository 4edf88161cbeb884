import type { Summary } from './stats'

/** Markdown helpers shared by the benchmarks (the same text goes to the console and BENCHMARKS.md). */

export type Cell = string | number

export function table(columns: readonly string[], rows: readonly (readonly Cell[])[], align?: readonly ('l' | 'r')[]): string {
  const line = (cells: readonly Cell[]) => `| ${cells.map((c) => String(c)).join(' | ')} |`
  const sep = columns.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : '---'))
  return [line(columns), `|${sep.join('|')}|`, ...rows.map(line)].join('\n')
}

/** Fixed decimals, keeping integers integral. */
export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '—'
  if (Number.isInteger(value) && Math.abs(value) >= 1) return value.toLocaleString('en-US')
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** Always `digits` decimals (ratios: 1.00, not 1). */
export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—'
}

/** `median (min–max)`. */
export function mmm(s: Summary, digits = 1, unit = ''): string {
  if (s.min === s.max) return `${fmt(s.median, digits)}${unit}`
  return `${fmt(s.median, digits)}${unit} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`
}

export function goal(met: boolean): string {
  return met ? '✅' : '❌'
}

/** What a bench script hands to bench/run.mjs (JSON on the file named by `--out`). */
export interface BenchResult {
  id: string
  title: string
  /** Markdown body (tables, goals, notes); run.mjs adds the command/machine/date header. */
  body: string
  /** Goals with their outcome, for the summary at the end of the run. */
  goals: { name: string; met: boolean; value: string }[]
  seconds: number
}

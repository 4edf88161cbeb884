import type { CheckResult, CheckStatus } from './result'

export interface Report {
  baseUrl: string
  backend: string
  results: CheckResult[]
  summary: Record<CheckStatus, number>
  /** 0 every check passed, warned or was skipped; 1 one failed. */
  exitCode: 0 | 1
}

export function buildReport(baseUrl: string, backend: string, results: CheckResult[]): Report {
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 }
  for (const r of results) summary[r.status]++
  return { baseUrl, backend, results, summary, exitCode: summary.fail > 0 ? 1 : 0 }
}

const MARK: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' }

/** The report as a plain-text table: status, check, evidence. */
export function renderTable(report: Report): string {
  type Row = [mark: string, title: string, evidence: string]
  const rows: Row[] = report.results.map((r) => [MARK[r.status], r.title, r.evidence])
  const header: Row = ['', 'check', 'evidence']
  const w0 = Math.max(4, ...rows.map(([mark]) => mark.length))
  const w1 = Math.max(header[1].length, ...rows.map(([, title]) => title.length))
  const line = ([mark, title, evidence]: Row) => `${mark.padEnd(w0)}  ${title.padEnd(w1)}  ${evidence}`.trimEnd()
  const { pass, warn, fail, skip } = report.summary
  return [
    `tokenkeeper check: ${report.baseUrl} (${report.backend} contract)`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `${pass} pass, ${warn} warn, ${fail} fail, ${skip} skipped: ${fail > 0 ? 'the backend breaks the contract (exit 1)' : 'the backend keeps the contract'}`,
    '',
  ].join('\n')
}

export const renderJson = (report: Report): string => `${JSON.stringify(report, null, 2)}\n`

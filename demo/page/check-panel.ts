import { $, el, setText } from './dom'

/** One line of `tokenkeeper check --json` (src/cli/result.ts). */
interface CheckLine {
  id: string
  group: string
  title: string
  status: 'pass' | 'warn' | 'fail' | 'skip'
  evidence: string
}

interface CheckReport {
  results: CheckLine[]
  summary: Record<CheckLine['status'], number>
}

/**
 * "Check this backend": the conformance check (`npx tokenkeeper check`) run by the demo server
 * against itself (`GET /__check`), shown as the same pass / warn / fail table the CLI prints.
 */
export function initCheckPanel(): void {
  const button = $<HTMLButtonElement>('check-run')
  const message = $('check-message')
  const table = $<HTMLTableElement>('check-table')
  const body = $('check-body')

  button.addEventListener('click', () => void run())

  async function run(): Promise<void> {
    button.disabled = true
    setText(message, 'Checking… (signs in as carol, rotates, logs out: about 5 s)')
    try {
      const response = await fetch('/__check', { cache: 'no-store' })
      const payload = (await response.json()) as CheckReport | { error: string }
      if (!response.ok || 'error' in payload) {
        table.hidden = true
        setText(message, `The check could not run: ${'error' in payload ? payload.error : response.status}`)
        return
      }
      const { summary } = payload
      setText(message, `${summary.pass} pass, ${summary.warn} warn, ${summary.fail} fail, ${summary.skip} skipped`)
      body.replaceChildren(
        ...payload.results.map((line) =>
          el(
            'tr',
            { className: `check-${line.status}`, attrs: { 'data-check': line.id } },
            el('td', { attrs: { 'data-label': 'Result' } }, el('span', { className: `badge check-badge ${line.status}`, text: line.status.toUpperCase() })),
            el('td', { text: line.title, attrs: { 'data-label': 'Check' } }),
            el('td', { text: line.evidence, className: 'muted small', attrs: { 'data-label': 'Evidence' } }),
          ),
        ),
      )
      table.hidden = false
    } catch (error) {
      table.hidden = true
      setText(message, `The check could not run: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      button.disabled = false
    }
  }
}

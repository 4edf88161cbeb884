import { main } from '../../src/cli/main'

/** Runs `tokenkeeper check ...` in-process and collects what it prints. */
export async function runCheck(args: readonly string[], io: { env?: Record<string, string>; now?: () => number; sleep?: (ms: number) => Promise<void> } = {}) {
  let stdout = ''
  let stderr = ''
  const code = await main(['check', ...args], {
    env: io.env ?? {},
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    ...(io.now && { now: io.now }),
    // Unit tests never sleep for real: a check that waits must be given a fake clock.
    sleep: io.sleep ?? (async () => Promise.reject(new Error('unexpected sleep'))),
  })
  return { code, stdout, stderr }
}

export interface JsonReport {
  summary: Record<'pass' | 'warn' | 'fail' | 'skip', number>
  exitCode: number
  results: { id: string; status: string; evidence: string; title: string }[]
}

export const statuses = (report: JsonReport) => Object.fromEntries(report.results.map((r) => [r.id, r.status]))

/** Token-shaped text: a JWT, or a long base64url run (the mock's refresh tokens are 43 characters). */
export const TOKEN_TEXT = /eyJ[\w-]+\.[\w-]+\.[\w-]+|[A-Za-z0-9_-]{32,}/

import { parseCheckArgs, USAGE } from './args'
import { CHECKS } from './checks/index'
import { DEFAULT_CONTRACT } from './contract'
import { HttpClient } from './http-client'
import { CheckInputError } from './input-error'
import { buildReport, renderJson, renderTable } from './report'
import { type CheckContext, type CheckResult, result } from './result'
import { BackendSession } from './session'

/** Where the CLI writes and what it reads; injectable so tests run it in-process. */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>
  stdout(text: string): void
  stderr(text: string): void
  /** @default Date.now */
  now?: () => number
  /** @default a real timer */
  sleep?: (ms: number) => Promise<void>
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * `tokenkeeper <command> ...`; resolves to the exit code: 0 all checks passed or warned, 1 a
 * check failed, 2 the check could not run (one line on stderr, never a stack trace).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    ;(command === undefined ? io.stderr : io.stdout)(`${USAGE}\n`)
    return command === undefined ? 2 : 0
  }
  if (command !== 'check') {
    io.stderr(`tokenkeeper: unknown command ${JSON.stringify(command)}; try \`tokenkeeper check --help\`\n`)
    return 2
  }
  try {
    return await check(rest, io)
  } catch (error) {
    const reason = error instanceof CheckInputError ? error.message : `internal error (${error instanceof Error ? error.name : typeof error})`
    io.stderr(`tokenkeeper check: ${reason}\n`)
    return 2
  }
}

async function check(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCheckArgs(argv, io.env)
  if (parsed.help) {
    io.stdout(`${USAGE}\n`)
    return 0
  }
  const { options } = parsed
  const now = io.now ?? Date.now
  const client = new HttpClient(options.baseUrl, options.timeout, now)
  const contract = DEFAULT_CONTRACT
  const credentials = { username: options.username, password: options.password }
  const signIn = () => BackendSession.signIn(client, contract, credentials)
  // The first sign-in decides whether the check can run at all (exit 2 otherwise).
  const first = await signIn()
  const ctx: CheckContext = { options, client, contract, first, signIn, sleep: io.sleep ?? realSleep, now }
  const results: CheckResult[] = []
  for (const c of CHECKS) {
    try {
      results.push(...(await c.run(ctx)))
    } catch (error) {
      // A check that cannot finish (the backend went away, refused a later sign-in) is a failure.
      const reason = error instanceof CheckInputError ? error.message : `internal error (${error instanceof Error ? error.name : typeof error})`
      results.push(result(c.group, `${c.group}.error`, `${c.group} checks`, 'fail', `could not finish: ${reason}`))
    }
  }
  // Origin and path only: user info or a query in --base-url may hold secrets.
  const report = buildReport(`${options.baseUrl.origin}${options.baseUrl.pathname}`, options.backend, results)
  io.stdout(options.json ? renderJson(report) : renderTable(report))
  return report.exitCode
}

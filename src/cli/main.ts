import { parseCheckArgs, USAGE } from './args'
import { CHECKS } from './checks/index'
import { DEFAULT_CONTRACT, simplejwtContract } from './contract'
import { HttpClient } from './http-client'
import { CheckInputError } from './input-error'
import { buildReport, renderJson, renderTable } from './report'
import { runOAuth2Checks } from './oauth2/run'
import { type Check, type CheckContext, type CheckResult, result } from './result'
import { BackendSession } from './session'
import { SIMPLEJWT_CHECKS } from './simplejwt/checks'
import { SimpleJwtSession } from './simplejwt/session'

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

async function runChecks<S>(checks: readonly Check<S>[], ctx: CheckContext<S>): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  for (const c of checks) {
    try {
      results.push(...(await c.run(ctx)))
    } catch (error) {
      // A check that cannot finish (the backend went away, refused a later sign-in) is a failure.
      results.push(unfinished(c.group, error))
    }
  }
  return results
}

/** The row of a check group that could not finish. */
export function unfinished(group: string, error: unknown): CheckResult {
  const reason = error instanceof CheckInputError ? error.message : `internal error (${error instanceof Error ? error.name : typeof error})`
  return result(group, `${group}.error`, `${group} checks`, 'fail', `could not finish: ${reason}`)
}

async function check(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCheckArgs(argv, io.env)
  if (parsed.help) {
    io.stdout(`${USAGE}\n`)
    return 0
  }
  const { options } = parsed
  const now = io.now ?? Date.now
  const sleep = io.sleep ?? realSleep
  const client = new HttpClient(options.baseUrl, options.timeout, now)
  const credentials = { username: options.username, password: options.password }
  let results: CheckResult[]
  if (options.backend === 'oauth2') {
    results = await runOAuth2Checks({ options, now, sleep })
  } else if (options.backend === 'simplejwt') {
    const signIn = () => SimpleJwtSession.signIn(client, options.prefix, credentials)
    // The first sign-in decides whether the check can run at all (exit 2 otherwise).
    const first = await signIn()
    results = await runChecks(SIMPLEJWT_CHECKS, { options, client, contract: simplejwtContract(options.prefix), first, signIn, sleep, now })
  } else {
    const contract = DEFAULT_CONTRACT
    const signIn = () => BackendSession.signIn(client, contract, credentials)
    const first = await signIn()
    results = await runChecks(CHECKS, { options, client, contract, first, signIn, sleep, now })
  }
  // Origin and path only: user info or a query in --base-url may hold secrets.
  const report = buildReport(`${options.baseUrl.origin}${options.baseUrl.pathname}`, options.backend, results)
  io.stdout(options.json ? renderJson(report) : renderTable(report))
  return report.exitCode
}

import { parseArgs } from 'node:util'
import { CheckInputError } from './input-error'

/** What `tokenkeeper check` was asked to do. */
export interface CheckOptions {
  baseUrl: URL
  username: string
  password: string
  backend: BackendPreset
  /** The app's origin, for the CORS check of a cross-origin base URL. @default the base URL's origin */
  appOrigin: string
  /** An origin that must be refused (CSRF Origin check, CORS). @default 'https://evil.example' */
  foreignOrigin: string
  json: boolean
  /** Opt-in: up to 30 wrong-password logins, which may lock the account for a while. @default false */
  checkRateLimit: boolean
  /** Longest reuse grace window measured before the previous refresh token counts as never refused, in seconds. @default 10 */
  maxGrace: number
  /** Per request, in milliseconds. @default 10000 */
  timeout: number
}

export const BACKEND_PRESETS = ['default', 'simplejwt', 'oauth2'] as const
export type BackendPreset = (typeof BACKEND_PRESETS)[number]

export const USAGE = `Usage: tokenkeeper check --base-url URL --username U --password P [options]

Checks that a backend keeps the contract tokenkeeper relies on (cookie flags, rotation and
reuse detection, CSRF, expiry hints, logout, CORS, rate limiting) and prints pass / warn / fail.

Options:
  --base-url URL          where the auth endpoints live (required)
  --username U            a test account (or TOKENKEEPER_USERNAME)
  --password P            its password (or TOKENKEEPER_PASSWORD)
  --backend NAME          default | simplejwt | oauth2 (only default is supported yet)
  --app-origin ORIGIN     the app's origin, for the CORS check (default: the base URL's origin)
  --foreign-origin ORIGIN an origin that must be refused (default: https://evil.example)
  --check-rate-limit      also send up to 30 wrong passwords (may lock the account)
  --max-grace SECONDS     longest reuse grace window to measure (default: 10)
  --timeout MS            per request (default: 10000)
  --json                  print the report as JSON
  -h, --help              this text

Exit codes: 0 every check passed or warned, 1 a check failed, 2 the check could not run.`

export type ParsedArgs = { help: true } | { help: false; options: CheckOptions }

function origin(value: string, flag: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new CheckInputError('BAD_ARGUMENTS', `${flag} is not a URL: ${JSON.stringify(value)}`)
  }
  if (url.origin === 'null') throw new CheckInputError('BAD_ARGUMENTS', `${flag} has no origin: ${JSON.stringify(value)}`)
  return url.origin
}

function positive(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) throw new CheckInputError('BAD_ARGUMENTS', `${flag} must be a non-negative number, not ${JSON.stringify(value)}`)
  return n
}

/** `argv` without the `check` command word; `env` for the credentials. Throws `CheckInputError`. */
export function parseCheckArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedArgs {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (error) {
    // node:util's messages name the option and never echo a value of another one.
    const message = error instanceof Error ? error.message.split('\n')[0] : 'bad arguments'
    throw new CheckInputError('BAD_ARGUMENTS', `${message} (see --help)`)
  }
  if (values.help) return { help: true }
  const backend = values.backend ?? 'default'
  if (!(BACKEND_PRESETS as readonly string[]).includes(backend)) {
    throw new CheckInputError('BAD_ARGUMENTS', `--backend must be one of ${BACKEND_PRESETS.join(', ')}, not ${JSON.stringify(backend)}`)
  }
  if (backend !== 'default') {
    throw new CheckInputError('UNSUPPORTED_BACKEND', `--backend ${backend} is not supported yet: only the default contract (README "Backend contract") can be checked`)
  }
  if (values['base-url'] === undefined) throw new CheckInputError('BAD_ARGUMENTS', '--base-url is required (see --help)')
  let baseUrl: URL
  try {
    baseUrl = new URL(values['base-url'])
  } catch {
    throw new CheckInputError('BAD_ARGUMENTS', '--base-url is not a URL')
  }
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') {
    throw new CheckInputError('BAD_ARGUMENTS', `--base-url must be http or https, not ${baseUrl.protocol}`)
  }
  if (baseUrl.username || baseUrl.password) {
    throw new CheckInputError('BAD_ARGUMENTS', '--base-url must not carry user info: pass the account as --username/--password (or TOKENKEEPER_USERNAME/TOKENKEEPER_PASSWORD)')
  }
  const username = values.username ?? env.TOKENKEEPER_USERNAME
  const password = values.password ?? env.TOKENKEEPER_PASSWORD
  if (!username) throw new CheckInputError('BAD_ARGUMENTS', 'a username is required: --username or TOKENKEEPER_USERNAME')
  if (!password) throw new CheckInputError('BAD_ARGUMENTS', 'a password is required: --password or TOKENKEEPER_PASSWORD')
  const appOrigin = origin(values['app-origin'] ?? baseUrl.origin, '--app-origin')
  const foreignOrigin = origin(values['foreign-origin'] ?? 'https://evil.example', '--foreign-origin')
  if (foreignOrigin === appOrigin || foreignOrigin === baseUrl.origin) {
    throw new CheckInputError('BAD_ARGUMENTS', '--foreign-origin must differ from the app and base URL origins')
  }
  return {
    help: false,
    options: {
      baseUrl,
      username,
      password,
      backend,
      appOrigin,
      foreignOrigin,
      json: values.json ?? false,
      checkRateLimit: values['check-rate-limit'] ?? false,
      maxGrace: positive(values['max-grace'], '--max-grace', 10),
      timeout: positive(values.timeout, '--timeout', 10_000) || 10_000,
    },
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      'base-url': { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      backend: { type: 'string' },
      'app-origin': { type: 'string' },
      'foreign-origin': { type: 'string' },
      'check-rate-limit': { type: 'boolean' },
      'max-grace': { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

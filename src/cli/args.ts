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
  /** simplejwt: where `TokenObtainPairView` is routed. @default '/api/token' */
  prefix: string
  /** oauth2: refresh tokens from sign-ins done elsewhere (the check cannot sign in by itself). Never printed. @default [] */
  refreshTokens: string[]
  /** oauth2: the issuer whose metadata is checked. */
  issuer: URL | undefined
  /** oauth2: the public client's id. @default '' */
  clientId: string
}

export const BACKEND_PRESETS = ['default', 'simplejwt', 'oauth2'] as const
export type BackendPreset = (typeof BACKEND_PRESETS)[number]

export const USAGE = `Usage: tokenkeeper check --base-url URL --username U --password P [options]
       tokenkeeper check --backend simplejwt --base-url URL --username U --password P [--prefix /api/token]
       tokenkeeper check --backend oauth2 --issuer URL --client-id ID --refresh-token T [--refresh-token T2]

Checks that a backend keeps the contract tokenkeeper relies on (cookie flags, rotation and
reuse detection, CSRF, expiry hints, logout, CORS, rate limiting) and prints pass / warn / fail.

Options:
  --base-url URL          where the auth endpoints live (required)
  --username U            a test account (or TOKENKEEPER_USERNAME)
  --password P            its password (or TOKENKEEPER_PASSWORD)
  --backend NAME          default | simplejwt | oauth2 (default: default)
  --prefix PATH           simplejwt: where TokenObtainPairView is routed (default: /api/token)
  --issuer URL            oauth2: the issuer (its discovery metadata is checked)
  --client-id ID          oauth2: the public client's id
  --refresh-token T       oauth2: a refresh token from a sign-in (or TOKENKEEPER_REFRESH_TOKEN,
                          space-separated); give two to check both reuse and revocation
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

/** An http(s) URL without user info, or `undefined` when the flag is absent. */
function httpUrl(value: string | undefined, flag: string): URL | undefined {
  if (value === undefined) {
    if (flag === '--issuer') throw new CheckInputError('BAD_ARGUMENTS', '--backend oauth2 needs --issuer (see --help)')
    return undefined
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new CheckInputError('BAD_ARGUMENTS', `${flag} is not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CheckInputError('BAD_ARGUMENTS', `${flag} must be http or https, not ${url.protocol}`)
  }
  if (url.username || url.password) {
    throw new CheckInputError(
      'BAD_ARGUMENTS',
      `${flag} must not carry user info: pass the account as --username/--password (or TOKENKEEPER_USERNAME/TOKENKEEPER_PASSWORD)`,
    )
  }
  return url
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
  const backend = (values.backend ?? 'default') as BackendPreset
  if (!(BACKEND_PRESETS as readonly string[]).includes(backend)) {
    throw new CheckInputError('BAD_ARGUMENTS', `--backend must be one of ${BACKEND_PRESETS.join(', ')}, not ${JSON.stringify(backend)}`)
  }
  const oauth = backend === 'oauth2'
  const issuer = oauth ? httpUrl(values.issuer, '--issuer') : undefined
  if (!oauth && values['base-url'] === undefined) throw new CheckInputError('BAD_ARGUMENTS', '--base-url is required (see --help)')
  const baseUrl = httpUrl(values['base-url'], '--base-url') ?? (issuer as URL)
  const username = values.username ?? env.TOKENKEEPER_USERNAME ?? ''
  const password = values.password ?? env.TOKENKEEPER_PASSWORD ?? ''
  const refreshTokens = values['refresh-token'] ?? (env.TOKENKEEPER_REFRESH_TOKEN ?? '').split(/\s+/).filter(Boolean)
  const clientId = values['client-id'] ?? ''
  if (oauth) {
    if (!clientId) throw new CheckInputError('BAD_ARGUMENTS', '--backend oauth2 needs --client-id')
    if (refreshTokens.length === 0 || refreshTokens.some((t) => t === '')) {
      throw new CheckInputError(
        'BAD_ARGUMENTS',
        '--backend oauth2 cannot sign in by itself (no password grant): pass --refresh-token (or TOKENKEEPER_REFRESH_TOKEN) from a sign-in',
      )
    }
  } else {
    if (!username) throw new CheckInputError('BAD_ARGUMENTS', 'a username is required: --username or TOKENKEEPER_USERNAME')
    if (!password) throw new CheckInputError('BAD_ARGUMENTS', 'a password is required: --password or TOKENKEEPER_PASSWORD')
  }
  const prefix = values.prefix ?? '/api/token'
  if (!prefix.startsWith('/')) throw new CheckInputError('BAD_ARGUMENTS', `--prefix must be a path starting with /, not ${JSON.stringify(prefix)}`)
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
      prefix: prefix.replace(/\/+$/, ''),
      refreshTokens,
      issuer,
      clientId,
    },
  }
}

/** Options that take a value: the word after them is their value even when it starts with a dash. */
const VALUE_OPTIONS = new Set([
  '--base-url',
  '--username',
  '--password',
  '--backend',
  '--app-origin',
  '--foreign-origin',
  '--max-grace',
  '--timeout',
  '--prefix',
  '--issuer',
  '--client-id',
  '--refresh-token',
])
const isOption = (word: string) => VALUE_OPTIONS.has(word.split('=')[0]!) || ['--check-rate-limit', '--json', '--help', '-h'].includes(word)

/**
 * `--refresh-token -Xy…` is a token, not an option: base64url tokens (and passwords) start with
 * `-` about once in 64, and `parseArgs` calls that value "ambiguous". Joined as `--opt=value`.
 */
export function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    const next = argv[i + 1]
    if (VALUE_OPTIONS.has(word) && next !== undefined && next.startsWith('-') && !isOption(next)) {
      out.push(`${word}=${next}`)
      i++
    } else out.push(word)
  }
  return out
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: joinDashValues(argv),
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
      prefix: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'refresh-token': { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

import type { CheckOptions } from './args'
import type { Contract } from './contract'
import type { HttpClient } from './http-client'
import type { BackendSession } from './session'

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip'

/** One line of the report. `evidence` says what was sent and seen, never token text. */
export interface CheckResult {
  id: string
  group: string
  title: string
  status: CheckStatus
  evidence: string
}

/** What every check gets: the options, a client, and fresh sign-ins (each its own "browser"); `S` is the preset's session. */
export interface CheckContext<S = BackendSession> {
  options: CheckOptions
  client: HttpClient
  contract: Contract
  /** The session signed in before the checks ran (its login reply is what the cookie checks read). */
  first: S
  signIn(): Promise<S>
  sleep(ms: number): Promise<void>
  now(): number
}

export interface Check<S = BackendSession> {
  group: string
  run(ctx: CheckContext<S>): Promise<CheckResult[]>
}

export const result = (group: string, id: string, title: string, status: CheckStatus, evidence: string): CheckResult => ({ id, group, title, status, evidence })

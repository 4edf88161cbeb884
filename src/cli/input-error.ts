/**
 * Why the check could not run (exit code 2): bad arguments, an unreachable URL, wrong
 * credentials, a backend answering HTML or redirecting to a login page. The message is one
 * line meant for the user, and never contains token text or credentials.
 */
export type CheckInputErrorCode =
  | 'BAD_ARGUMENTS'
  | 'UNSUPPORTED_BACKEND'
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'WRONG_CREDENTIALS'
  | 'RATE_LIMITED'
  | 'NOT_JSON'
  | 'REDIRECT'
  | 'NO_ENDPOINT'
  | 'BAD_LOGIN_REPLY'
  | 'REFRESH_TOKEN_REFUSED'

export class CheckInputError extends Error {
  override readonly name = 'CheckInputError'
  constructor(
    readonly code: CheckInputErrorCode,
    message: string,
  ) {
    super(message)
  }
}

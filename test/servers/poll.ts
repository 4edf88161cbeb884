/**
 * Polls `check` until it returns a truthy value or `timeout` ms pass (real time: these tests run
 * against real servers whose tokens expire on the servers' clocks). No fixed sleeps.
 */
export async function eventually<T>(check: () => T | Promise<T>, { timeout = 10_000, interval = 100, message = 'condition' } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message}`)
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}

/** The JSON payload of a JWT (no signature check: the tests read `exp`, never trust it). */
export function jwtPayload(token: string): Record<string, unknown> {
  const [, payload = ''] = token.split('.')
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
}

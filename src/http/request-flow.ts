import type { RequestFlow } from './authorized-fetch'

/**
 * The manager's request flow as the framework entries (`tokenkeeper/axios`, `tokenkeeper/angular`)
 * use it: the very checks and state behind `tm.fetch` (which URLs get the Bearer, the token to
 * send, one recovery after a 401, the doubted token), so an integration never duplicates them.
 * @internal
 */
export type { RequestFlow }

/**
 * The request flow of `tm`. The key is registered (`Symbol.for`), so an entry bundled apart from
 * the core (ESM or CJS) finds it; token-manager.ts defines it under the same name.
 * @throws `DestroyedError` (the core's class) after `tm.destroy()`.
 * @throws TypeError when `tm` is not a TokenManager.
 * @internal
 */
export function requestFlow(tm: object): RequestFlow {
  const get = (tm as Record<symbol, (() => RequestFlow) | undefined>)[Symbol.for('tokenkeeper.requestFlow')]
  if (typeof get !== 'function') throw new TypeError('tokenkeeper: expected a TokenManager')
  return get()
}

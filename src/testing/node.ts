/**
 * `tokenkeeper/testing/node`: `listen()` with a static import of `node:http` (for runtimes
 * without `process.getBuiltinModule`). `tokenkeeper/testing` exports the same `listen()`.
 *
 * @packageDocumentation
 * @module tokenkeeper/testing/node
 */
import { createServer } from 'node:http'
import { type ListenOptions, listenWith, type MockServer } from './listen'

export type { ListenOptions, MockServer } from './listen'

/** Serves a fresh mock backend on `port` (0: a free one), resolving to it (it stands for its base URL). Unmatched requests get 404. */
export async function listen(port = 0, options: ListenOptions = {}): Promise<MockServer> {
  return listenWith(createServer, port, options)
}

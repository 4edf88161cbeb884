/**
 * `tokenkeeper/testing`: the mock auth backend as msw handlers for an app's own tests, with
 * the demo's fault controls and counters. Works with `setupServer` (msw/node) and
 * `setupWorker` (msw/browser); `listen()` serves it on a port (Node only, found at call time, so
 * this entry still bundles for the browser). msw is an optional peer dependency: install it to
 * use this entry.
 *
 * @packageDocumentation
 * @module tokenkeeper/testing
 */
export { createMockBackend, CSRF_HEADER, DEMO_USERS, REFRESH_COOKIE } from './backend'
export type { ConsumedFault, Counters, Device, Faults, MockBackend, MockBackendOptions, MockUser, QueuedFault, RefreshFault } from './backend'
export { ALLOWED_ORIGINS_ENV, parseAllowedOrigins } from './origins'
export { createMockFetch } from './fetch'
export type { MockFetch, MockFetchOptions } from './fetch'
export { listen } from './listen'
export type { ListenOptions, MockServer } from './listen'

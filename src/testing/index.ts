/**
 * `tokenkeeper/testing`: the mock auth backend as msw handlers for an app's own tests, with
 * the demo's fault controls and counters. Works with `setupServer` (msw/node) and
 * `setupWorker` (msw/browser); `tokenkeeper/testing/node` serves it on a port. msw is an
 * optional peer dependency: install it to use this entry.
 */
export { createMockBackend, CSRF_HEADER, DEMO_USERS, REFRESH_COOKIE } from './backend'
export type { ConsumedFault, Counters, Faults, MockBackend, MockBackendOptions, MockUser, QueuedFault, RefreshFault } from './backend'
export { ALLOWED_ORIGINS_ENV, parseAllowedOrigins } from './origins'
export { createMockFetch } from './fetch'
export type { MockFetch, MockFetchOptions } from './fetch'

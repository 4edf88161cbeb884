import type { Scenario } from './commands'

/**
 * Command sequences the model found, kept as they were printed (config + commands). Each one
 * violated an invariant before the fix named here (see RELIABILITY.md) and must pass now.
 * To add one: copy the `counterexample` JSON from a failing run and give it a name.
 */
export const REGRESSION_SCENARIOS: { name: string; fix: string; scenario: Scenario }[] = [
  {
    name: 'R1 sleep, wake before the idle deadline: the session outlived it by the sleep',
    fix: 'src/scheduler.ts: deadlines re-arm from the wall clock on every check',
    scenario: {
      config: { tabs: 5, webLocks: true, transport: 'body', idleTimeout: 120_000, maxSessionAge: 0, reuseGrace: 0, signedIn: true, rngSeed: 27 },
      commands: [
        { c: 'advance', ms: 1671 },
        { c: 'advance', ms: 31_000 },
        { c: 'getToken', tab: 7 },
        { c: 'sleep', ms: 40_000, wake: 'focus' },
      ],
    },
  },
  {
    name: 'R2 idle expiry sends the lapsed access token to the logout endpoint',
    fix: 'src/token-manager.ts: logout and the idle logout send the token only while valid',
    scenario: {
      config: { tabs: 4, webLocks: true, transport: 'cookie', idleTimeout: 120_000, maxSessionAge: 0, reuseGrace: 5000, signedIn: true, rngSeed: -1691514171 },
      commands: [{ c: 'advance', ms: 4999 }, { c: 'getToken', tab: 8 }, { c: 'advance', ms: 4989 }, { c: 'refresh', tab: 4 }, { c: 'open' }],
    },
  },
  {
    name: 'R3 body mode: a retry spent the refresh token of the session signed in meanwhile (reuse detection)',
    fix: 'src/token-manager.ts: retries present the refresh token the run started with',
    scenario: {
      config: { tabs: 1, webLocks: true, transport: 'body', idleTimeout: 0, maxSessionAge: 600_000, reuseGrace: 0, signedIn: true, rngSeed: 584818367 },
      commands: [
        { c: 'open' },
        { c: 'open' },
        { c: 'fault', kind: 'network', n: 3, retryAfter: 2 },
        { c: 'advance', ms: 3323 },
        { c: 'remote', how: 'revokeOthers' },
        { c: 'login', tab: 6, user: 'alice', good: true },
        { c: 'sleep', ms: 40_000, wake: 'focus' },
        { c: 'login', tab: 9, user: 'alice', good: true },
      ],
    },
  },
  {
    name: "R4 without Web Locks: after one tab's refresh failed, every other tab refreshed at once",
    // Any overlap is a violation again since the channel mutex (O1/O3/O6 closed); the R4 test in
    // regressions.test.ts guards the fix too.
    fix: 'src/tabs/channel-lock.ts: refreshes serialize across tabs without Web Locks too (was: followers whose leader reports a failure fail too)',
    scenario: {
      config: { tabs: 3, webLocks: false, transport: 'cookie', idleTimeout: 0, maxSessionAge: 0, reuseGrace: 5000, signedIn: true, rngSeed: 359739994 },
      commands: [
        { c: 'latency', ms: 3000 },
        { c: 'advance', ms: 30_000 },
      ],
    },
  },
  {
    name: 'R5 a second sign-in: the other tabs kept the first session\u2019s idle clock and idled the new one out early',
    fix: 'src/token-manager.ts: a sign-in in another tab is a new session here too',
    scenario: {
      config: {
        tabs: 5,
        webLocks: false,
        transport: 'cookie',
        idleTimeout: 120_000,
        maxSessionAge: 600_000,
        reuseGrace: 5000,
        signedIn: true,
        rngSeed: 111238489,
      },
      commands: [
        { c: 'advance', ms: 4702 },
        { c: 'request', tab: 8, n: 3, target: 'sessions', abortAfter: 339 },
        { c: 'login', tab: 6, user: 'alice', good: true },
        { c: 'request', tab: 3, n: 5, target: 'api', abortAfter: 22 },
        { c: 'request', tab: 2, n: 5, target: 'foreign', abortAfter: 73 },
      ],
    },
  },
  {
    name: 'R6 switching to bob while another tab refreshed alice: every tab ended on alice',
    fix: 'src/token-manager.ts + src/sync.ts: login runs under the refresh lock',
    scenario: {
      config: { tabs: 5, webLocks: true, transport: 'cookie', idleTimeout: 0, maxSessionAge: 0, reuseGrace: 5000, signedIn: true, rngSeed: 1 },
      commands: [
        { c: 'latency', ms: 300 },
        { c: 'login', tab: 0, user: 'bob', good: true },
        { c: 'sleep', ms: 40_000, wake: 'pageshow' },
        { c: 'advance', ms: 359 },
        { c: 'expireAccess' },
        { c: 'close', tab: 2, midRefresh: true },
      ],
    },
  },
  {
    name: 'R7 body mode with Web Locks: a tab asking the holder sat on the lock the holder needed',
    fix: 'src/token-manager.ts: body mode takes no cross-tab lock',
    scenario: {
      config: { tabs: 2, webLocks: true, transport: 'body', idleTimeout: 120_000, maxSessionAge: 600_000, reuseGrace: 0, signedIn: true, rngSeed: -31 },
      commands: [
        { c: 'activity', tab: 0, how: 'touch' },
        { c: 'advance', ms: 2262 },
        { c: 'activity', tab: 6, how: 'touch' },
        { c: 'advance', ms: 16_000 },
        { c: 'login', tab: 7, user: 'bob', good: true },
        { c: 'open' },
        { c: 'advance', ms: 31_000 },
        { c: 'request', tab: 5, n: 2, target: 'foreign', abortAfter: 1942 },
        { c: 'fault', kind: 'empty', n: 2, retryAfter: null },
        { c: 'refresh', tab: 6 },
        { c: 'request', tab: 7, n: 3, target: 'api', abortAfter: 2206 },
      ],
    },
  },
  {
    name: 'R9 body mode: the holder\u2019s refresh of alice, answered after a switch to bob, brought alice back in every tab',
    fix: 'src/token-manager.ts: a refresh begun in a replaced session installs nothing; older/other-account token messages are ignored',
    scenario: {
      config: { tabs: 3, webLocks: true, transport: 'body', idleTimeout: 0, maxSessionAge: 0, reuseGrace: 0, signedIn: true, rngSeed: -67858113 },
      commands: [
        { c: 'advance', ms: 130000 },
        { c: 'fault', kind: 429, n: 3, retryAfter: 2 },
        { c: 'request', tab: 7, n: 3, target: 'foreign', abortAfter: 1074 },
        { c: 'open' },
        { c: 'latency', ms: 300 },
        { c: 'getToken', tab: 7 },
        { c: 'login', tab: 2, user: 'bob', good: true },
        { c: 'sleep', ms: 7200000, wake: 'pageshow' },
      ],
    },
  },
  {
    name: 'R10 a login begun mid-refresh made a waiting request go out with the expired token',
    fix: 'src/token-manager.ts: callers of a dropped refresh get the token only while it is valid',
    scenario: {
      config: { tabs: 5, webLocks: true, transport: 'cookie', idleTimeout: 120000, maxSessionAge: 600000, reuseGrace: 0, signedIn: true, rngSeed: 8 },
      commands: [
        { c: 'request', tab: 7, n: 4, target: 'api', abortAfter: null },
        { c: 'refresh', tab: 4 },
        { c: 'request', tab: 2, n: 1, target: 'sessions', abortAfter: 2850 },
        { c: 'getToken', tab: 1 },
        { c: 'refresh', tab: 4 },
        { c: 'request', tab: 9, n: 4, target: 'api', abortAfter: 1595 },
        { c: 'sleep', ms: 40000, wake: 'pageshow' },
        { c: 'advance', ms: 16000 },
        { c: 'fault', kind: 503, n: 4, retryAfter: 60 },
        { c: 'advance', ms: 31000 },
        { c: 'request', tab: 2, n: 6, target: 'api', abortAfter: null },
        { c: 'login', tab: 7, user: 'bob', good: true },
      ],
    },
  },
  {
    name: 'R11 a logout in a tab that had not heard of a just-made sign-in left every tab signed in',
    fix: 'src/token-manager.ts: logout() always broadcasts; sign-ins older than a local logout are ignored',
    scenario: {
      config: { tabs: 3, webLocks: true, transport: 'cookie', idleTimeout: 0, maxSessionAge: 0, reuseGrace: 0, signedIn: true, rngSeed: -2147483645 },
      commands: [
        { c: 'advance', ms: 104 },
        { c: 'latency', ms: 0 },
        { c: 'logout', tab: 1, everywhere: false },
      ],
    },
  },
  {
    name: 'R13 a sign-in whose token expired before delivery (sleep right after login) left the other tabs signed out',
    fix: 'src/tab-bridge.ts: a signedIn is adopted even with an expired token; the tab refreshes into the session',
    scenario: {
      config: { tabs: 5, webLocks: true, transport: 'cookie', idleTimeout: 0, maxSessionAge: 0, reuseGrace: 0, signedIn: true, rngSeed: 0 },
      commands: [
        { c: 'open' },
        { c: 'activity', tab: 0, how: 'dom' },
        { c: 'request', tab: 0, n: 1, target: 'api', abortAfter: null },
        { c: 'activity', tab: 0, how: 'dom' },
        { c: 'sleep', ms: 40000, wake: 'visible' },
        { c: 'advance', ms: 1 },
      ],
    },
  },
  {
    name: 'R13 (idle tracking) the same with an idle user: the token lapses by design, but every tab holds the session',
    fix: 'src/tab-bridge.ts: a signedIn is adopted even with an expired token',
    scenario: {
      config: { tabs: 5, webLocks: true, transport: 'cookie', idleTimeout: 120000, maxSessionAge: 0, reuseGrace: 0, signedIn: true, rngSeed: 0 },
      commands: [
        { c: 'request', tab: 0, n: 1, target: 'api', abortAfter: null },
        { c: 'getToken', tab: 0 },
        { c: 'steal' },
        { c: 'request', tab: 0, n: 1, target: 'api', abortAfter: null },
        { c: 'sleep', ms: 40000, wake: 'visible' },
        { c: 'steal' },
      ],
    },
  },
  {
    name: 'R14 refresh() after an idle expiry resumed the session through a cookie the slow server logout had not yet revoked',
    fix: 'src/token-manager.ts: refresh() rejects with SessionExpiredError(reason) once the session ended here',
    scenario: {
      config: { tabs: 2, webLocks: true, transport: 'cookie', idleTimeout: 120000, maxSessionAge: 0, reuseGrace: 0, signedIn: true, rngSeed: 0 },
      commands: [
        { c: 'latency', ms: 3000 },
        { c: 'sleep', ms: 7200000, wake: 'visible' },
        { c: 'refresh', tab: 3 },
        { c: 'login', tab: 0, user: 'alice', good: true },
      ],
    },
  },
  {
    name: 'R31 a tab opened after the token lapsed (a sleep) resumed with the cookie as a new session: every tab restarted its idle clock and outlived the idle deadline',
    fix: 'src/session/session.ts, src/tabs/bridge.ts: `welcome` names the session it holds (`joinable`); the joining tab continues it (same id, start and last activity) and posts a token, not a sign-in',
    scenario: {
      config: { tabs: 1, webLocks: true, transport: 'cookie', idleTimeout: 120000, maxSessionAge: 0, reuseGrace: 0, signedIn: true, rngSeed: 0 },
      commands: [{ c: 'sleep', ms: 40000, wake: 'visible' }, { c: 'open' }],
    },
  },
  {
    name: 'R31 the same without Web Locks',
    fix: 'as above',
    scenario: {
      config: { tabs: 1, webLocks: false, transport: 'cookie', idleTimeout: 120000, maxSessionAge: 0, reuseGrace: 0, signedIn: true, rngSeed: 0 },
      commands: [{ c: 'sleep', ms: 40000, wake: 'visible' }, { c: 'open' }],
    },
  },
  {
    name: 'R36 body mode: a login in a tab that had joined (welcome) was installed as a join of the old session: its token posted as a rotation, every tab kept the old idle clock and idled out early',
    fix: 'src/session/session.ts: only a resume continues a joined session; a login is a new one',
    scenario: {
      config: { tabs: 3, webLocks: true, transport: 'body', idleTimeout: 120000, maxSessionAge: 0, reuseGrace: 0, signedIn: true, rngSeed: -1069386576 },
      commands: [
        { c: 'fault', kind: 429, n: 5, retryAfter: 2 },
        { c: 'remote', how: 'logoutEverywhere' },
        { c: 'fault', kind: 'network', n: 4, retryAfter: 1 },
        { c: 'advance', ms: 31000 },
        { c: 'fault', kind: 429, n: 4, retryAfter: 2 },
        { c: 'sleep', ms: 40000, wake: 'focus' },
        { c: 'close', tab: 0, midRefresh: true },
        { c: 'advance', ms: 16000 },
        { c: 'open' },
        { c: 'getToken', tab: 8 },
        { c: 'refresh', tab: 6 },
        { c: 'login', tab: 8, user: 'alice', good: true },
      ],
    },
  },
  {
    name: 'R36 a deadline logout (idle) whose server call timed out: a tab opened meanwhile resumed from the still-working cookie and signed every tab back in',
    fix: "src/tabs/deadline-expiry.ts, src/tabs/bridge.ts: a deadline's revocation is a pending logout in every tab until acknowledged (as logout() since R32)",
    scenario: {
      config: { tabs: 4, webLocks: true, transport: 'cookie', idleTimeout: 120000, maxSessionAge: 0, reuseGrace: 0, signedIn: true, rngSeed: -2147483645 },
      commands: [
        { c: 'sleep', ms: 7200000, wake: 'visible' },
        { c: 'fault', kind: 429, n: 5, retryAfter: 60 },
        { c: 'fault', kind: 401, n: 1, retryAfter: 60 },
        { c: 'request', tab: 9, n: 1, target: 'api', abortAfter: 1758 },
        { c: 'fault', kind: 'network', n: 2, retryAfter: 2 },
        { c: 'request', tab: 5, n: 4, target: 'api', abortAfter: 1650 },
        { c: 'request', tab: 4, n: 2, target: 'foreign', abortAfter: 2677 },
        { c: 'latency', ms: 3000 },
        { c: 'sleep', ms: 7200000, wake: 'focus' },
        { c: 'open' },
        { c: 'latency', ms: 0 },
      ],
    },
  },
  {
    name: 'R36 single tab: activity after a sleep was dropped by a throttle on the monotonic clock (stopped during the sleep): the session idled out early',
    fix: 'src/util/clock.ts elapsedSince, src/session/activity.ts, src/tabs/tab-sync.ts: throttles count time if either clock says it passed',
    scenario: {
      config: {
        tabs: 1,
        webLocks: false,
        transport: 'cookie',
        idleTimeout: 120000,
        maxSessionAge: 600000,
        reuseGrace: 0,
        signedIn: true,
        rngSeed: -2147483642,
      },
      commands: [
        { c: 'expireAccess' },
        { c: 'request', tab: 5, n: 6, target: 'lookalike', abortAfter: 756 },
        { c: 'latency', ms: 3000 },
        { c: 'activity', tab: 1, how: 'dom' },
        { c: 'sleep', ms: 40000, wake: 'online' },
        { c: 'activity', tab: 5, how: 'dom' },
        { c: 'activity', tab: 7, how: 'dom' },
        { c: 'advance', ms: 3095 },
        { c: 'advance', ms: 16000 },
        { c: 'request', tab: 0, n: 3, target: 'lookalike', abortAfter: 316 },
        { c: 'advance', ms: 130000 },
      ],
    },
  },
  {
    name: 'R36 a tab joining the session (welcome) took the idle clock of the welcome, not the activity heard while its resume was in flight: it idled out early and ended the session everywhere',
    fix: 'src/session/session.ts heardActivityWhileJoining, src/session/activity-recorder.ts',
    scenario: {
      config: {
        tabs: 2,
        webLocks: false,
        transport: 'cookie',
        idleTimeout: 120000,
        maxSessionAge: 600000,
        reuseGrace: 5000,
        signedIn: true,
        rngSeed: -549260981,
      },
      commands: [
        { c: 'getToken', tab: 0 },
        { c: 'advance', ms: 31000 },
        { c: 'open' },
        { c: 'request', tab: 8, n: 2, target: 'lookalike', abortAfter: 2888 },
        { c: 'fault', kind: 500, n: 4, retryAfter: 1 },
        { c: 'activity', tab: 3, how: 'dom' },
      ],
    },
  },
  {
    name: 'R36 single tab: activity after a wake dropped by the monotonic throttle (second sequence)',
    fix: 'as above (elapsedSince)',
    scenario: {
      config: { tabs: 1, webLocks: false, transport: 'cookie', idleTimeout: 120000, maxSessionAge: 0, reuseGrace: 0, signedIn: true, rngSeed: -1347486670 },
      commands: [
        { c: 'request', tab: 8, n: 2, target: 'api', abortAfter: 2444 },
        { c: 'request', tab: 9, n: 2, target: 'sessions', abortAfter: 231 },
        { c: 'advance', ms: 31000 },
        { c: 'fault', kind: 500, n: 4, retryAfter: 1 },
        { c: 'refresh', tab: 9 },
        { c: 'latency', ms: 300 },
        { c: 'activity', tab: 9, how: 'touch' },
        { c: 'advance', ms: 749 },
        { c: 'sleep', ms: 40000, wake: 'pageshow' },
        { c: 'request', tab: 2, n: 4, target: 'foreign', abortAfter: 753 },
        { c: 'activity', tab: 3, how: 'dom' },
      ],
    },
  },
  {
    name: 'R36 without Web Locks: a joining tab idled out early (activity heard while joining not counted)',
    fix: 'as above (heardActivityWhileJoining)',
    scenario: {
      config: { tabs: 2, webLocks: false, transport: 'cookie', idleTimeout: 120000, maxSessionAge: 600000, reuseGrace: 5000, signedIn: false, rngSeed: -18 },
      commands: [
        { c: 'advance', ms: 459 },
        { c: 'login', tab: 8, user: 'bob', good: true },
        { c: 'advance', ms: 31000 },
        { c: 'getToken', tab: 4 },
        { c: 'advance', ms: 31000 },
        { c: 'fault', kind: 'network', n: 4, retryAfter: 60 },
        { c: 'open' },
        { c: 'expireAccess' },
        { c: 'login', tab: 2, user: 'alice', good: false },
        { c: 'activity', tab: 7, how: 'touch' },
        { c: 'fault', kind: 401, n: 2, retryAfter: 1 },
      ],
    },
  },
]

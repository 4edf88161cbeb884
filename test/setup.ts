// happy-dom exposes `navigator.locks` as null; broadcast-channel's leader election treats any
// non-undefined value as the Web Locks API and throws. Make it absent, as in browsers without it.
if (typeof navigator !== 'undefined' && (navigator as { locks?: unknown }).locks === null) {
  Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true })
}

// The channel mutex is a chunk loaded with `import()` where Web Locks are missing
// (`src/tabs/deferred-channel-lock.ts`). Loaded here, before any test's fake timers run, that
// `import()` settles within microtasks, as a cached chunk's does in a page, not after real file
// reads that fake time cannot wait for.
await import('../src/tabs/channel-lock')

export {}

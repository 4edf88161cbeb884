// happy-dom exposes `navigator.locks` as null; broadcast-channel's leader election treats any
// non-undefined value as the Web Locks API and throws. Make it absent, as in browsers without it.
if (typeof navigator !== 'undefined' && (navigator as { locks?: unknown }).locks === null) {
  Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true })
}

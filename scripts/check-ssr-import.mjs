// Imports the built package in plain Node (no window) the way an SSR server would: it must
// not throw, must not add globals, and a manager must construct and destroy cleanly.
const before = new Set(Object.getOwnPropertyNames(globalThis))
const esm = await import('../dist/index.js')
const { createRequire } = await import('node:module')
const cjs = createRequire(import.meta.url)('../dist/index.cjs')
const added = Object.getOwnPropertyNames(globalThis).filter((key) => !before.has(key))
if (added.length > 0) throw new Error(`importing added globals: ${added.join(', ')}`)
for (const mod of [esm, cjs]) {
  const tm = new mod.TokenManager({ baseUrl: 'http://localhost' })
  if (tm.getSnapshot().status !== 'unknown') throw new Error('unexpected initial status')
  tm.destroy()
}
console.log('SSR import check: ok (ESM and CJS, no globals added)')

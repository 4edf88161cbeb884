// Imports the built package in plain Node (no window) the way an SSR server would: it must
// not throw, must not add globals, and a manager must construct and destroy cleanly. The
// framework entries are imported too (their peers are dev dependencies here); the peers are
// loaded first, since some set globals of their own (vue's __VUE_*__).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const ENTRIES = {
  react: ['react'],
  vue: ['vue'],
  axios: ['axios'],
  svelte: ['svelte'],
  // Unlinked Angular packages need the JIT compiler loaded first (an Angular SSR build links them instead).
  angular: ['@angular/compiler', '@angular/core', '@angular/common/http', 'rxjs'],
}
for (const peer of Object.values(ENTRIES).flat()) {
  await import(peer)
  require(peer)
}
const before = new Set(Object.getOwnPropertyNames(globalThis))
const esm = await import('../dist/index.js')
const cjs = require('../dist/index.cjs')
for (const entry of Object.keys(ENTRIES)) {
  await import(`../dist/${entry}.js`)
  require(`../dist/${entry}.cjs`)
}
const added = Object.getOwnPropertyNames(globalThis).filter((key) => !before.has(key))
if (added.length > 0) throw new Error(`importing added globals: ${added.join(', ')}`)
for (const mod of [esm, cjs]) {
  const tm = new mod.TokenManager({ baseUrl: 'http://localhost' })
  if (tm.getSnapshot().status !== 'unknown') throw new Error('unexpected initial status')
  tm.destroy()
}
console.log(`SSR import check: ok (index, ${Object.keys(ENTRIES).join(', ')}; ESM and CJS, no globals added)`)

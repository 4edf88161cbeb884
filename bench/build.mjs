// Bundles the TypeScript benchmarks (bench/*.ts) into bench/.build/*.mjs for plain `node`.
// The SDK comes from src/ (what tsup ships, built the same way by esbuild); npm packages stay
// external except broadcast-channel, aliased to its browser build as in vitest.config.ts and
// tsup.config.ts (the build that ships inside dist).
import { build } from 'esbuild'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

export async function buildBench() {
  const entryPoints = readdirSync(here('./'))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => here(`./${name}`))
  await build({
    entryPoints,
    outdir: here('./.build/'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    alias: { 'broadcast-channel': here('../node_modules/broadcast-channel/dist/esbrowser/index.js') },
    sourcemap: 'inline',
    logLevel: 'warning',
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now()
  await buildBench()
  console.log(`bench: built in ${Date.now() - started} ms`)
}

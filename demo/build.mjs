// Builds the demo: the dashboard page (browser bundle, SDK from source) into demo/public/build/
// and the Node server into demo/.build/server.mjs. Usage: node demo/build.mjs [--watch]
import { build, context } from 'esbuild'
import { fileURLToPath } from 'node:url'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const watch = process.argv.includes('--watch')

const configs = [
  {
    entryPoints: [here('./page/main.ts')],
    outdir: here('./public/build/'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  },
  {
    entryPoints: [here('./server.ts')],
    outfile: here('./.build/server.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  },
]

if (watch) {
  for (const config of configs) await (await context(config)).watch()
  console.log('demo: watching for changes')
} else {
  const started = Date.now()
  await Promise.all(configs.map((config) => build(config)))
  console.log(`demo: built page and server in ${Date.now() - started} ms`)
}

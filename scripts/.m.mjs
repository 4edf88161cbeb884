import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'
const r = await build({ stdin: { contents: "export { TokenManager } from './src/index.ts'", resolveDir: process.cwd(), loader: 'ts' }, bundle: true, minify: true, format: 'esm', splitting: true, outdir: '/tmp/o', platform: 'browser', target: 'es2022', write: false, external: ['ky','mitt'], define: { 'process.env.NODE_ENV': '"production"' } })
for (const f of r.outputFiles) console.log(f.path, f.text.length, gzipSync(f.text,{level:9}).length)

import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    react: 'src/react.ts',
    vue: 'src/vue.ts',
    axios: 'src/axios.ts',
    svelte: 'src/svelte.ts',
    angular: 'src/angular.ts',
    testing: 'src/testing/index.ts',
    'testing/node': 'src/testing/node.ts',
  },
  format: ['esm', 'cjs'],
  // An entry that needs the core at run time (tokenkeeper/angular's provideTokenKeeper(options))
  // imports the package itself: it stays an import of dist/index.js (dist/index.cjs), never a copy.
  external: ['tokenkeeper'],
  // tsup 8 (its engines accept Node 20.19; tsup 9 wants 22.18) passes `baseUrl` to the
  // declaration build, which TypeScript 6 reports as deprecated unless told otherwise.
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  target: 'es2022',
  platform: 'browser',
  sourcemap: true,
  clean: true,
  treeshake: true,
  // React Server Components: the hooks module must be marked as client code. esbuild drops
  // module directives when bundling, so it is added back to the built files.
  async onSuccess() {
    const { readFile, writeFile } = await import('node:fs/promises')
    for (const file of ['dist/react.js', 'dist/react.cjs']) {
      const code = await readFile(file, 'utf8')
      if (!code.startsWith("'use client'")) await writeFile(file, `'use client';\n${code}`)
    }
    // The `tokenkeeper` bin (the backend conformance check): Node, ESM, one file, no types.
    // Built here, after the browser entries, so their `clean` cannot race it.
    const { build } = await import('tsup')
    await build({
      config: false,
      entry: { cli: 'src/cli/bin.ts' },
      format: ['esm'],
      platform: 'node',
      target: 'node20',
      banner: { js: '#!/usr/bin/env node' },
      clean: false,
      dts: false,
      sourcemap: false,
      silent: true,
    })
  },
})

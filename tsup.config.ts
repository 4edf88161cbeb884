import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', react: 'src/react.ts', vue: 'src/vue.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  target: 'es2022',
  platform: 'browser',
  sourcemap: true,
  clean: true,
  treeshake: true,
  // broadcast-channel's "node" build pulls in its file-system transport and sets a global
  // (regeneratorRuntime) on import; bundling its browser build keeps SSR imports side-effect
  // free. Only the native BroadcastChannel is used in any case.
  noExternal: ['broadcast-channel'],
})

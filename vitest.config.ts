import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    alias: [
      // Test the build of broadcast-channel that ships inside dist (its browser build; see tsup.config.ts).
      { find: 'broadcast-channel', replacement: fileURLToPath(new URL('./node_modules/broadcast-channel/dist/esbrowser/index.js', import.meta.url)) },
      // The framework entries import the core by its package name: src/ in the tests, as in tsconfig.json.
      { find: /^tokenkeeper$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    setupFiles: ['test/setup.ts'],
    environment: 'node',
    restoreMocks: true,
    testTimeout: 10_000,
  },
})

import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    alias: {
      // Test the build of broadcast-channel that ships inside dist (its browser build; see tsup.config.ts).
      'broadcast-channel': fileURLToPath(new URL('./node_modules/broadcast-channel/dist/esbrowser/index.js', import.meta.url)),
    },
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

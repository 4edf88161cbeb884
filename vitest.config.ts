import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin, type TestProjectInlineConfiguration } from 'vitest/config'

// The files that load Angular: each runs once per supported major (the angular-<major> projects), never in `default`.
const ANGULAR_TESTS = ['test/angular.test.ts', 'test/scenarios/contract-angular.test.ts']

/**
 * The Angular binding's tests under one supported Angular major. 21 is the main install (devDependencies); the
 * others live in test/fixtures/angular-<major>, private packages with their own node_modules: as npm aliases at the
 * root, their exact peers on @angular/core would clash with the main install (ERESOLVE).
 */
function angularProject(major: number, fromFixture: boolean): TestProjectInlineConfiguration {
  const fixture = fileURLToPath(new URL(`./test/fixtures/angular-${major}/package.json`, import.meta.url))
  const installed = fileURLToPath(new URL(`./test/fixtures/angular-${major}/node_modules/`, import.meta.url))
  const resolveFromFixture: Plugin = {
    name: `angular-${major}`,
    enforce: 'pre',
    // The test's and src/angular.ts's Angular imports resolve from the fixture; Angular's own imports (run by Node,
    // not transformed) then stay inside it, while rxjs and tslib come from the root: one rxjs, as in an app.
    async resolveId(source, _importer, options) {
      if (!source.startsWith('@angular/')) return null
      const resolved = await this.resolve(source, fixture, { ...options, skipSelf: true })
      // Not installed there (say, node_modules linked from another checkout): it would fall back to the root's Angular 21.
      if (resolved && !resolved.id.startsWith(installed)) {
        throw new Error(`${source} is not installed in test/fixtures/angular-${major} (npm ci at the root of this checkout installs it)`)
      }
      return resolved
    },
  }
  return {
    extends: true,
    plugins: fromFixture ? [resolveFromFixture] : [],
    test: {
      name: `angular-${major}`,
      include: ANGULAR_TESTS,
      env: { EXPECTED_ANGULAR_MAJOR: String(major) },
      setupFiles: ['test/helpers/angular-version.setup.ts'],
    },
  }
}

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
    // Shared by every project (`extends: true`); include/exclude are per project, as extending concatenates arrays.
    setupFiles: ['test/setup.ts'],
    environment: 'node',
    restoreMocks: true,
    testTimeout: 10_000,
    projects: [
      {
        extends: true,
        test: { name: 'default', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**', '**/node_modules/**', ...ANGULAR_TESTS] },
      },
      angularProject(20, true),
      angularProject(21, false),
      angularProject(22, true),
    ],
  },
})

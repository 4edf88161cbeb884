// The public API surface, one report per package entry (api-extractor), committed under etc/api/.
// `node scripts/api-report.mjs` checks the built types against the committed reports (CI);
// `--update` rewrites them after an intended change of the public surface.
// Runs on dist/, so `npm run build` first.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor'

const root = fileURLToPath(new URL('..', import.meta.url))
const update = process.argv.includes('--update')
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

// Every entry of package.json "exports" that has types (".": index, "./react": react,
// "./testing/node": testing-node, ...).
const entries = Object.entries(pkg.exports)
  .filter(([, target]) => typeof target === 'object' && target.import?.types)
  .map(([subpath, target]) => ({ name: subpath === '.' ? 'index' : subpath.slice(2).replaceAll('/', '-'), types: target.import.types }))

let failed = false
for (const { name, types } of entries) {
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: `<projectFolder>/${types.replace(/^\.\//, '')}`,
      bundledPackages: [],
      compiler: { overrideTsconfig: { compilerOptions: { lib: ['ES2022', 'DOM', 'DOM.Iterable'], skipLibCheck: true, strict: true }, include: [types] } },
      apiReport: {
        enabled: true,
        reportFolder: '<projectFolder>/etc/api/',
        reportTempFolder: '<projectFolder>/node_modules/.cache/api-report/',
        reportFileName: `${name}.api.md`,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // The report is about the surface; TSDoc style and release tags are not enforced here.
        extractorMessageReporting: {
          default: { logLevel: 'none' },
          'ae-missing-release-tag': { logLevel: 'none' },
          'ae-forgotten-export': { logLevel: 'none' },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
        compilerMessageReporting: { default: { logLevel: 'warning' } },
      },
    },
    configObjectFullPath: `${root}api-extractor.json`,
    packageJsonFullPath: `${root}package.json`,
  })
  const result = Extractor.invoke(config, {
    localBuild: update,
    showVerboseMessages: false,
    messageCallback: (m) => {
      if (m.logLevel === 'none') m.handled = true
    },
  })
  if (!result.succeeded || (!update && result.apiReportChanged)) {
    failed = true
    console.error(
      `API report for "${name}" differs from etc/api/${name}.api.md: the public surface changed. If intended, run \`npm run api:update\` and commit the report.`,
    )
  } else {
    console.log(`API report ${name}: ${update && result.apiReportChanged ? 'updated' : 'unchanged'}`)
  }
}
process.exit(failed ? 1 : 0)

import { main } from './main'

// The `tokenkeeper` bin (dist/cli.js). The only module that does anything when loaded.
void main(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code
})

/** Shared knobs: BENCH_QUICK=1 shrinks every benchmark (smoke test of the harness, not figures). */
export const QUICK = process.env.BENCH_QUICK === '1'

export function parseOut(): string | null {
  const i = process.argv.indexOf('--out')
  return i === -1 ? null : (process.argv[i + 1] ?? null)
}

export function log(...args: unknown[]): void {
  console.error(...args)
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Writes the result for bench/run.mjs, or prints it when run alone. */
export async function emit(result: import('./md').BenchResult): Promise<void> {
  const out = parseOut()
  if (out) {
    const { writeFileSync } = await import('node:fs')
    writeFileSync(out, JSON.stringify(result))
  } else {
    console.log(`## ${result.title}\n\n${result.body}`)
  }
}

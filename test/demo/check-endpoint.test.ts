import { afterEach, describe, expect, it } from 'vitest'
import { CHECK_USER, type DemoServer, startDemoServer } from '../../demo/server'

let demo: DemoServer | undefined
afterEach(async () => {
  await demo?.close()
  demo = undefined
})

interface Report {
  backend: string
  exitCode: number
  summary: Record<string, number>
  results: { id: string; status: string }[]
}

describe('demo GET /__check', () => {
  it('runs tokenkeeper check against the demo itself and returns the JSON report, uncached, with no token text', async () => {
    demo = await startDemoServer({ port: 0 })
    const response = await fetch(`${demo.url}/__check`)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const text = await response.text()
    const report = JSON.parse(text) as Report
    expect(report).toMatchObject({ backend: 'default', exitCode: 0, summary: { fail: 0, warn: 0 } })
    expect(report.results.find((r) => r.id === 'rotation.family')?.status).toBe('pass')
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+|[A-Za-z0-9_-]{32,}/)
    expect(text).not.toContain(CHECK_USER.password)
    expect(demo.backend.controls.counters).toMatchObject({ reuseDetections: 1 })
  })

  it('two concurrent GETs share one run (six sign-ins, one report)', async () => {
    demo = await startDemoServer({ port: 0 })
    const before = demo.backend.controls.counters.loginCalls
    const [a, b] = await Promise.all([fetch(`${demo.url}/__check`), fetch(`${demo.url}/__check`)])
    expect(await a.text()).toBe(await b.text())
    expect(demo.backend.controls.counters.loginCalls - before).toBe(6)
  })
})

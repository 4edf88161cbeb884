import { describe, expect, it } from 'vitest'
import { createDemoBackend } from './client'

describe('queued refresh faults: who consumed them, and clearing them alone', () => {
  it('a consumed fault records the request that took it (method, path, time, session)', async () => {
    const demo = createDemoBackend()
    const device = demo.device()
    await device.login('bob', 'builder')
    const sessionId = ((await (await device.send('GET', '/api/me')).json()) as { sessionId: string }).sessionId
    await demo.control('/faults', { refreshFailures: { count: 2, kind: 503, retryAfter: 1 } })
    demo.advance(5000)
    expect((await device.refresh()).status).toBe(503)
    const s = await demo.state()
    expect(s.faults.refreshFailures).toEqual([{ kind: 503, retryAfter: 1 }])
    expect(s.faults.consumedFailures).toEqual([
      {
        kind: 503,
        retryAfter: 1,
        consumedBy: { method: 'POST', path: '/auth/refresh', at: '2030-01-01T12:00:05.000Z', sessionId, username: 'bob' },
      },
    ])
  })

  it('a fault consumed by a caller with no session says so (sessionId null)', async () => {
    const demo = createDemoBackend()
    await demo.control('/faults', { refreshFailures: { count: 1, kind: 'network' } })
    expect((await demo.device().refresh()).type).toBe('error')
    expect((await demo.state()).faults.consumedFailures[0]!.consumedBy).toMatchObject({ sessionId: null, username: null })
  })

  it('a lost reply: the server rotated, the caller got a network error; its cookie is spent unless the grace window covers it', async () => {
    for (const grace of [0, 5000]) {
      const demo = createDemoBackend()
      const device = demo.device()
      await device.login('alice', 'wonderland')
      await demo.control('/faults', { refreshFailures: { count: 1, kind: 'lost' }, reuseGrace: grace })
      expect((await device.refresh()).type).toBe('error')
      const again = await device.refresh()
      const s = await demo.state()
      expect(s.faults.consumedFailures).toEqual([expect.objectContaining({ kind: 'lost' })])
      expect(s.counters.refreshSuccesses).toBe(1) // the lost one
      if (grace === 0) {
        expect(again.status).toBe(401)
        expect(s.counters.reuseDetections).toBe(1)
      } else {
        expect(again.status).toBe(200)
        expect(s.counters.reuseDetections).toBe(0)
      }
    }
  })

  it('POST /clear-faults drops the queue and its record, keeps sessions and the other settings', async () => {
    const demo = createDemoBackend()
    const device = demo.device()
    await device.login('alice', 'wonderland')
    await demo.control('/faults', { refreshFailures: { count: 3, kind: 500 }, latency: 5 })
    await device.refresh()
    const response = await demo.control('/clear-faults')
    expect(response.status).toBe(200)
    const body = (await response.json()) as { cleared: number; state: Awaited<ReturnType<typeof demo.state>> }
    expect(body.cleared).toBe(2)
    expect(body.state.faults).toMatchObject({ refreshFailures: [], consumedFailures: [], latency: 5 })
    expect(body.state.sessions).toBe(1)
    expect((await device.refresh()).status).toBe(200)
  })

  it('the record keeps the last 20', async () => {
    const demo = createDemoBackend()
    await demo.control('/faults', { refreshFailures: { count: 25, kind: 500 } })
    const device = demo.device()
    for (let i = 0; i < 25; i++) await device.refresh()
    expect((await demo.state()).faults.consumedFailures).toHaveLength(20)
  })
})

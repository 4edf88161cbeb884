import { http, HttpResponse } from 'msw'
import { afterEach, describe, expect, it } from 'vitest'
import { listen, type MockServer } from '../../src/testing/node'

let server: MockServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const login = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
  })

describe('tokenkeeper/testing/node: listen()', () => {
  it('serves the mock backend on a free port, with one Set-Cookie per cookie, until closed', async () => {
    server = await listen(0)
    expect(server.url).toBe(`http://localhost:${server.port}`)
    const reply = await login(server.url)
    expect(reply.status).toBe(200)
    expect(reply.headers.getSetCookie()).toEqual([expect.stringMatching(/^tk_refresh=[\w-]+; Path=\/auth; HttpOnly; SameSite=Strict; Max-Age=\d+$/)])
    expect(server.backend.controls.counters.loginCalls).toBe(1)
    const { url } = server
    await server.close()
    server = undefined
    await expect(login(url)).rejects.toThrow(TypeError)
  })

  it('127.0.0.1 is the same origin as localhost (the CSRF Origin check passes); a foreign Origin is refused', async () => {
    server = await listen(0)
    const first = await login(server.url)
    const cookie = first.headers.getSetCookie()[0]!.split(';')[0]!
    const refresh = (origin: string) => fetch(`${server!.url}/auth/refresh`, { method: 'POST', headers: { 'x-tokenkeeper': '1', origin, cookie } })
    expect((await refresh('https://evil.example')).status).toBe(403)
    expect((await refresh(`http://127.0.0.1:${server.port}`)).status).toBe(200)
  })

  it('the network fault drops the connection; extra handlers answer after the backend; unmatched is 404 JSON', async () => {
    server = await listen(0, { handlers: () => [http.get('*/api/orders', () => HttpResponse.json([{ id: 1 }]))] })
    server.backend.controls.failNextRefreshes(1, 'network')
    await expect(fetch(`${server.url}/auth/refresh`, { method: 'POST', headers: { 'x-tokenkeeper': '1' } })).rejects.toThrow(TypeError)
    expect(await (await fetch(`${server.url}/api/orders`)).json()).toEqual([{ id: 1 }])
    const missing = await fetch(`${server.url}/nothing`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'not_found' })
  })
})

import { build } from 'esbuild'
import { afterEach, describe, expect, it } from 'vitest'
import { listen, type MockServer } from '../../src/testing'
import { listen as listenNode } from '../../src/testing/node'

let server: MockServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const login = (base: string) =>
  fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
  })

describe('listen() from tokenkeeper/testing', () => {
  it('serves the mock backend on a free port and resolves to something that stands for its base URL', async () => {
    server = await listen(0)
    expect(server.url).toBe(`http://localhost:${server.port}`)
    expect(`${server}`).toBe(server.url)
    expect(String(server)).toBe(server.url)
    expect(`${server}/auth/login`).toBe(`${server.url}/auth/login`)
    expect(new URL('/api/me', String(server)).href).toBe(`${server.url}/api/me`)
    const reply = await login(`${await Promise.resolve(server)}`)
    expect(reply.status).toBe(200)
    expect(server.backend.controls.counters.loginCalls).toBe(1)
    const { url } = server
    await server.close()
    server = undefined
    await expect(login(url)).rejects.toThrow(TypeError)
  })

  it('`${await listen(0)}/auth/login` works as the issue writes it', async () => {
    const kept = (s: MockServer) => {
      server = s // closed by afterEach
      return s
    }
    const loginUrl = `${await listen(0).then(kept)}/auth/login`
    expect(loginUrl).toMatch(/^http:\/\/localhost:\d+\/auth\/login$/)
    expect(
      (await fetch(loginUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"bob","password":"builder"}' })).status,
    ).toBe(200)
  })

  it('tokenkeeper/testing/node resolves to the same shape', async () => {
    server = await listenNode(0)
    expect(`${server}`).toBe(server.url)
    expect((await login(server.url)).status).toBe(200)
  })

  it('outside Node (no process.getBuiltinModule) rejects with an Error that says so', async () => {
    const proc = process as { getBuiltinModule?: unknown }
    const saved = proc.getBuiltinModule
    proc.getBuiltinModule = undefined
    try {
      await expect(listen(0)).rejects.toThrow(/Node only.*setupWorker/)
    } finally {
      proc.getBuiltinModule = saved
    }
  })

  it('the entry still bundles for the browser: no import of a Node built-in', async () => {
    const result = await build({
      entryPoints: ['src/testing/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      external: ['msw'],
      logLevel: 'silent',
    })
    const code = result.outputFiles[0]!.text
    expect(code).toContain('function listen(')
    expect(code).not.toMatch(/\bfrom\s*["'](?:node:)?(?:http|net|fs)["']|\bimport\(\s*["']node:/)
    expect(code).not.toMatch(/\bnode:[a-z]/)
  })
})

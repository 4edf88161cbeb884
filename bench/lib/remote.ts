import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Counters, ServerConfig } from './auth-server'

/** Starts bench/server.ts (bundled next to the calling bench) in its own process. */
export async function startServerProcess(config: Partial<ServerConfig> = {}) {
  const child: ChildProcess = fork(fileURLToPath(new URL('./server.mjs', import.meta.url)), [], {
    env: { ...process.env, BENCH_SERVER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)))
    child.on('message', function onReady(message: { ready?: boolean; port?: number }) {
      if (message.ready) {
        child.off('message', onReady)
        resolve(message.port!)
      }
    })
  })
  child.removeAllListeners('exit')
  let seq = 0
  const pending = new Map<number, (result: unknown) => void>()
  child.on('message', (message: { id?: number; result?: unknown }) => {
    if (message.id !== undefined) {
      pending.get(message.id)?.(message.result)
      pending.delete(message.id)
    }
  })
  const call = <T = null>(cmd: string, args?: unknown): Promise<T> =>
    new Promise((resolve) => {
      const id = ++seq
      pending.set(id, resolve as (result: unknown) => void)
      child.send({ id, cmd, args })
    })
  return {
    origin: `http://127.0.0.1:${port}`,
    counters: () => call<Counters>('counters'),
    resetCounters: () => call('resetCounters'),
    expireAccessTokens: () => call('expireAccessTokens'),
    reset: () => call('reset'),
    config: (args: Partial<ServerConfig>) => call('config', args),
    stop: async () => {
      await call('close')
    },
  }
}

export type RemoteServer = Awaited<ReturnType<typeof startServerProcess>>

export interface LoginReply {
  accessToken: string
  expiresIn: number
  refreshToken: string
}

/** A fresh session, straight from the server (bare fetch). */
export async function login(origin: string): Promise<LoginReply> {
  const response = await fetch(`${origin}/auth/login`, { method: 'POST', body: '{"username":"bench"}', headers: { 'content-type': 'application/json' } })
  return (await response.json()) as LoginReply
}

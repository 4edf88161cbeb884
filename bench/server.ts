// The bench auth server as a child process (its own core on a 2-core machine), driven over IPC
// by bench/lib/remote.ts. Not an entry point for humans.
import { createAuthServer, type ServerConfig } from './lib/auth-server'

type Command =
  | { id: number; cmd: 'counters' | 'resetCounters' | 'expireAccessTokens' | 'reset' | 'close' }
  | { id: number; cmd: 'config'; args: Partial<ServerConfig> }

const server = createAuthServer(JSON.parse(process.env.BENCH_SERVER_CONFIG ?? '{}') as Partial<ServerConfig>)
const port = await server.listen()
process.send!({ ready: true, port })

process.on('message', async (message: Command) => {
  let result: unknown = null
  switch (message.cmd) {
    case 'counters':
      result = server.counters
      break
    case 'resetCounters':
      server.resetCounters()
      break
    case 'expireAccessTokens':
      server.expireAccessTokens()
      break
    case 'reset':
      server.reset()
      break
    case 'config':
      server.setConfig(message.args)
      break
    case 'close':
      await server.close()
      process.send!({ id: message.id, result: null })
      process.exit(0)
  }
  process.send!({ id: message.id, result })
})

import mitt, { type Emitter } from 'mitt'
import type { TokenManagerEvents } from '../types'

function report(type: string, error: unknown): void {
  // Surface the handler's bug without letting it break the manager or other handlers.
  // Thrown again asynchronously it would become an unhandled error in the app; a log is enough.
  console.error(`[tokenkeeper] a "${type}" handler threw`, error)
}

/** mitt with per-handler isolation: a throwing handler never stops the others. */
export class EventHub {
  private readonly emitter: Emitter<TokenManagerEvents> = mitt<TokenManagerEvents>()

  on<K extends keyof TokenManagerEvents>(type: K, handler: (payload: TokenManagerEvents[K]) => void): () => void {
    const isolated = (payload: TokenManagerEvents[K]) => {
      try {
        handler(payload)
      } catch (error) {
        report(type, error)
      }
    }
    this.emitter.on(type, isolated)
    return () => this.emitter.off(type, isolated)
  }

  emit<K extends keyof TokenManagerEvents>(type: K, payload: TokenManagerEvents[K]): void {
    this.emitter.emit(type, payload)
  }

  clear(): void {
    this.emitter.all.clear()
  }
}

import type { LeaderElector } from 'broadcast-channel'
import type { ChannelLike } from './protocol'

/** A running leader election and how to stop it. */
export interface Election {
  readonly elector: LeaderElector
  close(): void
}

/**
 * Leader election for browsers without Web Locks, loaded on demand: every current browser has
 * Web Locks, so broadcast-channel stays out of the bundle an app loads up front.
 *
 * It elects on the app's channel when that is a broadcast-channel one (tests' `simulate`
 * type); otherwise on a native channel of its own, `${name}:leader`, so election traffic never
 * mixes with the SDK's messages.
 */
export async function startElection(channel: ChannelLike, name: string): Promise<Election> {
  const { BroadcastChannel, createLeaderElection } = await import('broadcast-channel')
  const own = channel instanceof BroadcastChannel ? null : new BroadcastChannel(`${name}:leader`, { type: 'native' })
  // In Node (tests, SSR) an open native channel would keep the process alive.
  ;(own as unknown as { _state?: { bc?: { unref?: () => void } } } | null)?._state?.bc?.unref?.()
  const elector = createLeaderElection(own ?? (channel as unknown as InstanceType<typeof BroadcastChannel>))
  void elector.awaitLeadership().catch(() => undefined)
  return {
    elector,
    close() {
      void elector
        .die()
        .catch(() => undefined)
        .then(() => own?.close())
        .catch(() => undefined)
    },
  }
}

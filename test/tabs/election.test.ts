import { BroadcastChannel, OPEN_BROADCAST_CHANNELS } from 'broadcast-channel'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startElection } from '../../src/tabs/election'
import { defaultChannelFactory, type ChannelLike } from '../../src/tabs/protocol'

let seq = 0
const named = (name: string) => [...OPEN_BROADCAST_CHANNELS].filter((c) => c.name === name)

describe('startElection', () => {
  afterEach(() => vi.useRealTimers())

  it("elects on the app's broadcast-channel channel (tests' simulate type): exactly one leader", async () => {
    vi.useFakeTimers()
    const name = `election-sim-${++seq}`
    const a = new BroadcastChannel(name, { type: 'simulate' })
    const b = new BroadcastChannel(name, { type: 'simulate' })
    const [ea, eb] = await Promise.all([startElection(a as unknown as ChannelLike, name), startElection(b as unknown as ChannelLike, name)])
    expect(named(`${name}:leader`)).toHaveLength(0) // no channel of its own
    await vi.advanceTimersByTimeAsync(3000)
    expect([ea.elector.isLeader, eb.elector.isLeader].filter(Boolean)).toHaveLength(1)
    ea.close()
    eb.close()
    await vi.advanceTimersByTimeAsync(100)
    await Promise.all([a.close(), b.close()])
  })

  it('elects on a native channel of its own for any other channel, and close() closes it', async () => {
    const name = `election-native-${++seq}`
    const appChannel = defaultChannelFactory()!(name)
    const election = await startElection(appChannel, name)
    expect(named(`${name}:leader`)).toHaveLength(1)
    election.close()
    await vi.waitFor(() => expect(named(`${name}:leader`)).toHaveLength(0))
    await appChannel.close()
  })
})

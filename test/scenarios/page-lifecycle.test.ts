// Pages restored from the back/forward cache (`pageshow` with `persisted`) or resumed after a
// freeze: they missed the other tabs' messages and must re-sync before they use their token.
import { BroadcastChannel } from 'broadcast-channel'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type ChannelLike, DestroyedError, type WakeReason } from '../../src'
import { ORIGIN } from '../helpers/browser'
import { createFakeEnvironment } from '../helpers/environment'
import { createTabs } from '../helpers/tabs'

const ALICE = { username: 'alice', password: 'wonderland' }
const BOB = { username: 'bob', password: 'builder' }

/** A channel end whose page can be frozen: while frozen, nothing reaches it (as in a cached page). */
function freezableChannel(name: string) {
  const inner = new BroadcastChannel(name, { type: 'simulate' })
  const listeners = new Map<(data: unknown) => void, (data: unknown) => void>()
  const state = { frozen: false }
  const channel: ChannelLike = {
    postMessage: (message) => inner.postMessage(message),
    addEventListener(_type, listener) {
      const gated = (data: unknown) => {
        if (!state.frozen) listener(data)
      }
      listeners.set(listener, gated)
      inner.addEventListener('message', gated)
    },
    removeEventListener(_type, listener) {
      const gated = listeners.get(listener)
      if (gated) inner.removeEventListener('message', gated)
      listeners.delete(listener)
    },
    close: () => inner.close(),
  }
  return { channel, state }
}

describe.each([
  ['Web Locks', true],
  ['channel mutex, no Web Locks', false],
])('page lifecycle (%s)', (_name, webLocks) => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  const settle = () => vi.advanceTimersByTimeAsync(webLocks ? 300 : 3000)
  /** Awaits a call while time passes: without Web Locks its lock claim is answered over the channel (delivered on timers here). */
  const whileTimePasses = async <T>(call: Promise<T>): Promise<T> => (await Promise.all([call, settle()]))[0]

  /** Tab A (freezable, with a scriptable environment) and tab B, both signed in as alice. */
  async function twoTabs() {
    const world = createTabs({ webLocks })
    const fake = createFakeEnvironment()
    let page!: ReturnType<typeof freezableChannel>
    const a = world.open({
      environment: fake.environment,
      channelFactory: (name) => {
        page = freezableChannel(name)
        return page.channel
      },
    })
    const b = world.open()
    const started = a.tm.start()
    await settle()
    await started
    await whileTimePasses(a.tm.login(ALICE))
    await settle()
    expect(b.tm.getSnapshot().status).toBe('active')
    const freeze = () => {
      page.state.frozen = true
    }
    const restore = (reason: WakeReason = 'pageshow') => {
      page.state.frozen = false
      fake.wake(reason)
    }
    return { world, a, b, freeze, restore, fake }
  }

  const bearer = (world: ReturnType<typeof createTabs>, path: string) =>
    world.browser.requests.filter((r) => new URL(r.url).pathname === path).map((r) => r.headers.get('authorization'))

  it('a logout in another tab while this page was cached: the first request after the restore does not carry the old token', async () => {
    const { world, a, b, freeze, restore } = await twoTabs()
    const old = await a.tm.getAccessToken()
    freeze()
    await whileTimePasses(b.tm.logout())
    await settle()
    expect(a.tm.getSnapshot().status).toBe('active') // it heard nothing
    restore()
    // The app's first request, issued at once on restore.
    const response = a.tm.fetch(`${ORIGIN}/api/me`)
    await settle()
    expect((await response).status).toBe(401)
    expect(bearer(world, '/api/me')).not.toContain(`Bearer ${old}`)
    expect(a.tm.getSnapshot().status).not.toBe('active')
    expect(a.ofType('sessionExpired')).toEqual([{ type: 'sessionExpired', payload: { reason: 'refresh_rejected' } }])
    world.destroyAll()
  })

  it('a rotation in another tab while this page was frozen: the request uses the new token, without a refresh of its own', async () => {
    const { world, a, b, freeze, restore } = await twoTabs()
    freeze()
    const rotated = await whileTimePasses(b.tm.refresh())
    await settle()
    const refreshes = world.browser.count('/auth/refresh')
    restore('resume')
    const response = a.tm.fetch(`${ORIGIN}/api/me`)
    await settle()
    expect((await response).status).toBe(200)
    expect(bearer(world, '/api/me')).toEqual([`Bearer ${rotated}`])
    expect(world.browser.count('/auth/refresh')).toBe(refreshes)
    world.destroyAll()
  })

  it('another account signed in meanwhile: the restored page switches to it before its next request', async () => {
    const { world, a, b, freeze, restore } = await twoTabs()
    freeze()
    await whileTimePasses(b.tm.logout())
    await whileTimePasses(b.tm.login(BOB))
    await settle()
    restore()
    const token = a.tm.getAccessToken()
    await settle()
    expect(await token).toBe(await b.tm.getAccessToken())
    expect(a.tm.getSnapshot().claims).toMatchObject({ sub: 'bob' })
    expect(a.ofType('signedIn')).toHaveLength(2)
    world.destroyAll()
  })

  it('nothing changed elsewhere: a peer vouches for the token, no refresh, no event', async () => {
    const { world, a, freeze, restore } = await twoTabs()
    const before = await a.tm.getAccessToken()
    const refreshes = world.browser.count('/auth/refresh')
    const events = a.events.length
    freeze()
    restore()
    const token = a.tm.getAccessToken()
    await settle()
    expect(await token).toBe(before)
    expect(world.browser.count('/auth/refresh')).toBe(refreshes)
    expect(a.events).toHaveLength(events)
    world.destroyAll()
  })

  it('a page load (pageshow without persisted) or a plain focus does not re-sync', async () => {
    const { world, a, fake } = await twoTabs()
    const refreshes = world.browser.count('/auth/refresh')
    fake.wake('focus')
    fake.wake('visible')
    await settle()
    expect(world.browser.count('/auth/refresh')).toBe(refreshes)
    expect(a.tm.getSnapshot().status).toBe('active')
    world.destroyAll()
  })
})

describe('page lifecycle: a tab alone', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  async function lone() {
    const world = createTabs()
    const fake = createFakeEnvironment()
    const a = world.open({ environment: fake.environment })
    const started = a.tm.start()
    await vi.advanceTimersByTimeAsync(300)
    await started
    await a.tm.login(ALICE)
    await vi.advanceTimersByTimeAsync(300)
    return { world, a, fake }
  }

  it('the session ended on the server while cached (a logout in a tab since closed, another device): ended before the token is used', async () => {
    const { world, a, fake } = await lone()
    const old = await a.tm.getAccessToken()
    world.browser.controls.revokeAll('alice')
    fake.wake('pageshow')
    const response = a.tm.fetch(`${ORIGIN}/api/me`)
    await vi.advanceTimersByTimeAsync(1000)
    expect((await response).status).toBe(401)
    expect(world.browser.requests.filter((r) => new URL(r.url).pathname === '/api/me').map((r) => r.headers.get('authorization'))).toEqual([null])
    expect(old).toEqual(expect.any(String))
    expect(a.tm.getSnapshot().status).toBe('expired')
    world.destroyAll()
  })

  it('nobody vouches but the session is alive: one refresh, then the request with the new token', async () => {
    const { world, a, fake } = await lone()
    const old = await a.tm.getAccessToken()
    const refreshes = world.browser.count('/auth/refresh')
    fake.wake('resume')
    fake.wake('pageshow') // both cues of one restore: one re-sync
    const response = a.tm.fetch(`${ORIGIN}/api/me`)
    await vi.advanceTimersByTimeAsync(1000)
    expect((await response).status).toBe(200)
    expect(world.browser.count('/auth/refresh')).toBe(refreshes + 1)
    const sent = world.browser.requests.filter((r) => new URL(r.url).pathname === '/api/me').map((r) => r.headers.get('authorization'))
    expect(sent).toEqual([`Bearer ${await a.tm.getAccessToken()}`])
    expect(sent).not.toContain(`Bearer ${old}`)
    world.destroyAll()
  })

  it('destroy() during the re-sync: the waiting request rejects with DestroyedError, and the wake listeners are gone', async () => {
    const { world, a, fake } = await lone()
    fake.wake('pageshow')
    const token = a.tm.getAccessToken().catch((error: unknown) => error)
    a.tm.destroy()
    await vi.advanceTimersByTimeAsync(1000)
    expect(await token).toBeInstanceOf(DestroyedError)
    expect(fake.listenerCount).toBe(0)
    world.destroyAll()
  })
})

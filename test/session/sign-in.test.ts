import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTabs } from '../helpers/tabs'
import { hangingRefresh } from '../helpers/hanging'
const ALICE = { username: 'alice', password: 'wonderland' }

afterEach(() => {
  vi.useRealTimers()
})

describe('SignIn: login() and a refresh in flight', () => {
  it('login() aborts an outdated refresh of this tab instead of queueing behind it on the lock', async () => {
    vi.useFakeTimers()
    const tabs = createTabs()
    const { fetch, hanging } = hangingRefresh(tabs.browser)
    const { tm } = tabs.open({ fetch })
    const started = tm.start()
    await vi.advanceTimersByTimeAsync(500) // the join window is over: start()'s refresh holds the lock
    expect(hanging()).toBe(1)
    let signedIn = false
    const login = tm.login(ALICE).then(() => (signedIn = true))
    await vi.advanceTimersByTimeAsync(200)
    expect(signedIn).toBe(true)
    await login
    expect(tm.getSnapshot().status).toBe('active')
    // start() settles too (its refresh was aborted, not left hanging on the server's timeout).
    await expect(started).resolves.toBeDefined()
    tabs.destroyAll()
  })
})

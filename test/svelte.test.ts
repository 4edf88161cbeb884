// @vitest-environment happy-dom
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { compile } from 'svelte/compiler'
import { derived, get } from 'svelte/store'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TokenManager, type SessionEndReason, type SessionSnapshot } from '../src'
import { onSessionEvent, sessionStore } from '../src/svelte'
import { createBrowser, ORIGIN } from './helpers/browser'
import { trackSubscribers } from './helpers/subscribers'

const ALICE = { username: 'alice', password: 'wonderland' }

function setup() {
  const browser = createBrowser()
  const tm = new TokenManager({ baseUrl: ORIGIN, fetch: browser.fetch, crossTab: false })
  return { browser, tm, subscribers: trackSubscribers(tm) }
}

/** The client build of Svelte 5 (vitest resolves `svelte` to the server build under Node conditions). */
type SvelteClient = typeof import('svelte')
// @ts-expect-error: a file of the package, outside its exports map (no types of its own)
const client = (): Promise<SvelteClient> => import('../node_modules/svelte/src/index-client.js')
const ROOT = process.cwd()

/** Compiles a Svelte 5 component with the real compiler and loads it (under test/, git-ignored, so vitest transforms it and its imports resolve). */
async function component(name: string, source: string) {
  const { js } = compile(source, { generate: 'client', filename: `${name}.svelte`, runes: true })
  const dir = join(ROOT, 'test/.svelte-out/')
  mkdirSync(dir, { recursive: true })
  const file = `${dir}${name}-${process.pid}.js`
  writeFileSync(file, js.code)
  return (await import(file)).default
}

describe('tokenkeeper/svelte', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('sessionStore follows the store contract: value on subscribe, changes, unsubscribe releases the listener', async () => {
    const { tm, browser, subscribers } = setup()
    const session = sessionStore(tm)
    expect(get(session)).toBe(tm.getSnapshot())
    expect(subscribers()).toBe(0)

    const seen: SessionSnapshot[] = []
    const off = session.subscribe((s) => seen.push(s))
    expect(seen).toEqual([tm.getSnapshot()])
    expect(subscribers()).toBe(1)
    await tm.login(ALICE)
    expect(seen.at(-1)).toBe(tm.getSnapshot())
    expect(seen.at(-1)!.status).toBe('active')
    // Only changes reach the subscriber: every value differs from the one before.
    expect(seen.every((s, i) => i === 0 || s !== seen[i - 1])).toBe(true)

    const signedIn = derived(session, (s) => s.status === 'active')
    expect(get(signedIn)).toBe(true)
    browser.controls.revokeAll()
    await tm.refresh().catch(() => undefined)
    expect(get(signedIn)).toBe(false)
    expect(seen.at(-1)!.status).toBe('expired')

    off()
    expect(subscribers()).toBe(0)
    const count = seen.length
    await tm.login(ALICE)
    expect(seen).toHaveLength(count)
    tm.destroy()
  })

  it('onSessionEvent runs the handler until the returned function is called', async () => {
    const { tm, browser } = setup()
    const reasons: SessionEndReason[] = []
    const off = onSessionEvent(tm, 'sessionExpired', ({ reason }) => reasons.push(reason))
    await tm.login(ALICE)
    browser.controls.revokeAll()
    await tm.refresh().catch(() => undefined)
    expect(reasons).toEqual(['refresh_rejected'])
    off()
    await tm.login(ALICE)
    browser.controls.revokeAll()
    await tm.refresh().catch(() => undefined)
    expect(reasons).toEqual(['refresh_rejected'])
    tm.destroy()
  })

  it('a compiled Svelte 5 component renders $session and $effect(onSessionEvent), and releases both on unmount', async () => {
    const { tm, browser, subscribers } = setup()
    const { mount, unmount, flushSync } = await client()
    const Header = await component(
      'Header',
      `<script>
        import { onSessionEvent } from ${JSON.stringify(join(ROOT, 'src/svelte.ts'))}
        let { store, tm } = $props()
        const session = store
        let reason = $state(null)
        $effect(() => onSessionEvent(tm, 'sessionExpired', (event) => (reason = event.reason)))
      </script>
      <p>{#if $session.status === 'active'}Hello {$session.claims?.sub}{:else}{$session.status}{/if}</p>
      <em>{reason ?? ''}</em>`,
    )
    const target = document.createElement('div')
    document.body.append(target)
    const on = vi.spyOn(tm, 'on')
    const app = mount(Header, { target, props: { store: sessionStore(tm), tm } })
    flushSync()
    expect(target.querySelector('p')!.textContent).toBe('unknown')
    expect(subscribers()).toBe(1)
    expect(on).toHaveBeenCalledTimes(1)

    await tm.login(ALICE)
    flushSync()
    expect(target.querySelector('p')!.textContent).toBe('Hello alice')
    browser.controls.revokeAll()
    await tm.refresh().catch(() => undefined)
    flushSync()
    expect(target.querySelector('p')!.textContent).toBe('expired')
    expect(target.querySelector('em')!.textContent).toBe('refresh_rejected')

    unmount(app)
    expect(subscribers()).toBe(0)
    // The event listener is gone too: a later expiry changes nothing and throws nothing.
    await tm.login(ALICE)
    browser.controls.revokeAll()
    await tm.refresh().catch(() => undefined)
    expect(target.innerHTML).toBe('')
    tm.destroy()
  })
})

import { describe, expect, it, vi } from 'vitest'
import { TokenManager } from '../../src'
import { abortable, createAuthorizedFetch, createRequestFlow, type RequestFlowDeps } from '../../src/http/authorized-fetch'
import { requestFlow } from '../../src/http/request-flow'
import { createBrowser, ORIGIN } from '../helpers/browser'

function flow(overrides: Partial<RequestFlowDeps> = {}, reply: (r: Request) => Response = (r) => new Response(r.headers.get('authorization') ?? 'none')) {
  const sent: Request[] = []
  const deps: RequestFlowDeps = {
    isAuthorized: (url) => url.origin === 'http://api.test',
    getToken: vi.fn(async () => 'T1'),
    recover: vi.fn(async () => 'T2'),
    getFetch: () => async (input, init) => {
      const request = new Request(input, init)
      sent.push(request)
      return reply(request)
    },
    ...overrides,
  }
  return { fetch: createAuthorizedFetch(createRequestFlow({ ...deps, peekToken: () => undefined })), sent, deps }
}

describe('createAuthorizedFetch', () => {
  it('adds the bearer for authorized origins only', async () => {
    const { fetch, deps } = flow()
    expect(await (await fetch('http://api.test/x')).text()).toBe('Bearer T1')
    expect(await (await fetch('http://other.test/x')).text()).toBe('none')
    expect(deps.getToken).toHaveBeenCalledTimes(1)
  })

  it('accepts a Request object and URL inputs', async () => {
    const { fetch } = flow()
    expect(await (await fetch(new Request('http://api.test/x', { method: 'PUT', body: 'b' }))).text()).toBe('Bearer T1')
    expect(await (await fetch(new URL('http://api.test/y'))).text()).toBe('Bearer T1')
  })

  it('keeps an Authorization header the app set itself', async () => {
    const { fetch, deps } = flow()
    expect(await (await fetch('http://api.test/x', { headers: { Authorization: 'Basic abc' } })).text()).toBe('Basic abc')
    expect(deps.getToken).not.toHaveBeenCalled()
  })

  it('sends no Authorization when signed out', async () => {
    const { fetch } = flow({ getToken: async () => null })
    expect(await (await fetch('http://api.test/x')).text()).toBe('none')
  })

  it('on 401 recovers once and replays once with the new token', async () => {
    let calls = 0
    const { fetch, deps, sent } = flow({}, (r) => (++calls === 1 ? new Response('', { status: 401 }) : new Response(r.headers.get('authorization'))))
    expect(await (await fetch('http://api.test/x', { method: 'POST', body: 'payload' })).text()).toBe('Bearer T2')
    expect(deps.recover).toHaveBeenCalledWith('T1', undefined)
    expect(await sent[1]!.text()).toBe('payload')
  })

  it('returns the second 401 as is', async () => {
    const { fetch, deps, sent } = flow({}, () => new Response('', { status: 401 }))
    expect((await fetch('http://api.test/x')).status).toBe(401)
    expect(sent).toHaveLength(2)
    expect(deps.recover).toHaveBeenCalledTimes(1)
  })

  it('returns the 401 when recovery gives nothing (signed out) or the same token', async () => {
    for (const recovered of [null, 'T1']) {
      const { fetch, sent } = flow({ recover: async () => recovered }, () => new Response('', { status: 401 }))
      expect((await fetch('http://api.test/x')).status).toBe(401)
      expect(sent).toHaveLength(1)
    }
  })

  it('passes 403 and other statuses through without recovery', async () => {
    const { fetch, deps } = flow({}, () => new Response('', { status: 403 }))
    expect((await fetch('http://api.test/x')).status).toBe(403)
    expect(deps.recover).not.toHaveBeenCalled()
  })

  it('a 401 from a foreign origin is not recovered', async () => {
    const { fetch, deps } = flow({}, () => new Response('', { status: 401 }))
    expect((await fetch('http://other.test/x')).status).toBe(401)
    expect(deps.recover).not.toHaveBeenCalled()
  })

  it('propagates a recovery failure (session over) to the caller', async () => {
    const { fetch } = flow({ recover: async () => Promise.reject(new Error('expired')) }, () => new Response('', { status: 401 }))
    await expect(fetch('http://api.test/x')).rejects.toThrow('expired')
  })

  it('aborts a request queued behind a refresh at once', async () => {
    const controller = new AbortController()
    const { fetch, sent } = flow({ getToken: () => new Promise(() => {}) })
    const pending = fetch('http://api.test/x', { signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    expect(sent).toHaveLength(0)
  })
})

describe('createAuthorizedFetch: inputs and bodies', () => {
  const unauthorizedOnce = () => {
    let calls = 0
    return (r: Request) => (++calls === 1 ? new Response('', { status: 401 }) : new Response(r.headers.get('authorization')))
  }

  it('merges the bearer into headers given as an object, an array or a Headers, keeping the others', async () => {
    for (const headers of [{ 'x-app': '1' }, [['x-app', '1']] as [string, string][], new Headers({ 'x-app': '1' })]) {
      const { fetch, sent } = flow()
      await fetch('http://api.test/x', { headers })
      expect(sent[0]!.headers.get('authorization')).toBe('Bearer T1')
      expect(sent[0]!.headers.get('x-app')).toBe('1')
    }
  })

  it('replays string, URLSearchParams, Blob and FormData bodies after a 401', async () => {
    const form = new FormData()
    form.set('field', 'value')
    const bodies: [BodyInit, string][] = [
      ['text', 'text'],
      [new URLSearchParams({ a: '1' }), 'a=1'],
      [new Blob(['blob']), 'blob'],
      [form, 'value'],
    ]
    for (const [body, expected] of bodies) {
      const { fetch, sent } = flow({}, unauthorizedOnce())
      expect(await (await fetch('http://api.test/x', { method: 'POST', body })).text()).toBe('Bearer T2')
      expect(sent).toHaveLength(2)
      expect(await sent[1]!.text()).toContain(expected)
    }
  })

  it('does not replay a stream body (it can be sent once): the 401 goes back to the caller', async () => {
    const { fetch, sent, deps } = flow({}, () => new Response('', { status: 401 }))
    const body = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('once')), c.close()) })
    const response = await fetch('http://api.test/x', { method: 'POST', body, duplex: 'half' } as RequestInit)
    expect(response.status).toBe(401)
    expect(sent).toHaveLength(1)
    expect(deps.recover).not.toHaveBeenCalled()
  })

  it("replays Request inputs with and without a body, and leaves the caller's Request untouched", async () => {
    for (const original of [new Request('http://api.test/x', { method: 'PUT', body: 'payload' }), new Request('http://api.test/y')]) {
      const { fetch, sent } = flow({}, unauthorizedOnce())
      expect(await (await fetch(original)).text()).toBe('Bearer T2')
      expect(sent).toHaveLength(2)
      expect(sent[1]!.method).toBe(original.method)
      if (original.method === 'PUT') expect(await sent[1]!.text()).toBe('payload')
      expect(original.headers.has('authorization')).toBe(false)
    }
  })

  it('applies init over a Request input, as fetch does', async () => {
    const { fetch, sent } = flow()
    await fetch(new Request('http://api.test/x'), { method: 'DELETE', headers: { 'x-app': '2' } })
    expect(sent[0]!.method).toBe('DELETE')
    expect(sent[0]!.headers.get('x-app')).toBe('2')
    expect(sent[0]!.headers.get('authorization')).toBe('Bearer T1')
  })

  it("rejects a queued request with the signal's own reason", async () => {
    const controller = new AbortController()
    const { fetch, sent } = flow({ getToken: () => new Promise(() => {}) })
    const pending = fetch('http://api.test/x', { signal: controller.signal })
    const reason = new Error('user left the page')
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
    expect(sent).toHaveLength(0)
  })

  it('a relative URL fails outside a page, like fetch', async () => {
    const { fetch } = flow()
    await expect(fetch('/x')).rejects.toBeInstanceOf(TypeError)
  })
})

describe('abortable', () => {
  it('passes values and errors through and detaches its listener', async () => {
    const controller = new AbortController()
    await expect(abortable(Promise.resolve(1), controller.signal)).resolves.toBe(1)
    await expect(abortable(Promise.reject(new Error('x')), controller.signal)).rejects.toThrow('x')
    await expect(abortable(Promise.resolve(2), undefined)).resolves.toBe(2)
    controller.abort(new Error('gone'))
    await expect(abortable(Promise.resolve(3), controller.signal)).rejects.toThrow('gone')
  })
})

describe('createAuthorizedFetch: the URL checked is the URL sent (issue 15)', () => {
  it('a URL object mutated while the token is awaited still goes where it was checked, and only there gets the Bearer', async () => {
    let release!: (token: string) => void
    const { fetch, sent } = flow({ getToken: () => new Promise<string>((resolve) => (release = resolve)) })
    const url = new URL('http://api.test/me')
    const pending = fetch(url)
    url.href = 'https://evil.test/steal'
    release('T1')
    await pending
    expect(sent.map((r) => [r.url, r.headers.get('authorization')])).toEqual([['http://api.test/me', 'Bearer T1']])
  })

  it('an object whose toString changes between calls is never authorized by its string form', async () => {
    const { fetch, sent, deps } = flow()
    let calls = 0
    const shifty = { toString: () => (calls++ === 0 ? 'http://api.test/x' : 'http://evil.test/x') }
    await fetch(shifty as unknown as string)
    expect(deps.getToken).not.toHaveBeenCalled()
    expect(sent[0]!.headers.get('authorization')).toBeNull()
  })

  it('a Request of another realm (not instanceof Request) gets no Bearer, whatever its string form', async () => {
    const { fetch, deps } = flow({ getFetch: () => async () => new Response('sent') })
    const foreign = { url: 'http://evil.test/x', method: 'GET', headers: new Headers(), toString: () => '[object Request]' }
    expect(await (await fetch(foreign as unknown as Request)).text()).toBe('sent')
    expect(deps.getToken).not.toHaveBeenCalled()
  })
})

describe('createAuthorizedFetch: which 401s refresh (issue 15)', () => {
  it('an endpoint that refuses every token costs one rotation, not one per request', async () => {
    let serial = 1
    const recover = vi.fn(async (_sent: string | null) => `T${++serial}`)
    let current = 'T1'
    const { fetch } = flow({ getToken: async () => current, recover: async (sent) => (current = await recover(sent)) }, () => new Response('', { status: 401 }))
    for (let i = 0; i < 20; i++) expect((await fetch('http://api.test/always-401')).status).toBe(401)
    expect(recover).toHaveBeenCalledTimes(1)
  })

  it('a token that later works is trusted again: its next 401 refreshes', async () => {
    const statuses = [401, 401, 200, 401, 200]
    let current = 'T1'
    const recover = vi.fn(async () => (current = current === 'T1' ? 'T2' : 'T3'))
    const { fetch } = flow({ getToken: async () => current, recover }, () => new Response('', { status: statuses.shift() ?? 200 }))
    expect((await fetch('http://api.test/a')).status).toBe(401) // T1 401, T2 401: T2 doubted
    expect((await fetch('http://api.test/a')).status).toBe(200) // T2 works: trusted again
    expect((await fetch('http://api.test/a')).status).toBe(200) // T2 401 → refresh → T3 200
    expect(recover).toHaveBeenCalledTimes(2)
  })

  it('a 401 that came back through a redirect to another origin does not refresh (the Bearer was stripped there)', async () => {
    const { fetch, deps } = flow({}, () => {
      const response = new Response('', { status: 401 })
      Object.defineProperty(response, 'redirected', { value: true })
      Object.defineProperty(response, 'url', { value: 'http://login.other.test/' })
      return response
    })
    expect((await fetch('http://api.test/x')).status).toBe(401)
    expect(deps.recover).not.toHaveBeenCalled()
  })
})

describe("a manager's request flow: peekToken (the same-tick path of tokenkeeper/angular)", () => {
  it('the token when valid and nothing runs, undefined while a refresh runs or the token is known expired, null when signed out', async () => {
    vi.useFakeTimers()
    try {
      const tm = new TokenManager({ baseUrl: ORIGIN, fetch: createBrowser().fetch, crossTab: false })
      const flow = requestFlow(tm)
      expect(flow.peekToken()).toBeNull()
      // While start() looks for a session: wait; once it is known (none here): signed out, at once.
      const started = tm.start()
      expect(flow.peekToken()).toBeUndefined()
      await started
      expect(flow.peekToken()).toBeNull()
      await tm.login({ username: 'alice', password: 'wonderland' })
      const token = flow.peekToken()
      expect(token).toBe(await tm.getAccessToken())
      const refresh = tm.refresh()
      expect(flow.peekToken()).toBeUndefined()
      await refresh
      expect(flow.peekToken()).toBe(await tm.getAccessToken())
      vi.setSystemTime(tm.getSnapshot().expiresAt! + 1000)
      expect(flow.peekToken()).toBeUndefined()
      await tm.logout()
      expect(flow.peekToken()).toBeNull()
      tm.destroy()
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('createRequestFlow: one doubted-token state for every client of the flow', () => {
  it('a token doubted through tm.fetch is doubted for the others (axios, Angular), and the other way round', async () => {
    const { deps } = flow()
    const shared = createRequestFlow({ ...deps, peekToken: () => undefined })
    shared.answered('T1', 401) // a first 401: not a reason to doubt
    expect(await shared.recover('T1')).toBe('T2')
    shared.answered('T2', 401, true) // another client's replay with T2 got a 401
    expect(await shared.recover('T2')).toBeNull()
    expect(deps.recover).toHaveBeenCalledTimes(1)
    shared.answered('T2', 200)
    expect(await shared.recover('T2')).toBe('T2')
    expect(deps.recover).toHaveBeenCalledTimes(2)
    // tm.fetch's replay makes the doubt the others see.
    const always401 = createRequestFlow({ ...deps, peekToken: () => undefined, getFetch: () => async () => new Response('', { status: 401 }) })
    expect((await createAuthorizedFetch(always401)('http://api.test/x')).status).toBe(401)
    expect(await always401.recover('T2')).toBeNull()
  })
})

import { describe, expect, it, vi } from 'vitest'
import { createAuthorizedFetch, createRequestFlow } from '../../src/http/authorized-fetch'

// msw's setupServer in Node (mswjs/interceptors#712, #799) and debug proxies hand out bodies
// that are one branch of a tee: cancelling one never settles while the other is unread. The
// replay after a 401 must not wait for the discarded reply's cancel.
const hangingBody = () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"error":"invalid_token"}'))
    },
    cancel: () => new Promise<void>(() => undefined),
  })

describe('createAuthorizedFetch: a 401 whose body cancel never settles', () => {
  it('still replays with the recovered token', async () => {
    const cancel = vi.fn()
    const fetch = createAuthorizedFetch(
      createRequestFlow({
        peekToken: () => undefined,
        isAuthorized: () => true,
        getToken: async () => 'T1',
        recover: async () => 'T2',
        getFetch: () => async (input, init) => {
          const auth = new Headers(new Request(input, init).headers).get('authorization')
          if (auth === 'Bearer T1') {
            const body = hangingBody()
            const original = body.cancel.bind(body)
            body.cancel = (reason) => {
              cancel()
              return original(reason)
            }
            return new Response(body, { status: 401 })
          }
          return new Response(auth, { status: 200 })
        },
      }),
    )
    const reply = await Promise.race([
      fetch('http://api.test/me'),
      new Promise<'stuck'>((resolve) => queueMicrotask(() => setTimeout(() => resolve('stuck'), 0))),
    ])
    expect(reply).not.toBe('stuck')
    expect(await (reply as Response).text()).toBe('Bearer T2')
    expect(cancel).toHaveBeenCalledTimes(1)
  })
})

import { getResponse, type HttpHandler } from 'msw'
import { createMockBackend, type MockBackendOptions } from '../../demo/mock/backend'
import { createControlHandlers, type MockState } from '../../demo/mock/controls'

export const ORIGIN = 'http://demo.test'

/**
 * One "device" talking to the mock backend in-process through `getResponse`: its own cookie
 * jar, its own User-Agent, and the access token of its last login/refresh.
 */
export function createDevice(handlers: HttpHandler[], userAgent = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36') {
  const jar = new Map<string, string>()
  let accessToken: string | null = null

  async function send(method: string, path: string, options: { body?: unknown; csrf?: boolean; auth?: boolean; headers?: Record<string, string> } = {}) {
    const headers = new Headers(options.headers)
    headers.set('user-agent', userAgent)
    if (options.body !== undefined) headers.set('content-type', 'application/json')
    if (options.csrf !== false) headers.set('x-tokenkeeper', '1')
    if (options.auth !== false && accessToken) headers.set('authorization', `Bearer ${accessToken}`)
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    const request = new Request(new URL(path, ORIGIN), {
      method,
      headers,
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    })
    const response = await getResponse(handlers, request)
    if (!response) throw new Error(`no handler for ${method} ${path}`)
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';')
      const [name, ...rest] = pair!.split('=')
      const value = rest.join('=')
      if (/max-age=0/i.test(header) || value === '') jar.delete(name!.trim())
      else jar.set(name!.trim(), value)
    }
    return response
  }

  async function takeToken(response: Response) {
    if (response.ok && response.headers.get('content-type')?.includes('json')) {
      const body = (await response.clone().json()) as { accessToken?: string }
      if (body.accessToken) accessToken = body.accessToken
    }
    return response
  }

  return {
    jar,
    send,
    get accessToken() {
      return accessToken
    },
    set accessToken(value: string | null) {
      accessToken = value
    },
    login: async (username: string, password: string) => takeToken(await send('POST', '/auth/login', { body: { username, password }, auth: false })),
    refresh: async () => takeToken(await send('POST', '/auth/refresh', { auth: false })),
  }
}

/** A backend with the control API mounted, plus a manual clock. */
export function createDemoBackend(options: MockBackendOptions = {}) {
  let now = Date.parse('2030-01-01T12:00:00Z')
  const backend = createMockBackend({ origin: ORIGIN, now: () => now, ...options })
  const handlers = [...backend.handlers, ...createControlHandlers(backend)]
  const control = async (path: string, body?: unknown) => {
    const response = await getResponse(
      handlers,
      new Request(new URL(`/__mock${path}`, ORIGIN), {
        method: body === undefined && path === '/state' ? 'GET' : 'POST',
        ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      }),
    )
    if (!response) throw new Error(`no handler for /__mock${path}`)
    return response
  }
  return {
    backend,
    handlers,
    control,
    state: async () => (await (await control('/state')).json()) as MockState,
    device: (userAgent?: string) => createDevice(handlers, userAgent),
    advance: (ms: number) => {
      now += ms
    },
  }
}

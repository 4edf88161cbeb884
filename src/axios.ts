/**
 * axios integration: `import { attachTokenManager } from 'tokenkeeper/axios'`.
 *
 * Requires axios 1.7 or later (`axios` is an optional peer dependency of tokenkeeper). It gives
 * an existing axios instance the request flow of `tm.fetch`: the Bearer only for the manager's
 * `authorizedOrigins`, requests wait while a refresh runs, and a 401 on a request that carried
 * the Bearer refreshes once (the manager's single flight, shared with `tm.fetch` and the other
 * tabs) and replays the request once; a second 401 is the app's to handle.
 *
 * @example
 * ```ts
 * import axios from 'axios'
 * import { attachTokenManager } from 'tokenkeeper/axios'
 * import { tm } from './auth'
 *
 * export const api = axios.create({ baseURL: 'https://api.example.com' })
 * attachTokenManager(api, tm)
 * ```
 *
 * @packageDocumentation
 * @module tokenkeeper/axios
 */
import { getAdapter, type AxiosAdapter, type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios'
// Type-only: this entry must not pull the core into its bundle.
import type { TokenManager } from './token-manager'
import { requestFlow, type RequestFlow } from './http/request-flow'
import { abortable, pageBase } from './http/authorized-fetch'

const attached = new WeakSet<AxiosInstance>()
const wrappers = new WeakSet<AxiosAdapter>()
/** The Authorization value this module set on a config: a config the app sends again (`axios(error.config)`) is still ours. */
const SENT = Symbol('tokenkeeper.sent')
type Config = InternalAxiosRequestConfig & { [SENT]?: string }

/** A body that can be read once (a stream): such a request is not replayed. */
const once = (data: unknown): boolean =>
  (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) || typeof (data as { pipe?: unknown } | null)?.pipe === 'function'

/**
 * Attaches `tm` to `instance`: one request interceptor that hands each request to an adapter
 * wrapping the one axios would use. The wrapper sees the request exactly as it goes out (after
 * every request interceptor, whatever their order, and after `baseURL`, `url` and `params` are
 * final), so a later interceptor cannot redirect the Bearer; and it replays inside the adapter,
 * so the app's response interceptors see one response per request, the replayed one.
 *
 * - The Bearer goes only to URLs whose origin is in the manager's `authorizedOrigins`; a request
 *   that already has an `Authorization` header (another scheme, a service token) keeps it and is
 *   never replayed.
 * - The token is `tm.getAccessToken()`'s: the request waits while a refresh runs, and a token
 *   known to be expired is refreshed first.
 * - A 401 for a request sent with the Bearer asks the manager once for a newer token (another
 *   caller's, or one refresh shared by every caller and tab) and replays once with it; a second
 *   401 rejects as axios does (`AxiosError`), like a 401 when there is nothing to refresh.
 * - Once a refreshed token's replay also got a 401 (an endpoint that refuses every token), later
 *   401s with that token are returned without another refresh, as `tm.fetch` does (one state).
 * - A request whose `config.signal` aborts while it waits rejects at once (axios makes it a
 *   `CanceledError`).
 * - When the session ends (the refresh is rejected), the request rejects with the core's
 *   `SessionExpiredError`; after `tm.destroy()`, with `DestroyedError`. A request whose body is
 *   a stream is not replayed.
 *
 * @param instance an axios instance (`axios.create(...)`), or the default `axios`.
 * @param tm the app's `TokenManager`.
 * @returns a function that detaches the manager (requests already under way finish as they started).
 * @throws TypeError when a manager is already attached to `instance` (detach it first).
 * @throws `DestroyedError` after `tm.destroy()`.
 * @example
 * ```ts
 * const detach = attachTokenManager(api, tm)
 * const { data } = await api.get<Order[]>('/orders')
 * detach()
 * ```
 */
export function attachTokenManager(instance: AxiosInstance, tm: TokenManager<object>): () => void {
  const flow = requestFlow(tm)
  if (attached.has(instance)) {
    throw new TypeError(
      'tokenkeeper/axios: a TokenManager is already attached to this axios instance; call the function attachTokenManager returned to detach it first',
    )
  }
  attached.add(instance)
  const id = instance.interceptors.request.use(
    (config) => {
      // A config replayed by the app (axios(error.config)) already carries the wrapper.
      if (!wrappers.has(config.adapter as AxiosAdapter)) config.adapter = authorize(instance, flow, config.adapter)
      return config
    },
    undefined,
    { synchronous: true },
  )
  return () => {
    if (!attached.has(instance)) return
    instance.interceptors.request.eject(id)
    attached.delete(instance)
  }
}

function authorize(instance: AxiosInstance, flow: RequestFlow, setting: InternalAxiosRequestConfig['adapter']): AxiosAdapter {
  const adapter: AxiosAdapter = async (config) => {
    const send = getAdapter(setting ?? instance.defaults.adapter, config)
    let url: URL
    try {
      url = new URL(instance.getUri(config), pageBase())
    } catch {
      return send(config)
    }
    const { headers } = config
    const own = headers.get('authorization')
    if (!flow.isAuthorized(url) || (own != null && own !== (config as Config)[SENT])) return send(config)
    // axios turns a rejection while config.signal is aborted into its CanceledError.
    const signal = (config.signal ?? undefined) as AbortSignal | undefined
    const token = await abortable(flow.getToken(signal), signal)
    if (token !== null) setBearer(config, token)
    else headers.delete('authorization')
    let response: AxiosResponse
    try {
      response = await sent(flow, send, config, token)
    } catch (error) {
      if ((error as { response?: AxiosResponse } | null)?.response?.status !== 401 || once(config.data)) throw error
      return replay(config, token, send, flow, error, signal)
    }
    // A validateStatus that accepts 401 resolves with it.
    return response.status === 401 && !once(config.data) ? replay(config, token, send, flow, response, signal) : response
  }
  wrappers.add(adapter)
  return adapter
}

/** Sends, and tells the flow what the request with `token` got (its doubted-token rule). */
async function sent(flow: RequestFlow, send: AxiosAdapter, config: InternalAxiosRequestConfig, token: string | null, again?: boolean): Promise<AxiosResponse> {
  let status: number | undefined
  try {
    const response = await send(config)
    status = response.status
    return response
  } catch (error) {
    status = (error as { response?: AxiosResponse } | null)?.response?.status
    throw error
  } finally {
    if (status) flow.answered(token, status, again)
  }
}

async function replay(
  config: InternalAxiosRequestConfig,
  first: string | null,
  send: AxiosAdapter,
  flow: RequestFlow,
  answer: unknown,
  signal: AbortSignal | undefined,
): Promise<AxiosResponse> {
  const token = await abortable(flow.recover(first, signal), signal)
  if (token === null || token === first) {
    if (answer instanceof Error) throw answer
    return answer as AxiosResponse
  }
  setBearer(config, token)
  return sent(flow, send, config, token, true)
}

function setBearer(config: Config, token: string): void {
  config[SENT] = `Bearer ${token}`
  config.headers.set('authorization', config[SENT])
}

import type { MockState } from '../mock/controls'
import { $, el, setText, showResult } from './dom'
import { clockTime, timeAgo } from './format'

/**
 * The fault panel: drives `/__mock/*` and shows the server's counters. It polls
 * `/__mock/state` once a second while the page is visible; that polling is the demo's own,
 * the SDK never polls.
 */

let latest: MockState | null = null
let latestAt = 0
let filled = false

export function mockState(): MockState | null {
  return latest
}

export async function fetchMockState(): Promise<MockState> {
  const response = await fetch('/__mock/state', { cache: 'no-store' })
  if (!response.ok) throw new Error(`/__mock/state answered ${response.status}`)
  return (await response.json()) as MockState
}

async function post(path: string, body?: unknown): Promise<{ ok: boolean; body: Record<string, unknown> }> {
  const response = await fetch(`/__mock/${path}`, {
    method: 'POST',
    cache: 'no-store',
    ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  })
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>
  return { ok: response.ok, body: json }
}

function numberInput(id: string): number | undefined {
  const value = $<HTMLInputElement>(id).value.trim()
  if (value === '') return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}

function renderCounters(state: MockState): void {
  const c = state.counters
  const statuses = Object.entries(c.statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status}×${n}`)
    .join('  ')
  const rows: [string, string, string][] = [
    ['Refresh requests', String(c.refreshCalls), 'refreshCalls'],
    ['Refresh successes', String(c.refreshSuccesses), 'refreshSuccesses'],
    ['Reuse detections', String(c.reuseDetections), 'reuseDetections'],
    ['Logins', String(c.loginCalls), 'loginCalls'],
    ['Logouts', String(c.logoutCalls), 'logoutCalls'],
    ['API calls', String(c.apiCalls), 'apiCalls'],
    ['Live sessions', String(state.sessions), 'sessions'],
    ['Token lifetime', `${state.accessTokenLifetime} s`, 'accessTokenLifetime'],
    ['Statuses', statuses || '—', 'statuses'],
  ]
  const dl = $('counters')
  if (dl.childElementCount !== rows.length) {
    dl.replaceChildren(
      ...rows.map(([label, , key]) => el('div', { className: 'counter' }, el('dt', { text: label }), el('dd', { attrs: { 'data-counter': key } }))),
    )
  }
  for (const [, value, key] of rows) setText(dl.querySelector<HTMLElement>(`[data-counter="${key}"]`)!, value)

  const f = state.faults
  const pending = f.refreshFailures.map((x) => `${x.kind}${x.retryAfter !== undefined ? ` (Retry-After ${x.retryAfter} s)` : ''}`)
  const active = [
    pending.length ? `next refreshes fail: ${pending.join(', ')}` : '',
    f.latency ? `latency ${f.latency} ms` : '',
    f.clockOffset ? `server clock ${f.clockOffset > 0 ? '+' : ''}${Math.round(f.clockOffset / 1000)} s` : '',
    f.reuseGrace ? `reuse grace ${f.reuseGrace} ms` : '',
  ].filter(Boolean)
  setText($('faults-pending'), active.length ? `Active faults: ${active.join(' · ')}` : 'No faults active.')
  renderConsumed(state)

  if (!filled) {
    filled = true
    fillSettings(state)
  }
}

/** The queued faults already used, newest first, with the request that took each. */
function renderConsumed(state: MockState): void {
  const list = $('faults-consumed')
  const mine = ownSession()
  const items = [...state.faults.consumedFailures].reverse().map((f) => {
    const by = f.consumedBy
    const whose =
      by.sessionId === null ? 'no session' : by.sessionId === mine ? `${by.username}, this browser's session` : `${by.username}, session ${by.sessionId}`
    return el('li', { attrs: { 'data-consumed': String(f.kind) } }, `${f.kind} taken by ${by.method} ${by.path} at ${clockTime(by.at)} (${whose})`)
  })
  const key = JSON.stringify(state.faults.consumedFailures) + mine
  if (list.dataset.key === key) return
  list.dataset.key = key
  list.replaceChildren(...items)
  list.hidden = items.length === 0
}

let ownSession: () => string | null = () => null

function fillSettings(state: MockState): void {
  $<HTMLInputElement>('f-latency').value = String(state.faults.latency)
  $<HTMLInputElement>('f-clock').value = String(Math.round(state.faults.clockOffset / 1000))
  $<HTMLInputElement>('f-grace').value = String(state.faults.reuseGrace)
  $<HTMLInputElement>('f-lifetime').value = String(state.accessTokenLifetime)
}

function describeDone(path: string, body: Record<string, unknown>): string {
  if (path === 'steal') {
    const target = body.target as { sessionId: string; username: string }
    return `replayed the previous refresh token of ${target.username}'s session ${target.sessionId} (this tab's); the server revoked it. This tab learns it at its next refresh.`
  }
  if (path === 'expire-access')
    return `done. ${String(body.username)}'s access tokens (${String(body.expired)} session${body.expired === 1 ? '' : 's'}) expired; other users' are kept.`
  if (path === 'revoke-all')
    return `done. ${String(body.revoked)} session${body.revoked === 1 ? '' : 's'} of ${String(body.username)} revoked; other users' are kept.`
  if (path === 'clear-faults') return `${String(body.cleared)} queued fault${body.cleared === 1 ? '' : 's'} dropped.`
  return 'done.'
}

async function poll(): Promise<void> {
  try {
    latest = await fetchMockState()
    latestAt = Date.now()
    renderCounters(latest)
    setText($('counters-age'), '· live')
  } catch {
    setText($('counters-age'), latestAt ? `· server unreachable (last update ${timeAgo(latestAt)})` : '· server unreachable')
  }
}

/**
 * `sessionId` names this tab's session (the access token's `sid`): "Replay stolen refresh
 * token" attacks it, and consumed faults say whether it was this browser's.
 */
export function initFaultPanel(sessionId: () => string | null, onMessage: (text: string) => void = () => {}): void {
  ownSession = sessionId
  const message = $('fault-message')
  const report = (text: string, kind: 'ok' | 'error') => {
    showResult(message, text, kind)
    onMessage(text)
  }
  const apply = async (label: string, path: string, body?: unknown) => {
    try {
      const result = await post(path, body)
      if (!result.ok) return report(`${label}: ${String(result.body.error ?? 'refused')}`, 'error')
      if (result.body.state) {
        latest = result.body.state as MockState
        renderCounters(latest)
        if (path === 'reset') fillSettings(latest)
      }
      report(`${label}: ${describeDone(path, result.body)}`, 'ok')
    } catch {
      report(`${label}: the demo server could not be reached.`, 'error')
    }
  }

  $('f-apply-failures').addEventListener('click', () => {
    const kindValue = $<HTMLSelectElement>('f-kind').value
    const kind = /^\d+$/.test(kindValue) ? Number(kindValue) : kindValue
    const retryAfter = numberInput('f-retry')
    void apply(`Queued ${numberInput('f-count') ?? 1} × ${kindValue}`, 'faults', {
      refreshFailures: { count: numberInput('f-count') ?? 1, kind, ...(retryAfter !== undefined && { retryAfter }) },
    })
  })
  $('f-apply-settings').addEventListener('click', () => {
    const body: Record<string, number> = {}
    const latency = numberInput('f-latency')
    const clock = numberInput('f-clock')
    const grace = numberInput('f-grace')
    const lifetime = numberInput('f-lifetime')
    if (latency !== undefined) body.latency = latency
    if (clock !== undefined) body.clockOffset = clock * 1000
    if (grace !== undefined) body.reuseGrace = grace
    if (lifetime !== undefined) body.accessTokenLifetime = lifetime
    void apply('Server settings', 'faults', body)
  })
  const labels: Record<string, string> = {
    'expire-access': 'Expire access tokens',
    'clear-faults': 'Clear queued faults',
    steal: 'Replay stolen refresh token',
    'revoke-all': 'Revoke all my sessions',
    'reset-counters': 'Reset counters',
    reset: 'Reset backend',
  }
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-mock]')) {
    const path = button.dataset.mock!
    button.addEventListener('click', () => {
      // These act on this tab's session (steal) or its user (expire, revoke all): the page names
      // it by its `sid`, since the refresh cookie (Path=/auth) never reaches /__mock.
      const own = { steal: "it attacks this tab's own session", 'expire-access': "it acts on this tab's user", 'revoke-all': "it acts on this tab's user" }[
        path
      ]
      if (own === undefined) return void apply(labels[path] ?? path, path)
      const sid = ownSession()
      if (!sid) return report(`${labels[path]}: sign in first (${own}).`, 'error')
      void apply(labels[path]!, path, { sessionId: sid })
    })
  }

  void poll()
  setInterval(() => {
    if (document.visibilityState === 'visible') void poll()
  }, 1000)
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void poll()
  })
}

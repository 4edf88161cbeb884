import { TokenManager, type SessionSnapshot, type TokenManagerEventName, type TokenManagerEvents } from '../../src/index'
import { DEMO_USERS } from './users'
import { $, el, setText, showResult } from './dom'
import { fetchMockState, initFaultPanel } from './faults'
import { clockTime, countdown, describeError, describeStatus, EXPIRY_REASONS, isTimeout, policyNote } from './format'
import { initSessions } from './sessions'
import { initCheckPanel } from './check-panel'

// ------------------------------------------------------------------ configuration

const params = new URLSearchParams(location.search)
/** `?idle=120` (seconds) → ms; absent or invalid → the fallback. */
function secondsParam(name: string, fallback: number): number {
  const raw = params.get(name)
  const value = raw === null ? Number.NaN : Number(raw)
  return Number.isFinite(value) && value >= 0 ? value * 1000 : fallback
}

const config = {
  idleTimeout: secondsParam('idle', 2 * 60_000),
  idleWarningTime: secondsParam('warn', 30_000),
  maxSessionAge: secondsParam('maxAge', 30 * 60_000),
  // `?grace=10`: the server's reuse grace window this page trusts (set the same under "Reuse grace").
  reuseGrace: secondsParam('grace', 0),
}

const tm = new TokenManager(config)

interface LoggedEvent {
  type: TokenManagerEventName
  at: number
  source: string | null
  summary: string
}
const events: LoggedEvent[] = []
const tabId = Math.random().toString(36).slice(2, 6).toUpperCase()
const openedAt = Date.now()

declare global {
  interface Window {
    /** The page's TokenManager, for the console and the real-browser tests. */
    tm: TokenManager
    demo: { events: LoggedEvent[]; tabId: string; config: typeof config; mockState: typeof fetchMockState; ready: Promise<unknown> }
  }
}

// ------------------------------------------------------------------ event log

const EVENT_NAMES: TokenManagerEventName[] = ['signedIn', 'tokenRefreshed', 'signedOut', 'sessionExpired', 'idleWarning', 'error', 'change']

function summarize<K extends TokenManagerEventName>(type: K, payload: TokenManagerEvents[K]): string {
  const p = payload as Record<string, unknown>
  switch (type) {
    case 'signedIn': {
      const claims = (p.claims ?? {}) as Record<string, unknown>
      return `as ${String(claims.name ?? claims.sub ?? 'unknown')}`
    }
    case 'tokenRefreshed':
      return `token valid until ${clockTime(p.expiresAt as number)}`
    case 'signedOut':
      return p.everywhere ? 'everywhere' : 'this browser'
    case 'sessionExpired':
      return String(p.reason)
    case 'idleWarning':
      return `${Math.round((p.remainingMs as number) / 1000)} s left`
    case 'error': {
      const error = p.error as { code?: string }
      return `${error.code ?? 'ERROR'}: ${describeError(p.error)}`
    }
    case 'change': {
      const s = p.snapshot as SessionSnapshot
      return `status ${s.status}`
    }
    default:
      return ''
  }
}

const log = $('event-log')
const includeChanges = $<HTMLInputElement>('log-changes')

function appendLog(entry: LoggedEvent): void {
  const item = el(
    'li',
    { className: `ev ev-${entry.type}`, attrs: { 'data-event': entry.type } },
    el('time', { text: clockTime(entry.at) }),
    el('span', { className: 'ev-name', text: entry.type }),
    el('span', { className: `ev-source ev-source-${entry.source ?? 'none'}`, text: entry.source ?? '—' }),
    el('span', { className: 'ev-summary', text: entry.summary }),
  )
  item.hidden = entry.type === 'change' && !includeChanges.checked
  log.prepend(item)
  while (log.childElementCount > 300) log.lastElementChild!.remove()
}

for (const type of EVENT_NAMES) {
  tm.on(type, (payload) => {
    const source = (payload as { source?: string }).source ?? null
    const entry = { type, at: Date.now(), source, summary: summarize(type, payload) }
    events.push(entry)
    appendLog(entry)
  })
}
includeChanges.addEventListener('change', () => {
  for (const item of log.querySelectorAll<HTMLElement>('[data-event="change"]')) item.hidden = !includeChanges.checked
})
$('log-clear').addEventListener('click', () => log.replaceChildren())

// ------------------------------------------------------------------ status panel

const statusLabels: Record<string, string> = {
  unknown: 'checking…',
  signedOut: 'signed out',
  active: 'active',
  refreshing: 'refreshing',
  expired: 'expired',
}
const loginCard = $('login-card')
const actionButtons = [...document.querySelectorAll<HTMLButtonElement>('#actions [data-action]')]

function signedIn(s: SessionSnapshot = tm.getSnapshot()): boolean {
  return s.status === 'active' || s.status === 'refreshing'
}

function render(): void {
  const s = tm.getSnapshot()
  const pill = $('status-pill')
  setText(pill, statusLabels[s.status] ?? s.status)
  pill.className = `pill pill-${s.status}`
  setText($('st-status'), statusLabels[s.status] ?? s.status)
  const claims = s.claims ?? {}
  const roles = Array.isArray(claims.roles) ? ` · ${(claims.roles as string[]).join(', ')}` : ''
  const user = signedIn(s) && claims.sub ? `${String(claims.name ?? claims.sub)} (${String(claims.sub)})${roles}` : '—'
  setText($('st-user'), user)
  setText($('whoami'), signedIn(s) && claims.sub ? String(claims.name ?? claims.sub) : '')
  loginCard.hidden = s.status === 'unknown' || signedIn(s)
  for (const button of actionButtons) {
    button.disabled = button.dataset.action !== 'tab' && !signedIn(s)
  }
  tick()
}

/** When this tab last saw input (any kind): the SDK records activity at most once a second. */
let lastInputAt = 0
for (const type of ['pointermove', 'pointerdown', 'keydown', 'wheel', 'scroll', 'touchstart']) {
  addEventListener(type, () => (lastInputAt = Date.now()), { passive: true, capture: true })
}

/**
 * "Next proactive refresh". With sliding sessions the SDK arms it only after activity since
 * the current token, so `refreshAt` is null for up to a second after a refresh even while the
 * user is busy; and once the idle prompt is up, only a click or key press counts.
 */
function refreshLabel(s: SessionSnapshot, refreshAt: number | null, now: number): string {
  if (refreshAt) return refreshAt > now ? `in ${countdown(refreshAt, now)}` : 'due (waiting for activity or the next request)'
  if (!signedIn(s) || !config.idleTimeout) return '—'
  if (idleModal.open) return 'after a click or key press (the idle prompt is up; moving the mouse does not count)'
  if (now - lastInputAt < 2000) return 'being scheduled (activity seen)'
  return 'when you next use the page (an idle tab lets its token lapse)'
}

function tick(): void {
  const s = tm.getSnapshot()
  const { refreshAt, sessionDeadline } = tm.getDeadlines()
  const now = Date.now()
  setText($('st-expires'), s.expiresAt ? `${countdown(s.expiresAt, now)} (at ${clockTime(s.expiresAt)})` : '—')
  setText($('st-refresh'), refreshLabel(s, refreshAt, now))
  setText($('st-idle'), s.idleDeadline ? `in ${countdown(s.idleDeadline, now)}` : config.idleTimeout ? '—' : 'off')
  setText($('st-deadline'), sessionDeadline ? `${clockTime(sessionDeadline)} (in ${countdown(sessionDeadline, now)})` : config.maxSessionAge ? '—' : 'off')
  setText($('st-activity'), s.lastActivityAt ? `${Math.max(0, Math.round((now - s.lastActivityAt) / 1000))} s ago` : '—')
  const crossTab = typeof BroadcastChannel === 'function' ? `cross-tab sync on${'locks' in navigator ? ' (Web Locks)' : ''}` : 'cross-tab sync unavailable'
  setText($('st-tab'), `#${tabId} · ${document.visibilityState} · opened ${clockTime(openedAt)} · ${crossTab}`)
  tickIdleModal(s, now)
}

setText($('policy-note'), policyNote(config))

tm.subscribe(render)
setInterval(tick, 250)
document.addEventListener('visibilitychange', tick)

// ------------------------------------------------------------------ login

const userList = $('demo-users')
for (const user of DEMO_USERS) {
  const admin = (user.roles as readonly string[]).includes('admin')
  const button = el(
    'button',
    { className: 'user-row', attrs: { type: 'button', 'data-user': user.username } },
    el('span', { className: 'user-cred', text: `${user.username} / ${user.password}` }),
    el('span', { className: 'muted', text: `${user.name} · ${admin ? 'admin' : 'not an admin: /api/admin gives 403'}` }),
  )
  button.addEventListener('click', () => {
    $<HTMLInputElement>('username').value = user.username
    $<HTMLInputElement>('password').value = user.password
    $<HTMLButtonElement>('login-button').focus()
  })
  userList.append(el('li', {}, button))
}

const loginError = $('login-error')
const loginButton = $<HTMLButtonElement>('login-button')
let loginWaitTimer: ReturnType<typeof setInterval> | undefined

function lockLogin(seconds: number): void {
  clearInterval(loginWaitTimer)
  const until = Date.now() + seconds * 1000
  const update = () => {
    const left = Math.ceil((until - Date.now()) / 1000)
    if (left <= 0) {
      clearInterval(loginWaitTimer)
      loginButton.disabled = false
      setText(loginButton, 'Sign in')
      return
    }
    loginButton.disabled = true
    setText(loginButton, `Wait ${left} s`)
  }
  update()
  loginWaitTimer = setInterval(update, 500)
}

$<HTMLFormElement>('login-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const username = $<HTMLInputElement>('username').value.trim()
  const password = $<HTMLInputElement>('password').value
  if (!username || !password) {
    loginError.hidden = false
    showResult(loginError, 'Enter a username and a password.', 'error')
    return
  }
  loginButton.disabled = true
  loginError.hidden = true
  try {
    await tm.login({ username, password })
    $<HTMLInputElement>('password').value = ''
    loginButton.disabled = false
  } catch (error) {
    loginError.hidden = false
    showResult(loginError, describeError(error), 'error')
    loginError.dataset.status = String((error as { status?: number }).status ?? 'network')
    const retryAfter = (error as { retryAfter?: number }).retryAfter
    if (retryAfter) lockLogin(retryAfter)
    else loginButton.disabled = false
  }
})

// ------------------------------------------------------------------ actions

const result = $('action-result')

async function api(path: string): Promise<Response> {
  return tm.fetch(path, { signal: AbortSignal.timeout(15_000), headers: { accept: 'application/json' } })
}

function failure(error: unknown): string {
  if (isTimeout(error)) return 'The request timed out.'
  return describeError(error)
}

const actions: Record<string, () => Promise<void> | void> = {
  async me() {
    const started = performance.now()
    const response = await api('/api/me')
    const ms = Math.round(performance.now() - started)
    const problem = describeStatus(response)
    if (problem) return showResult(result, `GET /api/me → ${response.status} in ${ms} ms. ${problem}`, 'error')
    const body = (await response.json()) as { name: string; roles: string[] }
    showResult(result, `GET /api/me → 200 in ${ms} ms: ${body.name} (${body.roles.join(', ')})`, 'ok')
  },
  async burst() {
    const before = await fetchMockState().catch(() => null)
    const started = performance.now()
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => api('/api/me')))
    const ms = Math.round(performance.now() - started)
    const after = await fetchMockState().catch(() => null)
    const tally = new Map<string, number>()
    for (const outcome of outcomes) {
      const key = outcome.status === 'fulfilled' ? String(outcome.value.status) : failure(outcome.reason)
      tally.set(key, (tally.get(key) ?? 0) + 1)
      if (outcome.status === 'fulfilled') void outcome.value.body?.cancel()
    }
    const summary = [...tally].map(([key, n]) => `${n} × ${key}`).join(', ')
    const refreshes = before && after ? after.counters.refreshCalls - before.counters.refreshCalls : null
    const allOk = tally.size === 1 && tally.has('200')
    showResult(
      result,
      `20 concurrent calls in ${ms} ms → ${summary}.` + (refreshes !== null ? ` Refresh requests the server saw meanwhile: ${refreshes}.` : ''),
      allOk ? 'ok' : 'error',
    )
    result.dataset.refreshes = String(refreshes)
  },
  async admin() {
    const response = await api('/api/admin')
    const problem = describeStatus(response)
    if (problem) return showResult(result, `GET /api/admin → ${response.status}. ${problem}`, 'error')
    const body = (await response.json()) as { secret: string }
    showResult(result, `GET /api/admin → 200: welcome to ${body.secret}.`, 'ok')
  },
  async refresh() {
    await tm.refresh()
    showResult(result, `Refreshed. New access token valid until ${clockTime(tm.getSnapshot().expiresAt)}.`, 'ok')
  },
  touch() {
    tm.touch()
    const deadline = tm.getSnapshot().idleDeadline
    showResult(result, deadline ? `Activity recorded: idle sign-out moved to ${clockTime(deadline)}.` : 'Activity recorded.', 'ok')
  },
  tab() {
    window.open(location.href, '_blank')
  },
  async logout() {
    await tm.logout()
    showResult(result, 'Signed out in every tab of this browser.', 'ok')
  },
  async 'logout-everywhere'() {
    await tm.logout({ everywhere: true })
    showResult(result, 'Signed out on every device.', 'ok')
  },
}

for (const button of actionButtons) {
  button.addEventListener('click', async () => {
    const name = button.dataset.action!
    const wasDisabled = button.disabled
    button.disabled = true
    showResult(result, 'Working…', 'info')
    try {
      await actions[name]!()
    } catch (error) {
      showResult(result, failure(error), 'error')
    } finally {
      button.disabled = wasDisabled && !signedIn() && name !== 'tab'
      render()
    }
  })
}

// ------------------------------------------------------------------ modals

const expiredModal = $<HTMLDialogElement>('expired-modal')
const idleModal = $<HTMLDialogElement>('idle-modal')

tm.on('sessionExpired', ({ reason }) => {
  if (idleModal.open) idleModal.close()
  const why = EXPIRY_REASONS[reason] ?? reason
  const detail =
    reason === 'idle' ? ` (${config.idleTimeout / 1000} s without activity)` : reason === 'max_age' ? ` (${config.maxSessionAge / 60_000} min)` : ''
  setText($('expired-reason'), `${why}${detail}`)
  expiredModal.dataset.reason = reason
  if (!expiredModal.open) expiredModal.showModal()
})
tm.on('signedIn', () => {
  if (expiredModal.open) expiredModal.close()
  void sessions.load()
})
tm.on('signedOut', () => {
  if (idleModal.open) idleModal.close()
  sessions.clear()
})
tm.on('sessionExpired', () => sessions.clear())
tm.on('idleWarning', () => {
  if (!idleModal.open && !expiredModal.open) idleModal.showModal()
  tick()
})

function tickIdleModal(s: SessionSnapshot, now: number): void {
  if (!idleModal.open) return
  // Activity in any tab moves the deadline back out of the warning window: the modal goes.
  if (!signedIn(s) || s.idleDeadline === null || s.idleDeadline - now > config.idleWarningTime + 1000) {
    idleModal.close()
    return
  }
  setText($('idle-countdown'), countdown(s.idleDeadline, now))
}

$('expired-close').addEventListener('click', () => expiredModal.close())
$('expired-login').addEventListener('click', () => {
  expiredModal.close()
  loginCard.hidden = false
  $<HTMLInputElement>('username').focus()
})
$('idle-stay').addEventListener('click', () => {
  tm.touch()
  idleModal.close()
})

// ------------------------------------------------------------------ start

const sessions = initSessions(tm)
initCheckPanel()
initFaultPanel(() => {
  const sid = tm.getSnapshot().claims?.sid
  return typeof sid === 'string' ? sid : null
})
window.tm = tm
const ready = tm.start().then(
  () => render(),
  (error: unknown) => showResult(result, `Could not resume the session: ${describeError(error)}`, 'error'),
)
window.demo = { events, tabId, config, mockState: fetchMockState, ready }
render()

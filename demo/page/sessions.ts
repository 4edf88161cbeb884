import type { SessionInfo, TokenManager } from '../../src/index'
import { $, el, setText, showResult } from './dom'
import { clockTime, describeError, timeAgo } from './format'

/** The device-sessions table, through `tm.sessions` (Bearer, refresh and replay included). */

const DEVICE_LABELS: Record<string, string> = { desktop: 'Desktop', mobile: 'Phone', tablet: 'Tablet', unknown: 'Unknown device' }

export function initSessions(tm: TokenManager) {
  const table = $<HTMLTableElement>('sessions-table')
  const body = $('sessions-body')
  const message = $('sessions-message')
  const revokeOthers = $<HTMLButtonElement>('sessions-revoke-others')
  const reload = $<HTMLButtonElement>('sessions-reload')
  let rows: SessionInfo[] = []
  let loading = false

  const signedIn = () => ['active', 'refreshing'].includes(tm.getSnapshot().status)

  function render(): void {
    table.hidden = rows.length === 0
    revokeOthers.disabled = !signedIn() || rows.filter((r) => !r.current).length === 0
    reload.disabled = !signedIn()
    body.replaceChildren(
      ...rows.map((row) => {
        const device = el('td', { attrs: { 'data-label': 'Device' } }, el('span', { text: DEVICE_LABELS[row.device] ?? row.device }))
        if (row.current) device.append(' ', el('span', { className: 'badge', text: 'This device' }))
        const actions = el('td', { className: 'actions-cell' })
        if (!row.current) {
          const button = el('button', {
            className: 'small-button danger',
            text: 'Revoke',
            attrs: { 'data-revoke': row.id, 'aria-label': `Revoke ${row.browser} on ${row.os}` },
          })
          button.addEventListener('click', () => void revoke(row, button))
          actions.append(button)
        }
        return el(
          'tr',
          { className: row.current ? 'current' : '', attrs: { 'data-session': row.id } },
          device,
          el('td', { text: `${row.browser || 'Unknown'} on ${row.os || 'Unknown'}`, attrs: { 'data-label': 'Browser' } }),
          el('td', { text: row.ip || '—', attrs: { 'data-label': 'IP' } }),
          el('td', {
            text: timeAgo(row.lastActiveAt),
            title: new Date(row.lastActiveAt).toLocaleString(),
            attrs: { 'data-label': 'Last active', 'data-ago': row.lastActiveAt },
          }),
          el('td', { text: clockTime(row.createdAt), title: new Date(row.createdAt).toLocaleString(), attrs: { 'data-label': 'Signed in' } }),
          actions,
        )
      }),
    )
  }

  async function load(): Promise<void> {
    if (!signedIn() || loading) return
    loading = true
    reload.disabled = true
    try {
      rows = await tm.sessions.list()
      showResult(message, `${rows.length} active session${rows.length === 1 ? '' : 's'} (most recently active first).`, 'info')
    } catch (error) {
      showResult(message, `Could not load sessions: ${describeError(error)}`, 'error')
    } finally {
      loading = false
      render()
    }
  }

  async function revoke(row: SessionInfo, button: HTMLButtonElement): Promise<void> {
    button.disabled = true
    try {
      await tm.sessions.revoke(row.id)
      showResult(message, `Signed out ${row.browser} on ${row.os}.`, 'ok')
    } catch (error) {
      showResult(message, `Could not revoke: ${describeError(error)}`, 'error')
    }
    await load()
  }

  revokeOthers.addEventListener('click', async () => {
    if (!confirm('Sign out all other devices? They will have to sign in again.')) return
    revokeOthers.disabled = true
    try {
      const count = await tm.sessions.revokeOthers()
      showResult(message, `Signed out ${count} other device${count === 1 ? '' : 's'}.`, 'ok')
    } catch (error) {
      showResult(message, `Could not sign out other devices: ${describeError(error)}`, 'error')
    }
    await load()
  })
  reload.addEventListener('click', () => void load())

  // "2 minutes ago" keeps moving without asking the server.
  setInterval(() => {
    for (const cell of body.querySelectorAll<HTMLElement>('[data-ago]')) setText(cell, timeAgo(cell.dataset.ago!))
  }, 10_000)

  return {
    load,
    clear(): void {
      rows = []
      render()
      showResult(message, 'Sign in to see your sessions.', 'info')
    },
  }
}

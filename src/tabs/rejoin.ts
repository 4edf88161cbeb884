import type { RefreshCoordinator } from '../refresh/coordinator'
import type { Session } from '../session/session'
import type { TabBridge } from './bridge'
import type { TabMessage } from './protocol'
import type { Tabs } from './tab-sync'

export interface RejoinDeps {
  session: Session
  bridge: TabBridge
  refresh: RefreshCoordinator
  tabs: Tabs
  /** How long to wait for the other tabs' answers (the join window of `start()`). */
  window: number
  /** Re-checks the idle and max-age deadlines (the answers took a while): before any refresh. */
  checkDeadlines(): void
}

type Welcome = Extract<TabMessage, { type: 'welcome' }>

/**
 * A page restored from the back/forward cache or resumed after a freeze missed what the other
 * tabs said meanwhile (a logout, a rotation, a sign-in). It says `hello` again, as a joining tab
 * does, and until the answers are in, its token is not used: a peer's current token vouches for
 * (or replaces) it; with no such answer the server decides, through one refresh.
 */
export function createRejoin(deps: RejoinDeps): { readonly pending: Promise<void> | null; run(): Promise<void> } {
  let current: Promise<void> | null = null
  return {
    /** The re-sync in progress, if any: token users wait for it. */
    get pending() {
      return current
    },
    /** Starts a re-sync, or joins the one in progress. Never rejects. */
    run() {
      current ??= rejoin(deps)
        .catch(() => undefined)
        .finally(() => {
          current = null
        })
      return current
    },
  }
}

async function rejoin(deps: RejoinDeps): Promise<void> {
  const { session, bridge, refresh, tabs } = deps
  let vouched = false
  if (await tabs.mayHavePeers()) {
    void tabs.post({ type: 'hello' })
    const answer = (await tabs.waitFor((m) => m.type === 'welcome' && m.token !== null, deps.window)) as Welcome | null
    if (session.destroyed) return
    if (answer?.token) {
      // What the tab missed may be a sign-in (another account, or after a logout here): the
      // welcome is then adopted as one, not as a mere token update of the session it replaced.
      bridge.adoptMissed(answer.token, answer.lastActivityAt)
      vouched = session.token?.value === answer.token.accessToken
    }
  }
  if (session.destroyed) return
  // A session past its idle or max-age deadline ends here, and is not refreshed.
  deps.checkDeadlines()
  if (vouched || !session.hasSession() || !session.token) return
  // No tab vouches for the token (alone, or the others are signed out): ask the server, which
  // knows of a logout in a tab closed since, on another device, or a revoked session. Only a tab
  // that can refresh by itself does (the cookie, or the body-mode refresh token it holds).
  if (!session.cookieMode && !session.refreshToken) return
  // A rejected refresh ends the session (everywhere); a transient failure keeps the token, as any failed refresh does.
  await refresh.run(session.token.value)
}

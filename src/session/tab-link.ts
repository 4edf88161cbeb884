import type { RefreshLock } from '../refresh/refresh-lock'

/** The token as shared between tabs: never the refresh token. */
export interface SharedToken {
  accessToken: string
  /** Local epoch ms; tabs of one browser share the clock. */
  expiresAt: number
  lifetime: number
  /** Local epoch ms at which the token was received from the server (informational: order is `seq`). */
  receivedAt: number
  /** Epoch ms of sign-in, for `maxSessionAge`. */
  sessionStartedAt: number
  /** Random id of the session (one per sign-in) this token belongs to. */
  session: string
  /** Sequence number of this token (`SequenceClock`): of two tokens of one session, the higher is newer. */
  seq: number
  /** Sequence number of the session's sign-in: orders it against logouts and other sign-ins. */
  sessionSeq: number
}

/** Which session a token belongs to, and when it began. */
export interface SessionIdentity {
  session: string
  sessionSeq: number
  sessionStartedAt: number
}

/** What the session and refresh layers tell the other tabs (the wire protocol has more kinds: `src/tabs/protocol.ts`). */
export type SessionMessage =
  | ({ type: 'token' } & SharedToken)
  /** `resumed`: found with the refresh cookie, not a login (a logout this browser has not seen acknowledged refuses it). */
  | ({ type: 'signedIn'; resumed?: boolean } & SharedToken)
  | { type: 'expired'; reason: 'refresh_rejected' | 'idle' | 'max_age'; session: string | null; seq: number }
  /** Body mode: a tab without the refresh token asks the tab holding it to refresh. */
  | { type: 'refreshRequest' }
  /**
   * A refresh failed transiently (body mode: the tabs that asked stop waiting). `lost`: its reply
   * may have been lost after the server rotated, so the other tabs hold back the same token too.
   */
  | { type: 'refreshFailed'; lost?: true }

/**
 * The other tabs as the session and refresh layers see them: say something, wait for an answer,
 * take the refresh mutex. `src/tabs/tab-sync.ts` implements it over the channel; with cross-tab
 * sync off it is `noTabs` there (nobody listens, `localLock`), so no caller checks for "no tabs".
 */
export interface TabLink {
  /** Whether other tabs can hear this one at all (cross-tab sync on); they may still be none. */
  readonly crossTab: boolean
  /** Whether another tab has ever spoken on the channel. */
  readonly peersSeen: boolean
  /** The cross-tab refresh mutex. */
  readonly lock: RefreshLock
  post(message: SessionMessage): Promise<void>
  /** Resolves with the first message from another tab that `match`es, or `null` after `timeout` ms. */
  waitFor(match: (message: { type: string }) => boolean, timeout: number): Promise<unknown>
}

/** Another tab's answer to a `refreshRequest` (body mode): a token, or the end of the wait. */
export const answersRefreshRequest = (m: { type: string }): boolean =>
  m.type === 'token' || m.type === 'signedIn' || m.type === 'expired' || m.type === 'refreshFailed'

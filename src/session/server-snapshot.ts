import type { SessionSnapshot } from '../types'

/**
 * The snapshot the framework bindings render on the server and during hydration: status
 * `'unknown'`, every other field `null`. The session lives in the browser's memory, so the
 * server cannot know it, and a manager shared by every server request must not render one
 * user's session into another's page. One frozen object, so every read is the same value.
 */
export const SERVER_SNAPSHOT: Readonly<SessionSnapshot> = Object.freeze({
  status: 'unknown',
  expiresAt: null,
  claims: null,
  lastActivityAt: null,
  idleDeadline: null,
})

import type { BrowserEnvironment, WakeReason } from '../../src'

/** A scriptable environment that counts its listeners, for rules tested without a DOM. */
export function createFakeEnvironment() {
  const wake = new Set<(reason: WakeReason) => void>()
  const activity = new Set<(event?: { readonly type: string }) => void>()
  let activityEvents: readonly string[] = []
  const environment: BrowserEnvironment = {
    onWake(listener) {
      wake.add(listener)
      return () => wake.delete(listener)
    },
    onActivity(events, listener) {
      activityEvents = events
      activity.add(listener)
      return () => activity.delete(listener)
    },
  }
  return {
    environment,
    wake: (reason: WakeReason) => {
      for (const l of [...wake]) l(reason)
    },
    act: (type?: string) => {
      for (const l of [...activity]) l(type === undefined ? undefined : { type })
    },
    get listenerCount() {
      return wake.size + activity.size
    },
    get activityListeners() {
      return activity.size
    },
    get activityEvents() {
      return activityEvents
    },
  }
}

import { vi } from 'vitest'
import { localLock, type RefreshLock } from '../../src/refresh/refresh-lock'
import type { TabMessageBody } from '../../src/tabs/protocol'
import type { Tabs } from '../../src/tabs/tab-sync'

/** A typed stand-in for the other tabs: records what this tab posts; nobody answers. */
export function fakeTabs(options: { peersSeen?: boolean; lock?: RefreshLock } = {}) {
  const posted: TabMessageBody[] = []
  const tabs = {
    crossTab: true,
    peersSeen: options.peersSeen ?? false,
    lock: options.lock ?? localLock,
    post: vi.fn(async (body: TabMessageBody) => void posted.push(body)),
    waitFor: vi.fn<Tabs['waitFor']>(async () => null),
    mayHavePeers: vi.fn<Tabs['mayHavePeers']>(async () => false),
    shareActivity: vi.fn(),
    close: vi.fn(),
  } satisfies Tabs
  return { tabs, posted }
}

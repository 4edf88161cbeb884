import type { Navigation } from '../../src/index'

/** The address bar and sessionStorage of one tab, for the `oauth2` preset's redirect round trip. */
export function createNavigation(start = 'https://app.example.com/') {
  const storage = new Map<string, string>()
  const nav: { url: string; assigned: string[]; replaced: string[]; storage: Map<string, string>; navigation: Navigation } = {
    url: start,
    assigned: [],
    replaced: [],
    storage,
    navigation: {
      currentUrl: () => nav.url,
      assign: (url: string) => void nav.assigned.push(url),
      replace: (url: string) => {
        nav.replaced.push(url)
        nav.url = url
      },
      storage: () => ({
        getItem: (key: string) => storage.get(key) ?? null,
        setItem: (key: string, value: string) => void storage.set(key, value),
        removeItem: (key: string) => void storage.delete(key),
      }),
    } satisfies Navigation,
  }
  return nav
}

// What the README's snippets assume the app already has (scripts/readme-snippets.mjs checks
// every ts/tsx block of README.md with these in scope). Typed as an app would type them.
// A script file (no top-level import), so the `declare module` below is ambient.

/** The app's "sign in again" modal: one function for the event and the error. */
declare function showLoginModal(reason: import('tokenkeeper').SessionEndReason): void
/** The app's root component and its login modal. */
declare function App(): import('react').JSX.Element
declare function LoginModal(props: { reason: import('tokenkeeper').SessionEndReason; onClose: () => void }): import('react').JSX.Element
/** What the framework recipes' API call returns. */
interface Order {
  id: string
  total: number
}
/** An app's telemetry client. */
declare const telemetry: { log(entry: unknown): void }
/** The app's manager (auth.ts in the React section), for snippets that only use it. */
declare const tm: import('tokenkeeper').TokenManager
/** The idle prompt of the sliding-sessions recipe. */
declare const dialog: { show(): void; hide(): void; text: string }
declare const stayButton: HTMLButtonElement

// Svelte is not installed here: the one type its snippet uses.
declare module 'svelte/store' {
  export interface Readable<T> {
    subscribe(run: (value: T) => void): () => void
  }
}

// Single-file components, as an app's bundler types them (the Vue recipe's main.ts imports one).
declare module '*.vue' {
  const component: import('vue').Component
  export default component
}

// What the README's snippets assume the app already has (scripts/readme-snippets.mjs checks
// every ts/tsx block of README.md with these in scope). Typed as an app would type them.
import type { SessionEndReason } from 'tokenkeeper'

declare global {
  /** The app's "sign in again" modal: one function for the event and the error. */
  function showLoginModal(reason: SessionEndReason): void
  /** The app's root component and its login modal. */
  function App(): JSX.Element
  function LoginModal(props: { reason: SessionEndReason; onClose: () => void }): JSX.Element
  /** An app's telemetry client. */
  const telemetry: { log(entry: unknown): void }
}

// Svelte is not installed here: the one type its snippet uses.
declare module 'svelte/store' {
  export interface Readable<T> {
    subscribe(run: (value: T) => void): () => void
  }
}

// Type-level tests: checked by `npm run typecheck` (tsc over test/), never executed.
// (`vitest --typecheck` would run them too; the default vitest include only runs *.test.ts.)
import { createElement } from 'react'
import { describe, expectTypeOf, it } from 'vitest'
import type { ShallowRef } from 'vue'
import {
  TokenManager,
  type ExpiryReason,
  type SessionEndReason,
  SessionExpiredError,
  type SessionSnapshot,
  type SessionStatus,
  type TokenKeeperError,
  type TokenManagerEvents,
} from '../src'
import { SERVER_SNAPSHOT, TokenKeeperProvider, useSession, useSessionEvent, useTokenManager } from '../src/react'
import {
  provideTokenManager,
  tokenKeeper,
  useSession as useVueSession,
  useSessionEvent as useVueSessionEvent,
  useTokenManager as useVueTokenManager,
} from '../src/vue'

declare const tm: TokenManager

describe('event payloads', () => {
  it('tm.on infers each payload from the event name', () => {
    tm.on('sessionExpired', (p) => {
      expectTypeOf(p.reason).toEqualTypeOf<'refresh_rejected' | 'idle' | 'max_age' | 'signed_out'>()
      expectTypeOf(p.reason).toEqualTypeOf<SessionEndReason>()
      expectTypeOf(p).toEqualTypeOf<{ reason: SessionEndReason }>()
    })
    tm.on('signedIn', (p) => {
      expectTypeOf(p).toEqualTypeOf<{ claims: Record<string, unknown> | null }>()
    })
    tm.on('tokenRefreshed', (p) => expectTypeOf(p).toEqualTypeOf<{ expiresAt: number; source: 'local' | 'remote' }>())
    tm.on('signedOut', (p) => expectTypeOf(p).toEqualTypeOf<{ source: 'local' | 'remote'; everywhere: boolean }>())
    tm.on('idleWarning', (p) => expectTypeOf(p).toEqualTypeOf<{ expiresAt: number; remainingMs: number }>())
    tm.on('error', (p) => expectTypeOf(p.error).toEqualTypeOf<TokenKeeperError>())
    tm.on('change', (p) => expectTypeOf(p.snapshot).toEqualTypeOf<SessionSnapshot>())
    expectTypeOf(tm.on('change', () => undefined)).toEqualTypeOf<() => void>()
    // @ts-expect-error unknown event name
    tm.on('sessionExpird', () => undefined)
    // @ts-expect-error no such payload field
    tm.on('sessionExpired', (p) => p.status)
    expectTypeOf<keyof TokenManagerEvents>().toEqualTypeOf<
      'signedIn' | 'tokenRefreshed' | 'signedOut' | 'sessionExpired' | 'idleWarning' | 'error' | 'change'
    >()
  })

  it('the snapshot contract', () => {
    expectTypeOf(tm.getSnapshot()).toEqualTypeOf<SessionSnapshot>()
    expectTypeOf(tm.getSnapshot().status).toEqualTypeOf<'unknown' | 'signedOut' | 'active' | 'refreshing' | 'expired'>()
    expectTypeOf(tm.subscribe).parameter(0).toEqualTypeOf<() => void>()
    expectTypeOf(tm.subscribe(() => undefined)).toEqualTypeOf<() => void>()
  })
})

describe('tokenkeeper/react', () => {
  it('hook return types', () => {
    expectTypeOf(useSession()).toEqualTypeOf<SessionSnapshot>()
    expectTypeOf(useSession((s) => s.status)).toEqualTypeOf<SessionStatus>()
    expectTypeOf(useSession((s) => s.expiresAt)).toEqualTypeOf<number | null>()
    expectTypeOf(
      useSession(
        (s) => ({ sub: s.claims?.sub }),
        (a, b) => a.sub === b.sub,
      ),
    ).toEqualTypeOf<{ sub: unknown }>()
    expectTypeOf(useTokenManager()).toEqualTypeOf<TokenManager>()
    expectTypeOf(useSessionEvent('change', () => undefined)).toEqualTypeOf<void>()
    expectTypeOf(SERVER_SNAPSHOT).toMatchTypeOf<SessionSnapshot>()
  })

  it('useSessionEvent types the payload from the event name', () => {
    useSessionEvent('sessionExpired', (p) => expectTypeOf(p.reason).toEqualTypeOf<SessionEndReason>())
    useSessionEvent('idleWarning', (p) => expectTypeOf(p.remainingMs).toEqualTypeOf<number>())
    // @ts-expect-error unknown event name
    useSessionEvent('expired', () => undefined)
    // @ts-expect-error the handler's payload must match the event
    useSessionEvent('tokenRefreshed', (p: { reason: ExpiryReason }) => p)
    useSession(
      // @ts-expect-error the selector's equality compares selections (a string selection, a number comparator)
      (s) => s.status,
      (a: number, b: number) => a === b,
    )
  })

  it('the provider needs a manager', () => {
    createElement(TokenKeeperProvider, { manager: tm })
    // @ts-expect-error `manager` is required
    createElement(TokenKeeperProvider, {})
    // @ts-expect-error a manager, not its options
    createElement(TokenKeeperProvider, { manager: { baseUrl: 'https://app.example.com' } })
  })
})

describe('tokenkeeper/vue', () => {
  it('useSession returns a read-only shallow ref of the snapshot', () => {
    const session = useVueSession(tm)
    expectTypeOf(session).toEqualTypeOf<Readonly<ShallowRef<SessionSnapshot>>>()
    expectTypeOf(session.value).toEqualTypeOf<SessionSnapshot>()
    expectTypeOf(session.value.status).toEqualTypeOf<SessionStatus>()
    // @ts-expect-error read-only
    session.value = tm.getSnapshot()
  })

  it('useSession(selector, isEqual?, tm?) returns a read-only shallow ref of the slice, as React returns the slice', () => {
    const status = useVueSession((s) => s.status)
    expectTypeOf(status).toEqualTypeOf<Readonly<ShallowRef<SessionStatus>>>()
    expectTypeOf(
      useVueSession(
        (s) => s.expiresAt,
        (a, b) => a === b,
        tm,
      ).value,
    ).toEqualTypeOf<number | null>()
    // @ts-expect-error read-only
    status.value = 'active'
  })
})

describe('one end-reason type for the event and the error', () => {
  it('a shared showLoginModal(reason) accepts both', () => {
    const showLoginModal = (reason: SessionEndReason) => reason
    tm.on('sessionExpired', ({ reason }) => showLoginModal(reason))
    showLoginModal(new SessionExpiredError('signed_out').reason)
    expectTypeOf<SessionExpiredError['reason']>().toEqualTypeOf<SessionEndReason>()
    expectTypeOf<ExpiryReason>().toMatchTypeOf<SessionEndReason>()
  })
})

describe('typed claims', () => {
  type Claims = { sub: string; role: 'admin' | 'user' }
  interface InterfaceClaims {
    sub: string
  }
  const typed = new TokenManager<Claims>({ baseUrl: 'https://app.example.com' })

  it('flow into the snapshot and the events; the default stays Record<string, unknown>', () => {
    expectTypeOf(typed.getSnapshot().claims).toEqualTypeOf<Claims | null>()
    expectTypeOf(typed.getSnapshot().claims!.role).toEqualTypeOf<'admin' | 'user'>()
    typed.on('signedIn', (p) => expectTypeOf(p.claims).toEqualTypeOf<Claims | null>())
    typed.on('change', (p) => expectTypeOf(p.snapshot.claims).toEqualTypeOf<Claims | null>())
    expectTypeOf(typed.start()).resolves.toEqualTypeOf<SessionSnapshot<Claims>>()
    expectTypeOf(typed.login({})).resolves.toEqualTypeOf<SessionSnapshot<Claims>>()
    expectTypeOf(tm.getSnapshot().claims).toEqualTypeOf<Record<string, unknown> | null>()
    // Interfaces work too (no index signature needed).
    expectTypeOf(new TokenManager<InterfaceClaims>().getSnapshot().claims).toEqualTypeOf<InterfaceClaims | null>()
    // @ts-expect-error no such claim
    void typed.getSnapshot().claims?.name
    // @ts-expect-error claims are objects
    new TokenManager<string>()
  })

  it('flow into the React hooks and provider', () => {
    createElement(TokenKeeperProvider<Claims>, { manager: typed })
    expectTypeOf(useSession<Claims>().claims).toEqualTypeOf<Claims | null>()
    expectTypeOf(useSession((s: SessionSnapshot<Claims>) => s.claims?.role)).toEqualTypeOf<'admin' | 'user' | undefined>()
    expectTypeOf(useTokenManager<Claims>()).toEqualTypeOf<TokenManager<Claims>>()
    useSessionEvent<'signedIn', Claims>('signedIn', (p) => expectTypeOf(p.claims).toEqualTypeOf<Claims | null>())
    // An explicit manager carries its claims type into the hooks.
    expectTypeOf(useSession(typed).claims).toEqualTypeOf<Claims | null>()
    expectTypeOf(useSession((s) => s.claims?.role, undefined, typed)).toEqualTypeOf<'admin' | 'user' | undefined>()
    useSessionEvent('signedIn', (p) => expectTypeOf(p.claims).toEqualTypeOf<Claims | null>(), typed)
  })

  it('flow into the Vue composables', () => {
    expectTypeOf(useVueSession(typed).value.claims).toEqualTypeOf<Claims | null>()
    expectTypeOf(useVueSession<Claims>().value.claims).toEqualTypeOf<Claims | null>()
    expectTypeOf(useVueTokenManager<Claims>()).toEqualTypeOf<TokenManager<Claims>>()
    useVueSessionEvent('signedIn', (p) => expectTypeOf(p.claims).toEqualTypeOf<Claims | null>(), typed)
    useVueSessionEvent('sessionExpired', (p) => expectTypeOf(p.reason).toEqualTypeOf<SessionEndReason>())
    provideTokenManager(typed)
    expectTypeOf(tokenKeeper(typed).install).parameter(0).toMatchTypeOf<object>()
    expectTypeOf(useVueSession((s) => s.claims?.role, undefined, typed)).toEqualTypeOf<Readonly<ShallowRef<'admin' | 'user' | undefined>>>()
    expectTypeOf(useVueSession((s: SessionSnapshot<Claims>) => s.claims?.sub).value).toEqualTypeOf<string | undefined>()
  })
})

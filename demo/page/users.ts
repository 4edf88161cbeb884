/**
 * The demo users shown on the sign-in card. A copy of `DEMO_USERS` in src/testing/model.ts
 * (which imports node:crypto and cannot go into the browser bundle); test/demo/page.test.ts
 * checks the two agree.
 */
export const DEMO_USERS = [
  { username: 'alice', password: 'wonderland', name: 'Alice Liddell', roles: ['admin'] },
  { username: 'bob', password: 'builder', name: 'Bob the Builder', roles: ['user'] },
  { username: 'carol', password: 'singer', name: 'Carol Danvers', roles: ['user'] },
] as const

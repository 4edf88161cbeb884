// The demo's mock backend is the public test kit, tokenkeeper/testing (src/testing/): the demo,
// the project's tests and apps' tests run the same handlers.
export * from '../../src/testing/backend'

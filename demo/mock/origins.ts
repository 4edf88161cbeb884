// The mock backend's origin policy lives with the test kit (src/testing/origins.ts).
export * from '../../src/testing/origins'

import { defineConfig } from 'vitest/config'

// The database tests again, over HTTP against the ClickHouse test server (test/support/clickHouseTestServer.ts),
// which runs in a process of its own and shares no files with the client. See docs/remote-server.md.
export default defineConfig({
  test: {
    include: ['test/db/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/support/remoteDbSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})

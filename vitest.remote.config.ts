import { defineConfig } from 'vitest/config'
import { maxWorkers } from './vitest.config.ts'

// The database tests again, over HTTP against the ClickHouse test server (test/support/clickHouseTestServer.ts):
// one server for the run, in a process and data dir of its own, sharing no files with the client; each
// createTestDb makes a database of its own on it. See docs/remote-server.md.
export default defineConfig({
  test: {
    include: ['test/db/**/*.test.ts'],
    exclude: [
      // These start the server or CLI to test what belongs to an embedded DATA_DIR (its lock, start-up
      // messages, the CLI's load into a stopped store); remoteServer.test.ts runs both against a ClickHouse
      // test server in every suite.
      'test/db/ingestCli.test.ts',
      'test/db/startup.test.ts',
      'test/db/remoteServer.test.ts',
      // Kills embedded loading processes at every statement of a batch (minutes of restarts); the killed
      // server over HTTP is ingestCrash.test.ts, which runs remote too.
      'test/db/ingestKillPoints.test.ts',
      // Bounds the memory of a server process that holds the embedded engine; over HTTP the engine's memory
      // is the remote server's, and four concurrent large loads through one test-server process ran past
      // the time limit in one CI run of two.
      'test/db/ingestConcurrency.test.ts',
    ],
    pool: 'forks',
    // Two files at a time against the one test server: 295 s against 462 with one (2026-12-01).
    maxWorkers,
    globalSetup: ['test/support/remoteDbSetup.ts'],
    // As generous as the embedded suite's (vitest.config.ts): two files and the test server share two cores.
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
})

import type { TestProject } from 'vitest/node'
import { startClickHouseTestServer } from './clickHouseTestServer.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set under vitest.remote.config.ts: createTestDb then makes its databases on this server. */
    clickHouseTestServer: { url: string; user: string; password: string } | undefined
  }
}

/** vitest global setup of the remote suite: one ClickHouse test server for every file, stopped at the end. */
export default async function setup(project: TestProject) {
  const server = await startClickHouseTestServer()
  project.provide('clickHouseTestServer', { url: server.url, user: server.user, password: server.password })
  return () => server.stop()
}

import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { inject } from 'vitest'
import { createDb, type Db, type DbOptions } from '../../server/db/createDb.ts'
import { migrate } from '../../server/db/migrate.ts'

/**
 * A real engine on a fresh store, fully migrated. By default the embedded engine on a temporary data dir,
 * one per test file (process). Under vitest.remote.config.ts, a database of its own on the ClickHouse test
 * server (clickHouseTestServer.ts) over HTTP; `dir` is then the client's own data dir (keys, spool), which
 * the server cannot see.
 */
export async function createTestDb(): Promise<Db & { dir: string; cleanup(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-test-'))
  const db = await createDb(testStore(dir).options)
  await migrate(db)
  return Object.assign(db, {
    dir,
    async cleanup() {
      if (db.mode === 'remote') await db.client.command({ query: `DROP DATABASE IF EXISTS ${db.database}` })
      await db.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  })
}

/**
 * The store of a test whose server or CLI runs in a process of its own: the options to open it with, and the
 * environment that makes that process open the same store (an embedded DATA_DIR, or a fresh database on the
 * ClickHouse test server under vitest.remote.config.ts).
 */
export function testStore(dataDir: string): { options: DbOptions; env: Record<string, string> } {
  const server = inject('clickHouseTestServer')
  if (!server) return { options: { mode: 'embedded', dataDir }, env: { DATA_DIR: dataDir } }
  const database = `test_${randomBytes(6).toString('hex')}`
  return {
    options: { mode: 'remote', url: server.url, user: server.user, password: server.password, database },
    env: {
      DATA_DIR: dataDir,
      CLICKHOUSE_URL: server.url,
      CLICKHOUSE_USER: server.user,
      CLICKHOUSE_PASSWORD: server.password,
      CLICKHOUSE_DATABASE: database,
    },
  }
}

/** Rows of a query as plain objects. */
export async function rows<T = Record<string, unknown>>(
  db: Db,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const result = await db.client.query({ query, query_params: params, format: 'JSONEachRow' })
  return result.json<T>()
}

/** A row for the `stores` table (a store in Paris unless `place` says otherwise). */
export const storeRow = (
  merchant_id: string,
  store_id: string,
  lat: number,
  lon: number,
  timezone = 'Europe/Paris',
  currency = 'EUR',
  place: { country: string; city: string } = { country: 'FR', city: 'Paris' },
) => ({
  merchant_id,
  store_id,
  name: `Store ${store_id}`,
  lat,
  lon,
  timezone,
  ...place,
  currency,
})

/** Inserts rows into `stores` (see storeRow). */
export async function insertStores(db: Db, stores: ReturnType<typeof storeRow>[]): Promise<void> {
  await db.client.insert({ table: 'stores', format: 'JSONEachRow', values: stores })
}

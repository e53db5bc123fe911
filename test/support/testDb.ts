import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createDb, type Db } from '../../server/db/createDb.ts'
import { migrate } from '../../server/db/migrate.ts'

/** A real embedded engine on a fresh temporary data dir, fully migrated. One per test file (process). */
export async function createTestDb(): Promise<Db & { dir: string; cleanup(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-test-'))
  const db = await createDb({ mode: 'embedded', dataDir: dir })
  await migrate(db)
  return Object.assign(db, {
    dir,
    async cleanup() {
      await db.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  })
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

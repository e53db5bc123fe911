import type { Db } from '../db/createDb.ts'

/** True when no transaction has been loaded yet: the demo data set only ever fills an empty store. */
export async function isStoreEmpty(db: Db): Promise<boolean> {
  const result = await db.client.query({
    query: 'SELECT count() AS n FROM transactions',
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'isStoreEmpty' },
  })
  const [row] = await result.json<{ n: number }>()
  return (row?.n ?? 0) === 0
}

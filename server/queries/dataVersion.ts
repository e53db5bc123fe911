import type { Db } from '../db/createDb.ts'

/**
 * A fingerprint of the stored data of some tables (`tables`, a condition on system.parts' `table` column,
 * written in our code): per table and partition, the newest block number (every insert takes a new one)
 * and the newest mutation (deletes, updates), so any change of their data changes it. Background merges
 * keep both (a merge may still change it: that only costs a recomputation). It binds no value, so it runs
 * beside the bound statements chdb runs one at a time.
 */
export async function partsVersion(db: Db, tables: string, comment: string): Promise<string> {
  const [version] = await partsVersions(db, [tables], comment)
  return version ?? ''
}

/** partsVersion of each of `tables` (conditions as there), read from one look at system.parts. */
export async function partsVersions(db: Db, tables: string[], comment: string): Promise<string[]> {
  const result = await db.client.query({
    query: `
      SELECT [${tables.map((t) => `toString(sumIf(cityHash64(table, partition_id, block, mutation), ${t}))`).join(', ')}] AS versions
      FROM (
        SELECT table, partition_id, max(max_block_number) AS block,
               max(toUInt64OrZero(splitByChar('_', name)[5])) AS mutation
        FROM system.parts
        WHERE database = currentDatabase() AND active AND (${tables.map((t) => `(${t})`).join(' OR ')})
        GROUP BY table, partition_id
      )`,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: comment },
  })
  const [row] = await result.json<{ versions: string[] }>()
  return row?.versions ?? tables.map(() => '')
}

/** The tables dataVersion fingerprints, as a condition on system.parts. */
export const dataVersionTables = `table != 'weather_slots'`

/**
 * The fingerprint of everything stored in our database, but weather_slots, which is derived in the
 * background from what this fingerprints (weatherSlots.ts): a build must not empty the answer cache.
 */
export const dataVersion = (db: Db): Promise<string> => partsVersion(db, dataVersionTables, 'dataVersion')

/** How long a version query waits for more callers to share it. */
const versionWindowMs = 3

/**
 * dataVersion shared by the callers arriving within a few milliseconds: one query, started after all of
 * them arrived, so it sees every write that finished before any of them (a client reads what it just
 * loaded), and ten dashboards opening at once ask it once, not forty times.
 */
export function sharedDataVersion(db: Db): () => Promise<string>
export function sharedDataVersion<T>(db: Db, read: (db: Db) => Promise<T>): () => Promise<T>
export function sharedDataVersion(
  db: Db,
  read: (db: Db) => Promise<unknown> = dataVersion,
): () => Promise<unknown> {
  let next: Promise<unknown> | undefined
  return () =>
    (next ??= new Promise((resolve) => setTimeout(resolve, versionWindowMs)).then(() => {
      next = undefined
      return read(db)
    }))
}

import { setTimeout as sleep } from 'node:timers/promises'
import type { Db } from './createDb.ts'

export interface Deletion {
  table: string
  /** The rows to delete: a condition with bound parameters ({name:Type}). */
  where: string
}

/**
 * Deletes rows of several tables side by side and returns once every delete has finished (or throws the
 * first failure, as a synchronous mutation does). A DELETE is a mutation that changes each part of its
 * table in a task of its own in the engine's background pool, so waiting for each statement in turn costs
 * the sum of every table's tasks: after a few loads a rebuild's eight DELETEs of a few dozen rows took
 * 0.5-1.8 s each (12 parts a table, 2026-12-01). Started together, they run in the pool at once.
 *
 * Finished is checked twice: no mutation of the tables is left in system.mutations, and no row matches
 * any condition any more (a mutation killed by an operator leaves system.mutations without deleting).
 *
 * A cluster's mutations are waited for on every replica by the engine (mutations_sync = 2), in turn: this
 * polls one server's system.mutations, which does not see the others.
 */
export async function deleteTogether(
  db: Db,
  deletions: readonly Deletion[],
  params: Record<string, unknown>,
  logComment: string,
): Promise<void> {
  const sync = db.cluster !== undefined
  for (const { table, where } of deletions) {
    await db.client.command({
      query: `DELETE FROM ${table} WHERE ${where}`,
      query_params: params,
      clickhouse_settings: {
        log_comment: logComment,
        mutations_sync: sync ? '2' : '0',
        lightweight_deletes_sync: sync ? '2' : '0',
      },
    })
  }
  if (sync) return
  await mutationsDone(db, [...new Set(deletions.map((d) => d.table))])
  for (const { table, where } of deletions) {
    const result = await db.client.query({
      query: `SELECT count() AS left FROM ${table} WHERE ${where}`,
      query_params: params,
      format: 'JSONEachRow',
      clickhouse_settings: { log_comment: logComment },
    })
    const left = (await result.json<{ left: number }>())[0]?.left ?? 0
    if (left > 0) throw new Error(`${left} rows of ${table} are still there after their DELETE finished`)
  }
}

/** Waits until no mutation of the tables is left to do; throws when one has failed. */
async function mutationsDone(db: Db, tables: readonly string[]): Promise<void> {
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    const result = await db.client.query({
      query: `SELECT table, mutation_id, latest_fail_reason AS failure FROM system.mutations
              WHERE database = currentDatabase() AND table IN {tables:Array(String)} AND NOT is_done`,
      query_params: { tables },
      format: 'JSONEachRow',
      clickhouse_settings: { log_comment: 'mutationsDone' },
    })
    const open = await result.json<{ table: string; mutation_id: string; failure: string }>()
    if (open.length === 0) return
    const failed = open.find((m) => m.failure !== '')
    if (failed) {
      throw new Error(`mutation ${failed.mutation_id} of ${failed.table} failed: ${failed.failure}`)
    }
    await sleep(pause)
  }
}

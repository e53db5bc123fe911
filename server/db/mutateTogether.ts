import type { Db } from './createDb.ts'

export interface Mutation {
  /** The table the statement changes (a DELETE or ALTER TABLE ... UPDATE of it). */
  table: string
  query: string
}

/**
 * Runs mutations of several tables side by side and returns once every one has finished (or throws the
 * first failure, as a synchronous mutation does). A mutation changes each part of its table in a task of
 * its own in the engine's background pool, so waiting for each statement in turn costs the sum of every
 * table's tasks: after a few loads a rebuild's eight DELETEs of a few dozen rows took 0.5-1.8 s each (12
 * parts a table, 2026-12-01). Started together, they run in the pool at once.
 *
 * A cluster's mutations are waited for on every replica by the engine (mutations_sync = 2), in turn: this
 * polls one server's system.mutations, which does not see the others.
 */
export async function mutateTogether(
  db: Db,
  mutations: readonly Mutation[],
  params: Record<string, unknown>,
  logComment: string,
): Promise<void> {
  const sync = db.cluster !== undefined
  for (const { query } of mutations) {
    await db.client.command({
      query,
      query_params: params,
      clickhouse_settings: {
        log_comment: logComment,
        mutations_sync: sync ? '2' : '0',
        lightweight_deletes_sync: sync ? '2' : '0',
      },
    })
  }
  if (!sync) await mutationsDone(db, [...new Set(mutations.map((m) => m.table))])
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

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

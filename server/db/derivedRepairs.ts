import type { Db } from './createDb.ts'
import { rebuildDerived } from './rebuildDerived.ts'

/**
 * Marks, before an insert into transactions, the local months of the merchants whose lines `source` holds
 * (a table or parenthesised SELECT with merchant_id and local_at) as about to change under `runId`: if
 * the run dies before closeMarks, the months are rebuilt from the lines (repairDerived).
 */
export async function markDerived(db: Db, runId: string, source: string): Promise<void> {
  await db.client.command({
    query: `INSERT INTO derived_repairs (run_id, merchant_id, local_month)
            SELECT DISTINCT {runId:String}, merchant_id, toStartOfMonth(local_at) FROM ${source}`,
    query_params: { runId },
    clickhouse_settings: { log_comment: 'markDerived' },
  })
}

/**
 * The run's inserts all completed (each one writes its lines and every rollup, or fails): nothing to rebuild.
 * Every mark of the run is closed, without FINAL (a prefix read of the run's own rows): closing one that a
 * failed insert's repair closed already only writes another closed version of it.
 */
export async function closeMarks(db: Db, runId: string): Promise<void> {
  await db.client.command({
    query: `INSERT INTO derived_repairs (run_id, merchant_id, local_month, repaired)
            SELECT DISTINCT run_id, merchant_id, local_month, true FROM derived_repairs
            WHERE run_id = {runId:String} AND NOT repaired`,
    query_params: { runId },
    clickhouse_settings: { log_comment: 'closeMarks' },
  })
}

export interface RepairOptions {
  /** Only this run's marks (after its insert failed); all open marks without it. */
  runId?: string
  /** Told how many merchant-months are about to be rebuilt, when there are any (start-up says so). */
  starting?: (merchantMonths: number) => void
}

/**
 * Rebuilds the months of every open mark (or of one run's) from the lines, all in one rebuild, then closes
 * those marks. At start-up before anything else writes, or inside `exclusively` (commitLock.ts) after a
 * failed insert. Answers how many merchant-months were rebuilt.
 */
export async function repairDerived(db: Db, options: RepairOptions = {}): Promise<number> {
  const result = await db.client.query({
    query: `SELECT run_id, merchant_id, toString(local_month) AS local_month FROM derived_repairs FINAL
            WHERE NOT repaired AND ({runId:String} = '' OR run_id = {runId:String})`,
    query_params: { runId: options.runId ?? '' },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'repairDerived' },
  })
  const open = await result.json<{ run_id: string; merchant_id: string; local_month: string }>()
  if (open.length === 0) return 0
  const count = new Set(open.map((mark) => `${mark.merchant_id}\n${mark.local_month}`)).size
  options.starting?.(count)
  // rebuildDerived takes each merchant-month once, however many runs marked it.
  await rebuildDerived(
    db,
    open.map((mark) => ({ merchantId: mark.merchant_id, localMonths: [mark.local_month] })),
  )
  await db.client.insert({
    table: 'derived_repairs',
    format: 'JSONEachRow',
    values: open.map((mark) => ({ ...mark, repaired: true })),
  })
  return count
}

/**
 * Start-up's repair (server and CLI, right after migrations, before anything reads or writes): rebuilds
 * every open mark, saying how many merchant-months before it starts and how long they took after.
 */
export async function repairAtStart(db: Db, say: (line: string) => void): Promise<void> {
  const started = Date.now()
  const repaired = await repairDerived(db, {
    starting: (n) => say(`rebuilding the rollups of ${n} merchant-months an interrupted load left behind`),
  })
  if (repaired > 0) say(`rebuilt them in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

import { ledgerSelect } from '../../pipelines/batchLedger.ts'
import type { BatchLedger } from '../contract.ts'
import type { Db } from '../db/createDb.ts'

/** The newest batches the caller may see: visible = undefined is every scope (admin), else those merchants'. */
export async function listBatches(
  db: Db,
  visible: string[] | undefined,
  limit = 200,
): Promise<BatchLedger[]> {
  const result = await db.client.query({
    query: `
      SELECT ${ledgerSelect}
      FROM ingest_batches FINAL
      WHERE {all:Bool} OR scope IN {visible:Array(String)}
      ORDER BY started_at DESC, batch_id
      LIMIT {limit:UInt32}`,
    query_params: { all: visible === undefined, visible: visible ?? [], limit },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'listBatches' },
  })
  return result.json<BatchLedger>()
}

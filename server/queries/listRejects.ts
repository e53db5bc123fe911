import type { RejectedRow } from '../contract.ts'
import type { Db } from '../db/createDb.ts'

/**
 * Rejected rows of a batch, in line order; undefined when the batch does not exist for the caller (a batch
 * of another merchant answers exactly like a missing one).
 */
export async function listRejects(
  db: Db,
  visible: string[] | undefined,
  batchId: string,
  limit = 1000,
): Promise<RejectedRow[] | undefined> {
  const params = { all: visible === undefined, visible: visible ?? [], batchId, limit }
  const known = await db.client.query({
    query: `SELECT count() AS n FROM ingest_batches
            WHERE batch_id = {batchId:String} AND ({all:Bool} OR scope IN {visible:Array(String)})`,
    query_params: params,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'listRejects' },
  })
  const [batch] = await known.json<{ n: number }>()
  if (!batch?.n) return undefined
  const result = await db.client.query({
    query: `
      SELECT line_no AS lineNo, merchant_id AS merchantId, reason, field, message, raw
      FROM ingest_rejects
      WHERE batch_id = {batchId:String} AND ({all:Bool} OR scope IN {visible:Array(String)})
      ORDER BY line_no
      LIMIT {limit:UInt32}`,
    query_params: params,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'listRejects' },
  })
  return result.json<RejectedRow>()
}

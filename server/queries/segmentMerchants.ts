import type { Db } from '../db/createDb.ts'

/** The merchants of a saved (not deleted) segment, or undefined when there is no such segment. */
export async function segmentMerchants(db: Db, segmentId: string): Promise<string[] | undefined> {
  const result = await db.client.query({
    query: `SELECT merchant_ids FROM segments FINAL WHERE segment_id = {segmentId:String} LIMIT 1`,
    query_params: { segmentId },
    format: 'JSONCompactEachRow',
    clickhouse_settings: { log_comment: 'segmentMerchants' },
  })
  const [row] = await result.json<[string[]]>()
  return row?.[0]
}

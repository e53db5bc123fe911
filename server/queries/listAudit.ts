import type { AuditEntry, AuditQuery } from '../contract.ts'
import type { Db } from '../db/createDb.ts'

/** One page of the audit log, newest first, optionally one action's or one merchant's entries only. */
export async function listAudit(
  db: Db,
  query: AuditQuery,
): Promise<{ rows: AuditEntry[]; nextOffset: number | null }> {
  const result = await db.client.query({
    query: `
      SELECT concat(replaceOne(toString(audit_log.at), ' ', 'T'), 'Z') AS at, key_id AS keyId, action,
             merchant_id AS merchantId, target, details
      FROM audit_log
      WHERE ({action:String} = '' OR action = {action:String})
        AND ({merchantId:String} = '' OR merchant_id = {merchantId:String})
      ORDER BY audit_log.at DESC, entry_id DESC
      LIMIT {take:UInt32} OFFSET {offset:UInt32}`,
    query_params: {
      action: query.action ?? '',
      merchantId: query.merchantId ?? '',
      // One row more than the page tells whether another page follows.
      take: query.limit + 1,
      offset: query.offset,
    },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'listAudit' },
  })
  const found = await result.json<Omit<AuditEntry, 'details'> & { details: string }>()
  const rows = found
    .slice(0, query.limit)
    .map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }))
  return { rows, nextOffset: found.length > query.limit ? query.offset + query.limit : null }
}

import type { BatchLedger, IngestFormat, IngestKind } from '../server/contract.ts'
import type { Db } from '../server/db/createDb.ts'

export interface LedgerRow {
  scope: string
  batchId: string
  kind: IngestKind
  format: IngestFormat
  source: string
  contentHash: string
  status: BatchLedger['status']
  received: number
  inserted: number
  duplicates: number
  rejected: number
  error: string
  startedAt: Date
  finishedAt: Date | null
}

const iso = (d: Date) => d.toISOString()

/** Writes a new version of the batch's ledger row (ReplacingMergeTree keeps the newest). */
export async function writeLedger(db: Db, row: LedgerRow): Promise<void> {
  await db.client.insert({
    table: 'ingest_batches',
    format: 'JSONEachRow',
    values: [
      {
        scope: row.scope,
        batch_id: row.batchId,
        kind: row.kind,
        format: row.format,
        source: row.source,
        content_hash: row.contentHash,
        status: row.status,
        received: row.received,
        inserted: row.inserted,
        duplicates: row.duplicates,
        rejected: row.rejected,
        error: row.error,
        started_at: iso(row.startedAt),
        finished_at: row.finishedAt ? iso(row.finishedAt) : null,
        updated_at: iso(new Date()),
      },
    ],
  })
}

/** RFC 3339 in UTC to the millisecond (%f prints six digits whatever the column's precision). */
const isoMillis = (column: string) =>
  `concat(substring(formatDateTime(${column}, '%Y-%m-%dT%H:%i:%S.%f'), 1, 23), 'Z')`

/** The ledger columns under the API's field names; shared by findBatch and listBatches. */
export const ledgerSelect = `
  batch_id AS batchId, kind, format, source, status, received, inserted, duplicates, rejected,
  nullIf(error, '') AS error,
  ${isoMillis('started_at')} AS startedAt,
  if(isNull(finished_at), NULL, ${isoMillis('assumeNotNull(finished_at)')}) AS finishedAt`

/** The API's view of a ledger row as written (what findBatch would read back). */
export function ledgerOf(row: LedgerRow): BatchLedger {
  return {
    batchId: row.batchId,
    kind: row.kind,
    format: row.format,
    source: row.source,
    status: row.status,
    received: row.received,
    inserted: row.inserted,
    duplicates: row.duplicates,
    rejected: row.rejected,
    error: row.error === '' ? null : row.error,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
  }
}

/**
 * The newest version of a batch's ledger row. Its versions differ in updated_at (written in order, each
 * after the one before it returned; a retry of the batch comes in a later request), so the newest is read
 * without FINAL, which merges every part of the ledger on each call; status and received only break a tie
 * within a millisecond, and both only grow within a run.
 */
export async function findBatch(
  db: Db,
  scope: string,
  batchId: string,
): Promise<(BatchLedger & { contentHash: string }) | undefined> {
  const result = await db.client.query({
    query: `SELECT ${ledgerSelect}, content_hash AS contentHash FROM ingest_batches
            WHERE scope = {scope:String} AND batch_id = {batchId:String}
            ORDER BY updated_at DESC, status DESC, received DESC LIMIT 1`,
    query_params: { scope, batchId },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'findBatch' },
  })
  const [row] = await result.json<BatchLedger & { contentHash: string }>()
  return row
}

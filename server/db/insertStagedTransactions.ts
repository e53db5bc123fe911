import { randomBytes } from 'node:crypto'
import type { ClickHouseSettings } from '@clickhouse/client'
import type { Db } from './createDb.ts'
import { closeMarks, markDerived } from './derivedRepairs.ts'
import { numberCustomers, withCustomerNo } from './numberCustomers.ts'

/**
 * Moves the rows of a staging table (transactions' `columns`, customer_no left out) into transactions,
 * with their customer numbers: the staged customers without a number get one first. For loaders that
 * build lines in SQL (the demo) and test fixtures; the ingest pipeline does the same per chunk. The
 * months it touches are marked first, so a crash half-way is repaired at the next start.
 */
export async function insertStagedTransactions(
  db: Db,
  stage: string,
  columns: readonly string[],
  settings: ClickHouseSettings = {},
): Promise<void> {
  const runId = `staged_${randomBytes(8).toString('hex')}`
  await markDerived(db, runId, stage)
  await numberCustomers(db, stage)
  await db.client.command({
    query: `INSERT INTO transactions (${columns.join(', ')}, customer_no)
            SELECT ${columns.join(', ')}, customer_no FROM ${withCustomerNo(stage)}`,
    clickhouse_settings: { log_comment: 'insertStagedTransactions', join_use_nulls: 0, ...settings },
  })
  await closeMarks(db, runId)
}

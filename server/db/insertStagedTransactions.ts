import type { ClickHouseSettings } from '@clickhouse/client'
import type { Db } from './createDb.ts'
import { numberCustomers, withCustomerNo } from './numberCustomers.ts'

/**
 * Moves the rows of a staging table (transactions' `columns`, customer_no left out) into transactions,
 * with their customer numbers: the staged customers without a number get one first. For loaders that
 * build lines in SQL (the demo) and test fixtures; the ingest pipeline does the same per chunk.
 */
export async function insertStagedTransactions(
  db: Db,
  stage: string,
  columns: readonly string[],
  settings: ClickHouseSettings = {},
): Promise<void> {
  await numberCustomers(db, stage)
  await db.client.command({
    query: `INSERT INTO transactions (${columns.join(', ')}, customer_no)
            SELECT ${columns.join(', ')}, customer_no FROM ${withCustomerNo(stage)}`,
    clickhouse_settings: { log_comment: 'insertStagedTransactions', join_use_nulls: 0, ...settings },
  })
}

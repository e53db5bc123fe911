import { randomBytes } from 'node:crypto'
import type { ClickHouseSettings } from '@clickhouse/client'
import { withBasketFlags } from './basketFlags.ts'
import { rollupInsert, type Db } from './createDb.ts'
import { closeMarks, markDerived } from './derivedRepairs.ts'
import { memoryTableSql } from './memoryTable.ts'
import { chunkNumberColumns, numberCustomers, withCustomerNo } from './numberCustomers.ts'

/** Tells the staged rows apart for the basket flags: line_no is unique only within a basket. */
const stagedOrder = '(merchant_id, store_id, transaction_id, toString(status), line_no)'

/**
 * Moves the rows of a staging table (transactions' `columns`, customer_no and the basket flags left out)
 * into transactions, with their customer numbers and basket flags: the staged customers without a number
 * get one first. For loaders that build lines in SQL (the demo) and test fixtures; the ingest pipeline
 * does the same per chunk (and also drops keys already stored, which this does not). The months it
 * touches are marked first, so a crash half-way is repaired at the next start.
 */
export async function insertStagedTransactions(
  db: Db,
  stage: string,
  columns: readonly string[],
  settings: ClickHouseSettings = {},
): Promise<void> {
  const suffix = randomBytes(8).toString('hex')
  const runId = `staged_${suffix}`
  const numbers = `staged_numbers_${suffix}`
  await markDerived(db, runId, stage)
  await db.client.command({ query: memoryTableSql(numbers, chunkNumberColumns) })
  try {
    await numberCustomers(db, stage, numbers)
    const inserted = [...columns, 'customer_no', 'basket_first', 'product_first'].join(', ')
    // Only the staged columns are read: a stage made AS transactions has flag columns of its own.
    const staged = `(SELECT ${columns.join(', ')} FROM ${stage})`
    await db.client.command({
      query: `INSERT INTO transactions (${inserted})
              SELECT ${inserted} FROM ${withBasketFlags(withCustomerNo(staged, numbers), { order: stagedOrder, rows: staged, chunk: staged })}`,
      clickhouse_settings: {
        log_comment: 'insertStagedTransactions',
        join_use_nulls: 0,
        // The rollup views filled as the ingest pipeline's insert fills them.
        ...rollupInsert,
        ...settings,
      },
    })
  } finally {
    await db.client.command({ query: `DROP TABLE IF EXISTS ${numbers}` })
  }
  await closeMarks(db, runId)
}

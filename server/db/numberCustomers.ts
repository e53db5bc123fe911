import type { Db } from './createDb.ts'

/**
 * The columns of the table (Memory) that numberCustomers fills with the numbers of its source's keys and
 * withCustomerNo reads them from: the one read of customer_numbers a chunk makes.
 */
export const chunkNumberColumns = {
  merchant_id: 'String',
  customer_key: 'String',
  customer_no: 'UInt32',
  fresh: 'Bool',
} as const

/**
 * Gives every known customer of `source` that has no number yet the next numbers of its merchant
 * (merchant's top + 1, + 2, ... in customer_key order), in customer_numbers (migration 0050), and leaves
 * in `numbers` (a table of chunkNumberColumns, emptied first) the number of each of the source's keys.
 * `source` is a table or a parenthesised SELECT with merchant_id and customer_key columns; only its own
 * keys are looked up (one tuple IN, a prefix of customer_numbers' primary key, skips every other key).
 * Random pseudonyms spread 100,000 keys over every granule, so that one read costs what the merchants'
 * stored numbers cost: it is made once, here, and the insert joins the chunk's keys to `numbers`.
 *
 * Callers serialise this per engine (the ingest pipeline's commit lock, the demo loader and the bench
 * run alone): two writers numbering the same merchant at once could hand out one number twice or give
 * one key two numbers. Look-ups take the smallest number of a key, so a key numbered twice never
 * duplicates a line.
 */
export async function numberCustomers(db: Db, source: string, numbers: string): Promise<void> {
  const keys = `SELECT merchant_id, customer_key FROM ${source} WHERE customer_key != ''`
  await db.client.command({ query: `TRUNCATE TABLE ${numbers}` })
  await db.client.command({
    query: `
      INSERT INTO ${numbers} (merchant_id, customer_key, customer_no, fresh)
      SELECT merchant_id, customer_key, min(customer_no), false FROM customer_numbers
      WHERE (merchant_id, customer_key) IN (${keys})
      GROUP BY merchant_id, customer_key`,
    clickhouse_settings: { log_comment: 'numberCustomersStored' },
  })
  // The merchants' tops: customer_number_tops holds about one row per merchant.
  await db.client.command({
    query: `
      INSERT INTO ${numbers} (merchant_id, customer_key, customer_no, fresh)
      SELECT f.merchant_id, f.customer_key,
             toUInt32(ifNull(t.top, 0) + row_number() OVER (PARTITION BY f.merchant_id ORDER BY f.customer_key)),
             true
      FROM (
        SELECT DISTINCT merchant_id, customer_key FROM (${keys})
        WHERE (merchant_id, customer_key) NOT IN (SELECT merchant_id, customer_key FROM ${numbers})
      ) AS f
      LEFT JOIN (SELECT merchant_id, max(top) AS top FROM customer_number_tops GROUP BY merchant_id) AS t
        ON t.merchant_id = f.merchant_id`,
    clickhouse_settings: { log_comment: 'numberCustomersNew', join_use_nulls: 0 },
  })
  await db.client.command({
    query: `INSERT INTO customer_numbers (merchant_id, customer_key, customer_no)
            SELECT merchant_id, customer_key, customer_no FROM ${numbers} WHERE fresh`,
    clickhouse_settings: { log_comment: 'numberCustomers', insert_distributed_sync: 1 },
  })
}

/**
 * A table expression: the rows of `source` (a table or parenthesised SELECT with merchant_id and
 * customer_key) with their customer_no (0 for customer_key ''), from `numbers`, which numberCustomers
 * filled from the same rows.
 */
export function withCustomerNo(source: string, numbers: string): string {
  return `(
    SELECT s.*, toUInt32(ifNull(n.customer_no, 0)) AS customer_no
    FROM ${source} AS s
    LEFT JOIN (SELECT merchant_id AS n_merchant, customer_key AS n_key, customer_no FROM ${numbers}) AS n
      ON n.n_merchant = s.merchant_id AND n.n_key = s.customer_key)`
}

import type { Db } from './createDb.ts'

/**
 * Gives every known customer of `source` that has no number yet the next numbers of its merchant
 * (merchant's top + 1, + 2, ... in customer_key order), in customer_numbers (migration 0050).
 * `source` is a table or a parenthesised SELECT with merchant_id and customer_key columns; only its own
 * keys are looked up (one tuple IN, a prefix of customer_numbers' primary key, skips every other key).
 *
 * Callers serialise this per engine (the ingest pipeline's commit lock, the demo loader and the bench
 * run alone): two writers numbering the same merchant at once could hand out one number twice or give
 * one key two numbers. Lookups take the smallest number of a key (withCustomerNo), so a key numbered
 * twice never duplicates a line.
 */
export async function numberCustomers(db: Db, source: string): Promise<void> {
  // The source is read twice (its new keys, and the set that prunes customer_numbers), the merchants'
  // tops once: customer_number_tops holds about one row per merchant.
  await db.client.command({
    query: `
      INSERT INTO customer_numbers (merchant_id, customer_key, customer_no)
      SELECT f.merchant_id, f.customer_key,
             toUInt32(ifNull(t.top, 0) + row_number() OVER (PARTITION BY f.merchant_id ORDER BY f.customer_key))
      FROM (
        SELECT DISTINCT merchant_id, customer_key FROM ${source}
        WHERE customer_key != ''
          AND (merchant_id, customer_key) NOT IN (${storedNumbers(source, 'merchant_id, customer_key')})
      ) AS f
      LEFT JOIN (SELECT merchant_id, max(top) AS top FROM customer_number_tops GROUP BY merchant_id) AS t
        ON t.merchant_id = f.merchant_id`,
    clickhouse_settings: { log_comment: 'numberCustomers', join_use_nulls: 0, insert_distributed_sync: 1 },
  })
}

/** The stored numbers of the source's keys: one tuple IN, a prefix of customer_numbers' primary key. */
function storedNumbers(source: string, columns: string): string {
  return `SELECT ${columns} FROM customer_numbers
          WHERE (merchant_id, customer_key) IN (
            SELECT merchant_id, customer_key FROM ${source} WHERE customer_key != '')`
}

/**
 * A table expression: the rows of `source` (a table or parenthesised SELECT with merchant_id and
 * customer_key) with their customer_no (0 for customer_key ''), looking up only the source's keys.
 * Run numberCustomers on the same rows first.
 */
export function withCustomerNo(source: string): string {
  return `(
    SELECT s.*, toUInt32(ifNull(n.customer_no, 0)) AS customer_no
    FROM ${source} AS s
    LEFT JOIN (
      ${storedNumbers(source, 'merchant_id AS n_merchant, customer_key AS n_key, min(customer_no) AS customer_no')}
      GROUP BY n_merchant, n_key
    ) AS n ON n.n_merchant = s.merchant_id AND n.n_key = s.customer_key)`
}

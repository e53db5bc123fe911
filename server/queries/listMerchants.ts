import type { Merchant } from '../contract.ts'
import type { Db } from '../db/createDb.ts'

/**
 * Merchants with their store count and latest sale. visible = undefined lists every merchant (admin).
 * A merchant known only through its stores (no merchants row) still appears, named after its id.
 */
export async function listMerchants(db: Db, visible: string[] | undefined): Promise<Merchant[]> {
  const result = await db.client.query({
    query: `
      WITH
        known AS (
          SELECT merchant_id, argMax(name, updated_at) AS name, argMax(currency, updated_at) AS currency,
                 argMax(timezone, updated_at) AS timezone
          FROM merchants GROUP BY merchant_id
        ),
        shops AS (
          SELECT merchant_id, count() AS stores, groupUniqArray(city) AS cities,
                 any(currency) AS currency, any(timezone) AS timezone
          FROM stores FINAL GROUP BY merchant_id
        ),
        sales AS (
          SELECT merchant_id, max(occurred_at) AS last_sale_at FROM transactions
          WHERE {all:Bool} OR merchant_id IN {visible:Array(String)}
          GROUP BY merchant_id
        ),
        ids AS (SELECT merchant_id FROM known UNION DISTINCT SELECT merchant_id FROM shops)
      SELECT
        ids.merchant_id AS merchantId,
        if(known.name = '', ids.merchant_id, known.name) AS name,
        if(known.currency = '', shops.currency, known.currency) AS currency,
        if(known.timezone = '', if(shops.timezone = '', 'UTC', shops.timezone), known.timezone) AS timezone,
        shops.stores AS stores,
        arraySort(shops.cities) AS cities,
        if(sales.merchant_id = '', NULL, formatDateTime(sales.last_sale_at, '%Y-%m-%dT%H:%i:%SZ')) AS lastSaleAt
      FROM ids
      LEFT JOIN known ON known.merchant_id = ids.merchant_id
      LEFT JOIN shops ON shops.merchant_id = ids.merchant_id
      LEFT JOIN sales ON sales.merchant_id = ids.merchant_id
      WHERE {all:Bool} OR ids.merchant_id IN {visible:Array(String)}
      ORDER BY merchantId`,
    query_params: { all: visible === undefined, visible: visible ?? [] },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'listMerchants', join_use_nulls: 0 },
  })
  return result.json<Merchant>()
}

import type { ProductRow } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import type { InsightsScope } from './insightsScope.ts'
import { reportFx } from './reportFx.ts'
import { groupKeys, salesLines, type SalesSource } from './salesSource.ts'

export interface SalesByProductParams {
  limit: number
  source?: SalesSource | undefined
}

/** Products ranked by revenue (report currency), with quantity and the transactions that contained them. */
export async function salesByProduct(
  db: Db,
  scope: InsightsScope,
  params: SalesByProductParams,
): Promise<ProductRow[]> {
  const lines = salesLines(scope, { source: params.source, byProduct: true })
  const fx = await reportFx(db, scope, lines.sql, lines.params)
  const keys = groupKeys('product_id', 'category', ...lines.basketKeys, ...fx.keys)
  const rows = await db.client.query({
    // Names come from product_names (each product's latest completed line that has one, migration 0160;
    // a merchant's few hundred products are read whole rather than evaluating the ranking twice), whatever
    // the source; a product never named is shown by its id.
    query: `
        WITH
          lines AS (${lines.sql}),
          ${fx.ctes}
          g AS (
            SELECT ${keys}, sum(quantity) AS qty, sum(amount) AS amt, ${lines.baskets} AS txs
            FROM lines
            GROUP BY ${keys}
          ),
          ranked AS (
            SELECT
              g.product_id AS productId,
              g.category AS category,
              sum(g.qty) AS quantity,
              CAST(round(sum(g.amt * ${fx.rate}), 2) AS Decimal(38, 2)) AS revenue,
              sum(g.txs) AS transactions
            FROM g ${fx.join}
            GROUP BY productId, category
            ORDER BY revenue DESC, productId, category
            LIMIT {limit:UInt32}
          )
        SELECT r.productId AS productId, if(n.name = '', r.productId, n.name) AS product, r.category AS category, r.quantity AS quantity,
               r.revenue AS revenue, r.transactions AS transactions
        FROM ranked AS r
        LEFT JOIN (
          SELECT product_id, argMaxMerge(name) AS name FROM product_names
          WHERE merchant_id = {merchantId:String}
          GROUP BY product_id
        ) AS n ON n.product_id = r.productId
        ORDER BY r.revenue DESC, r.productId, r.category`,
    query_params: { ...lines.params, limit: params.limit },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'salesByProduct', join_use_nulls: 0 },
  })
  return rows.json<ProductRow>()
}

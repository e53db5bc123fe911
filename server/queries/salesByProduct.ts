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
    query: `
        WITH
          lines AS (${lines.sql}),
          ${fx.ctes}
          g AS (
            SELECT ${keys},
                   ${lines.agg.productNameState} AS name, sum(quantity) AS qty, sum(amount) AS amt,
                   ${lines.agg.transactions} AS txs
            FROM lines
            GROUP BY ${keys}
          )
        SELECT
          g.product_id AS productId,
          argMaxMerge(g.name) AS product,
          g.category AS category,
          sum(g.qty) AS quantity,
          CAST(round(sum(g.amt * ${fx.rate}), 2) AS Decimal(38, 2)) AS revenue,
          sum(g.txs) AS transactions
        FROM g ${fx.join}
        GROUP BY productId, category
        ORDER BY revenue DESC, productId, category
        LIMIT {limit:UInt32}`,
    query_params: { ...lines.params, limit: params.limit },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'salesByProduct', join_use_nulls: 0 },
  })
  return rows.json<ProductRow>()
}

import type { ProductRow } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import type { InsightsScope } from './insightsScope.ts'
import { reportFx, type ReportFx } from './reportFx.ts'
import { groupKeys, salesLines, type LinesQuery, type SalesSource } from './salesSource.ts'

export interface SalesByProductParams {
  limit: number
  source?: SalesSource | undefined
}

/**
 * Over rows read with `final: false`: whether their basket counts are exact. A rollup part holds one row
 * per sorting key (inserts and merges both aggregate), so rows of one key can only differ in part; when
 * every partition among the rows contributes a single part, no key has two rows. The parts are those of
 * the query's own snapshot, so an insert landing meanwhile cannot make it wrong.
 */
const exactWithoutFinal = (parts: string) =>
  `length(arrayDistinct(${parts})) = length(arrayDistinct(arrayMap(p -> p.1, ${parts})))`

/**
 * Products ranked by revenue (report currency), with quantity and the transactions that contained them.
 * The rollup is first read without FINAL (a year of it reads each row's basket array under FINAL: 115-140 ms
 * against 50 ms at 100M lines); only when a product's rows came from several parts of a partition, so a
 * key may have rows that must be united, is it read again with FINAL.
 */
export async function salesByProduct(
  db: Db,
  scope: InsightsScope,
  params: SalesByProductParams,
): Promise<ProductRow[]> {
  const fast = salesLines(scope, { source: params.source, byProduct: true, final: false })
  const fx = await reportFx(db, scope, fast.sql, { ...fast.params, limit: params.limit })
  const unmerged = await productsQuery(db, fast, fx, params.limit, true)
  if (unmerged.every((r) => r.exact)) return unmerged.map(({ exact: _exact, ...row }) => row)
  const united = salesLines(scope, { source: params.source, byProduct: true })
  return productsQuery(db, united, fx, params.limit, false)
}

async function productsQuery(
  db: Db,
  lines: LinesQuery,
  fx: ReportFx,
  limit: number,
  withParts: boolean,
): Promise<(ProductRow & { exact?: boolean })[]> {
  const keys = groupKeys('product_id', 'category', ...lines.basketKeys, ...fx.keys)
  const rows = await db.client.query({
    query: `
        WITH
          lines AS (${lines.sql}),
          ${fx.ctes}
          g AS (
            SELECT ${keys},
                   ${lines.agg.productNameState} AS name, sum(quantity) AS qty, sum(amount) AS amt,
                   ${lines.agg.transactions} AS txs ${withParts ? ', groupUniqArray(part) AS parts' : ''}
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
          ${withParts ? `, ${exactWithoutFinal('groupUniqArrayArray(g.parts)')} AS exact` : ''}
        FROM g ${fx.join}
        GROUP BY productId, category
        ORDER BY revenue DESC, productId, category
        LIMIT {limit:UInt32}`,
    query_params: { ...lines.params, limit },
    format: 'JSONEachRow',
    clickhouse_settings: {
      log_comment: withParts ? 'salesByProduct' : 'salesByProduct.final',
      join_use_nulls: 0,
    },
  })
  return rows.json<ProductRow & { exact?: boolean }>()
}

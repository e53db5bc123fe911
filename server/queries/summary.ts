import type { SummaryRow } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import type { InsightsScope } from './insightsScope.ts'
import { reportFx } from './reportFx.ts'
import { customerSets, groupKeys, salesLines, type CustomerSource, type SalesSource } from './salesSource.ts'

/**
 * KPIs of a range. revenue, transactions and items come from the sales source (rollup when it can);
 * customers (distinct known pseudonyms) from the customer source (see customerSets). touristShare is the share of revenue paid by
 * tourists among lines whose customer's home country and store country are both known.
 */
export async function summary(
  db: Db,
  scope: InsightsScope,
  params: { source?: SalesSource | undefined; customerSource?: CustomerSource | undefined } = {},
): Promise<SummaryRow> {
  const lines = salesLines(scope, { source: params.source, time: 'total' })
  const people = customerSets(scope, params.customerSource)
  const fx = await reportFx(db, scope, lines.sql, lines.params)
  const keys = groupKeys(...lines.basketKeys, ...fx.keys)
  // One statement: the engine reads the sales and merges the customer bitmaps side by side, where two bound
  // statements ran one after the other in the embedded engine (a year of the bench chain, interleaved
  // in-process: 5-20 ms less p50 at 10M and 100M, settled or beside busy processes; docs/benchmarks.md).
  const result = await db.client.query({
    query: `
        WITH
          lines AS (${lines.sql}),
          ${fx.ctes}
          g AS (
            SELECT ${keys ? `${keys},` : ''}
                   sum(quantity) AS qty, sum(amount) AS amt, sum(tourist_amount) AS tam,
                   sum(known_origin_amount) AS kam, ${lines.baskets} AS txs
            FROM lines
            ${keys ? `GROUP BY ${keys}` : ''}
          ),
          t AS (
            SELECT sum(g.amt * ${fx.rate}) AS rev, sum(g.txs) AS txs, sum(g.qty) AS qty,
                   sum(g.tam * ${fx.rate}) AS tourist, sum(g.kam * ${fx.rate}) AS known
            FROM g ${fx.join}
          ),
          -- Distinct known customers with a completed line in scope.
          c AS (SELECT ${people.customers} AS customers FROM (${people.sql}))
        SELECT
          CAST(round(rev, 2) AS Decimal(38, 2)) AS revenue,
          txs AS transactions,
          qty AS items,
          if(txs = 0, toDecimal128(0, 2), CAST(round(rev / txs, 2) AS Decimal(38, 2))) AS averageTicket,
          c.customers AS customers,
          if(known = 0, NULL, round(toFloat64(tourist) / toFloat64(known), 4)) AS touristShare
        FROM t CROSS JOIN c`,
    query_params: { ...lines.params, ...people.params },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'summary', join_use_nulls: 0 },
  })
  const [row] = await result.json<SummaryRow>()
  if (!row) throw new Error('summary returned no row')
  return row
}

const changeMetrics = [
  'revenue',
  'transactions',
  'items',
  'averageTicket',
  'customers',
  'touristShare',
] as const

/** Relative change per metric (0.1 = +10%), rounded to 4 places; null when the base is 0 or unknown. */
export function summaryChanges(current: SummaryRow, previous: SummaryRow): Record<string, number | null> {
  return Object.fromEntries(
    changeMetrics.map((metric) => {
      const now = current[metric]
      const before = previous[metric]
      if (now === null || before === null || before === 0) return [metric, null]
      return [metric, Math.round(((now - before) / before) * 10_000) / 10_000]
    }),
  )
}

import type { TimeGrain, TimeRow } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import type { InsightsScope } from './insightsScope.ts'
import { reportFx } from './reportFx.ts'
import { groupKeys, salesLines, type SalesSource } from './salesSource.ts'

/** Bucket of the report wall clock `lt` per grain: local start of the bucket, or 0-23 / 1=Mon..7. */
const bucketSql = {
  hour: `formatDateTime(lt, '%Y-%m-%dT%H:00')`,
  day: `toString(toDate(lt))`,
  week: `toString(toMonday(lt))`,
  month: `toString(toStartOfMonth(lt))`,
  hour_of_day: `toHour(lt)`,
  day_of_week: `toDayOfWeek(lt)`,
} as const satisfies Record<TimeGrain, string>

/** What each grain reads of a sale's report wall clock (pickSalesSource). */
const grainTime = {
  hour: 'hour',
  day: 'day',
  week: 'day',
  month: 'day',
  hour_of_day: 'hour',
  day_of_week: 'day',
} as const satisfies Record<TimeGrain, 'hour' | 'day'>

export interface SalesByTimeParams {
  grain: TimeGrain
  /** With grain hour_of_day: one row per (weekday, hour), for the heatmap. */
  split?: 'day_of_week' | undefined
  source?: SalesSource | undefined
}

/** Sales per local time bucket, in bucket order; buckets without sales are absent. */
export async function salesByTime(
  db: Db,
  scope: InsightsScope,
  params: SalesByTimeParams,
): Promise<TimeRow[]> {
  const lines = salesLines(scope, { source: params.source, time: grainTime[params.grain] })
  const split = params.split === 'day_of_week' && params.grain === 'hour_of_day'
  const fx = await reportFx(db, scope, lines.sql, lines.params)
  const extraKeys = groupKeys(...lines.basketKeys, ...fx.keys)
  const rows = await db.client.query({
    query: `
        WITH
          lines AS (${lines.sql}),
          ${fx.ctes}
          g AS (
            SELECT ${bucketSql[params.grain]} AS b, ${split ? 'toDayOfWeek(lt)' : '0'} AS dow,
                   ${extraKeys ? `${extraKeys},` : ''}
                   sum(quantity) AS qty, sum(amount) AS amt, ${lines.baskets} AS txs
            FROM lines
            GROUP BY ${groupKeys('b', 'dow', extraKeys)}
          )
        SELECT
          g.b AS bucket,
          ${split ? 'g.dow AS dayOfWeek,' : ''}
          sum(g.qty) AS quantity,
          CAST(round(sum(g.amt * ${fx.rate}), 2) AS Decimal(38, 2)) AS revenue,
          sum(g.txs) AS transactions
        FROM g ${fx.join}
        GROUP BY g.b, g.dow
        ORDER BY g.dow, g.b`,
    query_params: lines.params,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'salesByTime', join_use_nulls: 0 },
  })
  return rows.json<TimeRow>()
}

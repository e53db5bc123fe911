import { addDays, type InsightsScope } from './insightsScope.ts'
import { fxParams } from './reportFx.ts'

export type SalesSource = 'rollup' | 'raw'

/**
 * The one decision of which table answers a sales question. The hourly rollup (sales_hourly, migration
 * 0020) answers whenever hours are fine enough: in the stores' own zone always (it keeps their local hour),
 * and in an overriding zone whose offset is whole hours over the range. A half-hour zone (India, parts of
 * Australia) splits UTC hours, so only the raw lines can answer it exactly.
 */
export function pickSalesSource(scope: InsightsScope): SalesSource {
  return scope.hourAligned ? 'rollup' : 'raw'
}

export interface LinesQuery {
  sql: string
  params: Record<string, unknown>
  source: SalesSource
}

/** The report wall clock of an instant column, zone-less (DateTime in UTC) so bucket functions need no zone. */
function wallClock(scope: InsightsScope, instant: string, local: string): string {
  return scope.clock === 'local'
    ? local
    : `toDateTime(${instant}, 'UTC') + toIntervalSecond(timeZoneOffset(toTimeZone(${instant}, {tz:String})))`
}

/** Filters every source shares: tenant, status, stores, categories, products and a UTC pre-range. */
const commonFilters = (table: string, instant: string) => `
      ${table}.merchant_id = {merchantId:String}
      AND ${table}.${instant} >= {scanFrom:DateTime} AND ${table}.${instant} < {scanTo:DateTime}
      AND (empty({stores:Array(String)}) OR ${table}.store_id IN {stores:Array(String)})
      AND (empty({categories:Array(String)}) OR ${table}.category IN {categories:Array(String)})
      AND (empty({products:Array(String)}) OR ${table}.product_id IN {products:Array(String)})`

export function scopeParams(scope: InsightsScope, padDays = 0): Record<string, unknown> {
  const from = addDays(scope.from, -padDays)
  const toExclusive = addDays(scope.to, 1 + padDays)
  return {
    ...fxParams(scope, padDays),
    merchantId: scope.merchantId,
    stores: scope.stores,
    categories: scope.categories,
    products: scope.products,
    tz: scope.timezone,
    // Local dates bound wall clocks; the UTC scan is a day wider each side (no zone is more than 14 h off).
    fromAt: `${scope.from} 00:00:00`,
    toAt: `${addDays(scope.to, 1)} 00:00:00`,
    padFromAt: `${from} 00:00:00`,
    padToAt: `${toExclusive} 00:00:00`,
    scanFrom: `${addDays(from, -1)} 00:00:00`,
    scanTo: `${addDays(toExclusive, 1)} 00:00:00`,
  }
}

/**
 * Completed sales in scope, hourly, from the chosen source, in one shape whatever the source:
 *   store_id, hour_utc, local_hour (store wall clock), lt (report wall clock, hour), in_range (lt inside
 *   from..to; rows outside exist only with padDays), product_id, category, currency, product_name
 *   (argMax state), quantity, amount, tourist_amount, known_origin_amount (Decimal sums in `currency`),
 *   tx (uniqExact state of transaction ids).
 * A transaction lives in one (store, UTC hour), so summing uniqExactMerge(tx) over groups that keep store
 * and hour apart counts every transaction exactly once.
 * padDays widens the range (weather lift looks 14 days either side); rows outside have in_range = 0.
 */
export function salesLines(
  scope: InsightsScope,
  options: { padDays?: number; source?: SalesSource } = {},
): LinesQuery {
  const padDays = options.padDays ?? 0
  const source = options.source ?? pickSalesSource(scope)
  const params = scopeParams(scope, padDays)
  const inner =
    source === 'rollup'
      ? `
    SELECT store_id, hour_utc, local_hour, ${wallClock(scope, 'hour_utc', 'local_hour')} AS lt,
           product_id, category, currency,
           argMaxMergeState(product_name) AS product_name,
           sum(quantity) AS quantity, sum(amount) AS amount,
           sum(tourist_amount) AS tourist_amount, sum(known_origin_amount) AS known_origin_amount,
           uniqExactMergeState(transactions) AS tx
    FROM sales_hourly AS r
    WHERE ${commonFilters('r', 'hour_utc')}
    GROUP BY store_id, hour_utc, local_hour, lt, product_id, category, currency`
      : `
    SELECT t.store_id AS store_id, toDateTime(toStartOfHour(t.occurred_at), 'UTC') AS hour_utc,
           toStartOfHour(t.local_at) AS local_hour,
           toStartOfHour(${wallClock(scope, 't.occurred_at', 't.local_at')}) AS lt,
           t.product_id AS product_id, t.category AS category, t.currency AS currency,
           argMaxState(t.product_name, t.occurred_at) AS product_name,
           sum(toDecimal128(t.quantity, 3)) AS quantity, sum(toDecimal128(t.amount, 4)) AS amount,
           sumIf(toDecimal128(t.amount, 4), t.customer_home_country != '' AND t.store_country != ''
                 AND t.customer_home_country != t.store_country) AS tourist_amount,
           sumIf(toDecimal128(t.amount, 4), t.customer_home_country != '' AND t.store_country != '') AS known_origin_amount,
           uniqExactState(t.transaction_id) AS tx
    FROM transactions AS t
    WHERE ${commonFilters('t', 'occurred_at')} AND t.status = 'completed'
    GROUP BY store_id, hour_utc, local_hour, lt, product_id, category, currency`
  const sql = `
    SELECT *, lt >= {fromAt:DateTime} AND lt < {toAt:DateTime} AS in_range
    FROM (${inner})
    WHERE lt >= {padFromAt:DateTime} AND lt < {padToAt:DateTime}`
  return { sql, params, source }
}

/**
 * Completed raw lines in scope, for questions about customers (distinct people cannot be rolled up by
 * hour and summed). Columns: every transactions column plus lt (report wall clock) and hour_utc.
 */
export function customerLines(scope: InsightsScope): LinesQuery {
  const sql = `
    SELECT *, toDateTime(toStartOfHour(t.occurred_at), 'UTC') AS hour_utc,
           ${wallClock(scope, 't.occurred_at', 't.local_at')} AS lt
    FROM transactions AS t
    WHERE ${commonFilters('t', 'occurred_at')} AND t.status = 'completed'
      AND lt >= {fromAt:DateTime} AND lt < {toAt:DateTime}`
  return { sql, params: scopeParams(scope), source: 'raw' }
}

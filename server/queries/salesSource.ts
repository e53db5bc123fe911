import { addDays, type ClockOffsets, type InsightsScope } from './insightsScope.ts'
import { zoneOffsetSql } from '../db/zoneOffset.ts'
import { fxParams } from './reportFx.ts'

export type SalesSource = 'storeRollup' | 'storeDailyRollup' | 'productDailyRollup' | 'raw'

interface SalesNeeds {
  /** The question groups by product (sales by product). */
  byProduct?: boolean
  /**
   * What the question reads of each sale's report wall clock: 'hour' (any bucket; the default), 'day'
   * (days or coarser buckets), 'total' (only whether it lies in the range: summary).
   */
  time?: 'hour' | 'day' | 'total'
}

/**
 * The one decision of which table answers a sales question. Baskets are counted by the flags on the
 * lines (migration 0130): sum(basket_first) over whole baskets, sum(product_first) over whole baskets of
 * one product, so a rollup only has to sum them, and it pays only where it holds far fewer rows than the
 * lines it stands for:
 *   - raw lines when the report zone is not whole hours off UTC over the range (half-hour zones such as
 *     India's split UTC hours, so only instants can place a sale in its local hour);
 *   - sales_product_daily (by local date and product, all stores) for per-product questions in the
 *     stores' own zone over all stores: local dates are exactly what the range filters on, and each
 *     product's baskets sum whatever products or categories are chosen. Per-product questions by store or
 *     in another zone read the lines, which sum the same flags (a per-product rollup by store or hour holds
 *     nearly a row per line, made every insert slower and was read barely faster than the lines);
 *   - raw lines for other questions filtered by products or categories: the lines chosen then hold parts
 *     of baskets, which are counted distinct (a basket holding two of the chosen products counts once);
 *   - sales_store_daily (by store and local day, migration 0210) for totals in any such zone and for days
 *     or coarser buckets in the stores' own zone: a year is about a tenth of the hourly rows. In another
 *     zone only the store-local days wholly inside the range come from it (customerEdges), and the hours
 *     at the range's ends from sales_store_hourly;
 *   - sales_store_hourly (by store and hour) otherwise: sales by hour, hour of day and weather, and days
 *     in another zone than the stores' own.
 * Every source answers in the same shape (see salesLines), so the choice never changes an answer.
 */
export function pickSalesSource(scope: InsightsScope, needs: SalesNeeds = {}): SalesSource {
  if (!scope.hourAligned) return 'raw'
  if (needs.byProduct)
    return scope.clock === 'local' && scope.stores.length === 0 ? 'productDailyRollup' : 'raw'
  if (scope.categories.length > 0 || scope.products.length > 0) return 'raw'
  const time = needs.time ?? 'hour'
  return time === 'total' || (time === 'day' && scope.clock === 'local') ? 'storeDailyRollup' : 'storeRollup'
}

export interface LinesQuery {
  sql: string
  params: Record<string, unknown>
  source: SalesSource
  /** The baskets of a group of rows (with byProduct: of each product), from their column `tx`. */
  baskets: string
  /**
   * Columns to keep apart before summing `baskets` across groups: only when lines holding parts of
   * baskets are counted distinct (per store, UTC hour and currency, as a basket lives in one); flags and
   * rollup rows sum across any groups.
   */
  basketKeys: string[]
}

/** The distinct non-empty group keys, in order, for a GROUP BY (or '' when there are none). */
export function groupKeys(...keys: string[]): string {
  return [...new Set(keys.filter((k) => k !== ''))].join(', ')
}

/** The report wall clock of an instant column, zone-less (DateTime in UTC) so bucket functions need no zone. */
function wallClock(scope: InsightsScope, instant: string, local: string): string {
  return scope.clock === 'local'
    ? local
    : `toDateTime(${instant}, 'UTC') + toIntervalSecond(${zoneOffsetSql(instant, '{tz:String}')})`
}

/**
 * Whether a row lies in the report range (salesLines' in_range) from its UTC hour and its store wall clock
 * hours: in the stores' own clock, any of `localHours` inside the range; else the report wall clock of
 * `instant`.
 */
export function inReportRange(scope: InsightsScope, instant: string, localHours: string[]): string {
  const clocks = scope.clock === 'local' ? localHours : [wallClock(scope, instant, '')]
  return clocks.map((lt) => `(${lt} >= {fromAt:DateTime} AND ${lt} < {toAt:DateTime})`).join(' OR ')
}

/** Filters every source shares: tenant, status, stores, categories, products and a UTC pre-range. */
const commonFilters = (table: string, instant: string) => `
      ${table}.merchant_id = {merchantId:String}
      AND ${table}.${instant} >= {scanFromDateTime:DateTime} AND ${table}.${instant} < {scanToDateTime:DateTime}
      AND (empty({stores:Array(String)}) OR ${table}.store_id IN {stores:Array(String)})
      AND (empty({categories:Array(String)}) OR ${table}.category IN {categories:Array(String)})
      AND (empty({products:Array(String)}) OR ${table}.product_id IN {products:Array(String)})`

/** The store rollup has no product dimension: only questions without product filters reach it. */
const storeFilters = (table: string, instant: string) => `
      ${table}.merchant_id = {merchantId:String}
      AND ${table}.${instant} >= {scanFromDateTime:DateTime} AND ${table}.${instant} < {scanToDateTime:DateTime}
      AND (empty({stores:Array(String)}) OR ${table}.store_id IN {stores:Array(String)})`

function scopeParams(scope: InsightsScope, padDays = 0): Record<string, unknown> {
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
    scanFromDateTime: `${addDays(from, -1)} 00:00:00`,
    scanToDateTime: `${addDays(toExclusive, 1)} 00:00:00`,
    scanFromDate: addDays(from, -1),
    scanToDate: addDays(toExclusive, 1),
  }
}

/** Flags and rollup rows are summed in any grouping. */
const summedBaskets = { baskets: 'sum(tx)', basketKeys: [] }

/**
 * Completed sales in scope from the chosen source, as rows with the same columns whatever the source:
 *   store_id, hour_utc, local_hour (store wall clock, hour), lt (report wall clock, hour), in_range (lt
 *   inside from..to; rows outside exist only with padDays), currency, quantity, amount, tourist_amount,
 *   known_origin_amount (Decimal, in `currency`), tx; with byProduct also product_id and category (the
 *   product rollup has no store: its store_id is ''). Rows are not yet aggregated: aggregate them with
 *   sum() and `baskets`, grouping by `basketKeys` first. padDays widens the range (weather lift looks 14
 *   days either side).
 */
export function salesLines(
  scope: InsightsScope,
  options: {
    padDays?: number
    source?: SalesSource | undefined
    byProduct?: boolean
    time?: SalesNeeds['time']
  } = {},
): LinesQuery {
  const padDays = options.padDays ?? 0
  const byProduct = options.byProduct ?? false
  const source = options.source ?? pickSalesSource(scope, { byProduct, time: options.time })
  const params = scopeParams(scope, padDays)
  const range = `lt >= {padFromAt:DateTime} AND lt < {padToAt:DateTime}`
  const inRange = `lt >= {fromAt:DateTime} AND lt < {toAt:DateTime} AS in_range`
  if (source === 'raw') {
    // Lines of whole baskets sum their flags; lines chosen by product or category hold parts of baskets,
    // which are counted distinct (by product, each product's lines are whole baskets of that product).
    const partial = !byProduct && (scope.categories.length > 0 || scope.products.length > 0)
    const tx = partial
      ? 'cityHash64(t.transaction_id)'
      : `toUInt64(${byProduct ? 't.product_first' : 't.basket_first'})`
    const sql = `
    SELECT t.store_id AS store_id, toDateTime(toStartOfHour(t.occurred_at), 'UTC') AS hour_utc,
           toStartOfHour(t.local_at) AS local_hour,
           toStartOfHour(${wallClock(scope, 't.occurred_at', 't.local_at')}) AS lt, ${inRange},
           t.currency AS currency, t.product_id AS product_id, t.category AS category,
           toDecimal128(t.quantity, 3) AS quantity, toDecimal128(t.amount, 4) AS amount,
           if(t.customer_home_country != '' AND t.store_country != ''
              AND t.customer_home_country != t.store_country, amount, toDecimal128(0, 4)) AS tourist_amount,
           if(t.customer_home_country != '' AND t.store_country != '', amount, toDecimal128(0, 4)) AS known_origin_amount,
           ${tx} AS tx
    FROM transactions AS t
    WHERE ${commonFilters('t', 'occurred_at')} AND t.status = 'completed' AND ${range}`
    return {
      sql,
      params,
      source,
      ...(partial
        ? { baskets: 'uniqExact(tx)', basketKeys: ['store_id', 'hour_utc', 'currency'] }
        : summedBaskets),
    }
  }
  if (source === 'productDailyRollup') {
    if (!byProduct || scope.stores.length > 0 || scope.clock !== 'local')
      throw new Error('sales_product_daily answers per-product questions over all stores in their own zone')
    // Days stand in for hours: lt is the local day (in this clock range filters are whole local days),
    // hour_utc the UTC day (FX).
    const sql = `
    SELECT '' AS store_id, toDateTime(r.utc_day, 'UTC') AS hour_utc,
           toDateTime(r.local_day, 'UTC') AS local_hour, local_hour AS lt, ${inRange},
           r.currency AS currency, r.product_id AS product_id, r.category AS category,
           r.quantity AS quantity, r.amount AS amount, r.baskets AS tx
    FROM sales_product_daily AS r
    WHERE r.merchant_id = {merchantId:String}
      AND r.local_day >= {scanFromDate:Date} AND r.local_day < {scanToDate:Date}
      AND (empty({categories:Array(String)}) OR r.category IN {categories:Array(String)})
      AND (empty({products:Array(String)}) OR r.product_id IN {products:Array(String)}) AND ${range}`
    return { sql, params, source, ...summedBaskets }
  }
  const hourly = `
    SELECT r.store_id AS store_id, r.hour_utc AS hour_utc, r.local_hour AS local_hour,
           ${wallClock(scope, 'r.hour_utc', 'r.local_hour')} AS lt, ${inRange},
           r.currency AS currency, r.quantity AS quantity, r.amount AS amount,
           r.tourist_amount AS tourist_amount, r.known_origin_amount AS known_origin_amount, r.baskets AS tx
    FROM sales_store_hourly AS r
    WHERE ${storeFilters('r', 'hour_utc')} AND ${range}`
  if (source === 'storeRollup') return { sql: hourly, params, source, ...summedBaskets }
  // Days stand in for hours, as in the product rollup: lt and local_hour are the store-local day, hour_utc
  // the UTC day (FX).
  const daily = (days: string) => `
    SELECT r.store_id AS store_id, toDateTime(r.utc_day, 'UTC') AS hour_utc,
           toDateTime(r.local_day, 'UTC') AS local_hour, local_hour AS lt, ${inRange},
           r.currency AS currency, r.quantity AS quantity, r.amount AS amount,
           r.tourist_amount AS tourist_amount, r.known_origin_amount AS known_origin_amount, r.baskets AS tx
    FROM sales_store_daily AS r
    WHERE r.merchant_id = {merchantId:String} AND ${days}
      AND (empty({stores:Array(String)}) OR r.store_id IN {stores:Array(String)})`
  // In the stores' own clock the range is made of whole local days.
  if (scope.clock === 'local')
    return {
      sql: `${daily('r.local_day >= {scanFromDate:Date} AND r.local_day < {scanToDate:Date}')} AND ${range}`,
      params,
      source,
      ...summedBaskets,
    }
  // In another zone the rows answer totals only: the interior days (each wholly inside the range for every
  // store, so its rows are in range; a day's lt is no report wall clock) from the daily rollup, the hours
  // of the store-local days around them from the hourly one, found by their UTC hour first.
  if (padDays !== 0) throw new Error('sales_store_daily answers totals of the range only in another zone')
  // Parameters of their own: a summary binds the customer statement's beside these.
  const edges = customerEdges(scope)
  const interior = interiorDays(scope, edges)
  const days = 'BETWEEN {salesDaysFrom:Date} AND {salesDaysTo:Date}'
  const ends = `${hourly}
      AND ${endHours('r.hour_utc', 'salesLowBefore', 'salesHighFrom')}
      AND toDate(r.local_hour) NOT ${days}`
  return {
    sql: `${daily(`r.local_day ${days}`)}
    UNION ALL${ends}`,
    params: {
      ...params,
      salesDaysFrom: interior.from,
      salesDaysTo: interior.to,
      salesLowBefore: edges.lowBefore,
      salesHighFrom: edges.highFrom,
    },
    source,
    ...summedBaskets,
  }
}

export type CustomerSource = 'customerRollup' | 'raw'

/**
 * Which tables answer a question about customers: the customer rollups (customers_daily_bitmap,
 * customers_monthly_bitmap and merchant_customers_monthly, by store-local date and origin) unless
 * something filters by product or category (the rollups have neither), else the raw lines. In any report
 * zone: the rollups answer the store-local days that lie wholly inside the range (see customerEdges) and
 * the raw lines the few days at its ends, so the zone (even a half-hour one) never sends them raw.
 */
export function pickCustomerSource(scope: InsightsScope): CustomerSource {
  const byProduct = scope.categories.length > 0 || scope.products.length > 0
  return byProduct ? 'raw' : 'customerRollup'
}

/**
 * How far any stored wall clock may run from its instant when the merchant's are unknown: store zones lie
 * between UTC-12 and UTC+14, and an offset written on a line is under a day (as ClockOffsets: each line's
 * own offset lies strictly within an hour of min..max).
 */
const anyClockOffsets: ClockOffsets = { min: -23 * 3600, max: 23 * 3600 }
/**
 * The offsets a report zone can have: every zone lies between UTC-12 and UTC+14 since 1970, so the bounds
 * need no zone data.
 */
const reportOffsets = { min: -12 * 3600, max: 14 * 3600 }
/** Slack for a zone changing at midnight, and for rounding. */
const zoneSlackSeconds = 3600

/**
 * Where the customer rollups and the raw lines split a range in another zone than the stores' own:
 *   - interior: the store-local days (inclusive; null when none) whose every line lies inside the report
 *     range, for every store in scope. On the stores' own clocks that is the range itself;
 *   - lowBefore, highFrom: lines of a local day before the interior have instants before lowBefore, of a
 *     day after it instants from highFrom on;
 *   - scanFrom, scanTo: the instants of the report range, widened by the slack.
 * A line's instant is its wall clock less its offset, and every offset lies within an hour of the
 * merchant's (InsightsScope.clockOffsets, from the hourly rollup; any offset under a day when unknown), so
 * local day D holds instants strictly between D 00:00 - (max + 1 h) and D+1 00:00 - (min - 1 h). The report
 * range runs from the report zone's `from` 00:00 to its `to`+1 00:00, 12 hours after to 14 hours before
 * those wall clocks read as UTC (reportOffsets), with an hour of slack. For the large bench
 * merchant (stores in New York, Chicago, Denver and Los Angeles) reported in New York time, the raw ends
 * of 2025 scan 19,407 lines at 10M instead of 55,736 under the former fixed two-day margin.
 */
export function customerEdges(scope: InsightsScope): CustomerEdges {
  const day = 86_400
  const midnight = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000
  const rangeStart = midnight(scope.from)
  const rangeEnd = midnight(addDays(scope.to, 1))
  if (scope.clock === 'local') {
    return {
      interior: { from: scope.from, to: scope.to },
      ...edgeInstants(rangeStart, rangeEnd, rangeStart, rangeEnd),
    }
  }
  // The report range's instants: earliest and latest each bound can be, whatever the engine's zone data
  // say of the report zone.
  const startEarliest = rangeStart - reportOffsets.max - zoneSlackSeconds
  const startLatest = rangeStart - reportOffsets.min + zoneSlackSeconds
  const endEarliest = rangeEnd - reportOffsets.max - zoneSlackSeconds
  const endLatest = rangeEnd - reportOffsets.min + zoneSlackSeconds
  const clocks = scope.clockOffsets ?? anyClockOffsets
  const least = clocks.min - 3600
  const most = clocks.max + 3600
  // Day D is inside when D - most >= startLatest and D + 1 day - least <= endEarliest.
  const first = Math.ceil((startLatest + most) / day) * day
  const last = Math.floor((endEarliest + least - day) / day) * day
  const dateOf = (t: number) => new Date(t * 1000).toISOString().slice(0, 10)
  if (first > last) {
    // Every line in range is read raw: every instant counts as an end.
    return { interior: null, ...edgeInstants(endLatest, startEarliest, startEarliest, endLatest) }
  }
  return {
    interior: { from: dateOf(first), to: dateOf(last) },
    ...edgeInstants(first - least, last + day - most, startEarliest, endLatest),
  }
}

interface CustomerEdges {
  interior: { from: string; to: string } | null
  lowBefore: string
  highFrom: string
  scanFrom: string
  scanTo: string
}

/** The interior days of `edges`, or an empty range (from after to) when there are none or no edges. */
function interiorDays(scope: InsightsScope, edges?: CustomerEdges): { from: string; to: string } {
  return edges?.interior ?? { from: addDays(scope.to, 1), to: scope.to }
}

/**
 * The rows of an hourly rollup (`hour`, its UTC hour column) that may hold lines of the store-local days
 * before or after the interior: by the instants customerEdges bounds those lines by (parameters named
 * `lowBefore` and `highFrom`), on the rollup's sorting key.
 */
function endHours(hour: string, lowBefore: string, highFrom: string): string {
  return `(${hour} < {${lowBefore}:DateTime} OR ${hour} >= toStartOfHour({${highFrom}:DateTime}))`
}

function edgeInstants(lowBefore: number, highFrom: number, scanFrom: number, scanTo: number) {
  const text = (t: number) => new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ')
  return {
    lowBefore: text(lowBefore),
    highFrom: text(highFrom),
    scanFrom: text(scanFrom),
    scanTo: text(scanTo),
  }
}

interface CustomerQuery {
  sql: string
  params: Record<string, unknown>
  source: CustomerSource
}

const origin = `t.customer_home_country AS home_country,
           t.customer_home_country != '' AND t.store_country != '' AS known,
           known AND t.customer_home_country != t.store_country AS tourist`

/**
 * Completed lines in scope (report wall clock `lt` inside from..to). With `edges`, only those whose
 * store-local date lies outside the interior days: the ends of a range the rollups answer inside, read
 * between the instants customerEdges bounds them by.
 */
function rawCustomerWhere(scope: InsightsScope, edges?: CustomerEdges): string {
  const scan = edges
    ? `
      AND t.occurred_at >= {edgeScanFrom:DateTime} AND t.occurred_at < {edgeScanTo:DateTime}`
    : ''
  const ends = edges?.interior
    ? `
      AND (t.occurred_at < {edgeLowBefore:DateTime} OR t.occurred_at >= {edgeHighFrom:DateTime})
      AND NOT (toDate(t.local_at) >= {fromDate:Date} AND toDate(t.local_at) <= {toDate:Date})`
    : ''
  return `
    WHERE ${commonFilters('t', 'occurred_at')} AND t.status = 'completed'
      AND ${wallClock(scope, 't.occurred_at', 't.local_at')} >= {fromAt:DateTime}
      AND ${wallClock(scope, 't.occurred_at', 't.local_at')} < {toAt:DateTime}${scan}${ends}`
}

const rawCustomerLines = (scope: InsightsScope) => `
    SELECT t.currency AS currency, toDateTime(toStartOfHour(t.occurred_at), 'UTC') AS hour_utc, ${origin},
           toDecimal128(t.amount, 4) AS amount, t.customer_key AS customer_key
    FROM transactions AS t ${rawCustomerWhere(scope)}`

/**
 * Parameters of the customer queries: the scope's, and for the rollups the interior days (fromDate,
 * toDate; an empty range when there are none) with the instants of the raw ends around them.
 */
function customerParams(scope: InsightsScope, edges?: CustomerEdges) {
  const days = interiorDays(scope, edges)
  return {
    ...scopeParams(scope),
    fromDate: days.from,
    toDate: days.to,
    ...(edges && {
      edgeLowBefore: edges.lowBefore,
      edgeHighFrom: edges.highFrom,
      edgeScanFrom: edges.scanFrom,
      edgeScanTo: edges.scanTo,
    }),
  }
}

/**
 * Revenue of completed sales in scope by origin, with the same columns whatever the source: currency,
 * hour_utc (UTC hour, or UTC day in the rollup: FX needs only the day), home_country, known (home and
 * store country both known), tourist (known and they differ), amount (Decimal, in `currency`). Not yet
 * aggregated. Distinct customers come from customerSets. The rollup answers the interior days
 * (customerEdges), the raw lines the ends of the range in another zone.
 */
export function customerLines(scope: InsightsScope, source = pickCustomerSource(scope)): CustomerQuery {
  if (source === 'customerRollup') {
    const edges = customerEdges(scope)
    const params = customerParams(scope, edges)
    const daily = `
    SELECT c.currency AS currency, toDateTime(c.utc_day, 'UTC') AS hour_utc, c.home_country AS home_country,
           c.known AS known, c.tourist AS tourist, c.amount AS amount
    FROM customers_daily_bitmap AS c
    WHERE c.merchant_id = {merchantId:String}
      AND c.local_day >= {fromDate:Date} AND c.local_day <= {toDate:Date}
      AND (empty({stores:Array(String)}) OR c.store_id IN {stores:Array(String)})`
    if (scope.clock === 'local') return { sql: daily, params, source }
    const ends = `
    SELECT t.currency AS currency, toDateTime(toStartOfHour(t.occurred_at), 'UTC') AS hour_utc, ${origin},
           toDecimal128(t.amount, 4) AS amount
    FROM transactions AS t ${rawCustomerWhere(scope, edges)}`
    return { sql: `${daily}\n    UNION ALL${ends}`, params, source }
  }
  return { sql: rawCustomerLines(scope), params: customerParams(scope), source }
}

export interface CustomerSetQuery extends CustomerQuery {
  /** Distinct known customers over the rows, grouped or not (distinct people cannot be summed). */
  customers: string
}

/** The whole months inside from..to (local dates) as [first day, first day after), or null. */
export function wholeMonths(from: string, to: string): { from: string; to: string } | null {
  const first = from.endsWith('-01') ? from : addDays(`${from.slice(0, 7)}-01`, 32).slice(0, 7) + '-01'
  const after = addDays(to, 1)
  const end = after.endsWith('-01') ? after : `${to.slice(0, 7)}-01`
  return first < end ? { from: first, to: end } : null
}

/**
 * Completed sales in scope for counting distinct customers, with columns home_country, known, tourist
 * and whatever `customers` counts. The rollup answers with roaring bitmaps of customer numbers
 * (migrations 0050, 0051, 0180): one row per month and origin (per store too when stores are chosen) for
 * the whole months of the interior days (customerEdges), per day and origin (per store, currency and UTC
 * day too when stores are chosen) for the interior days around them, so a year merges a few dozen bitmaps
 * per origin, not one per store and day. In another zone than the stores' own, the days at the range's
 * ends come, over all stores in a zone whole hours off UTC, from the merchant's hourly bitmaps of the UTC
 * hours inside the range (migration 0190); otherwise their lines are read raw and made into bitmaps of the
 * same numbers (`groupBitmapState(customer_no)`, 0 = no customer). Either way the union stays exact.
 * The raw source counts 64-bit hashes of the pseudonyms: a pseudonym has one number per merchant, so
 * both count the same people.
 */
export function customerSets(scope: InsightsScope, source = pickCustomerSource(scope)): CustomerSetQuery {
  if (source === 'customerRollup') {
    const edges = customerEdges(scope)
    const { interior } = edges
    // Without a whole month the monthly range is empty and every interior day comes from the daily rollup.
    const months = (interior && wholeMonths(interior.from, interior.to)) ?? {
      from: scope.from,
      to: scope.from,
    }
    const params = { ...customerParams(scope, edges), monthsFrom: months.from, monthsTo: months.to }
    const stores = (t: string) => `(empty({stores:Array(String)}) OR ${t}.store_id IN {stores:Array(String)})`
    // All stores: one bitmap per month (day) and origin; chosen stores: one per store, month (day, currency
    // and UTC day) and origin.
    const allStores = scope.stores.length === 0
    const monthly = allStores
      ? 'merchant_customers_monthly AS m WHERE m.merchant_id = {merchantId:String}'
      : `customers_monthly_bitmap AS m WHERE m.merchant_id = {merchantId:String} AND ${stores('m')}`
    const daily = allStores
      ? 'merchant_customers_daily AS d WHERE d.merchant_id = {merchantId:String}'
      : `customers_daily_bitmap AS d WHERE d.merchant_id = {merchantId:String} AND ${stores('d')}`
    const rollups = `
    SELECT m.home_country AS home_country, m.known AS known, m.tourist AS tourist, m.customers AS customer_set
    FROM ${monthly}
      AND m.local_month >= {monthsFrom:Date} AND m.local_month < {monthsTo:Date}
    UNION ALL
    SELECT d.home_country, d.known, d.tourist, d.customers
    FROM ${daily}
      AND d.local_day >= {fromDate:Date} AND d.local_day <= {toDate:Date}
      AND NOT (d.local_day >= {monthsFrom:Date} AND d.local_day < {monthsTo:Date})`
    // The ends: over all stores in a zone whole hours off UTC, the merchant's hourly bitmaps of the UTC
    // hours inside the range that hold them (a union may overlap the days above); else the raw lines.
    const ends =
      allStores && scope.hourAligned
        ? `
    UNION ALL
    SELECT h.home_country, h.known, h.tourist, h.customers
    FROM merchant_customers_hourly AS h
    WHERE h.merchant_id = {merchantId:String}
      AND h.hour_utc >= {edgeScanFrom:DateTime} AND h.hour_utc < {edgeScanTo:DateTime}
      AND ${endHours('h.hour_utc', 'edgeLowBefore', 'edgeHighFrom')}
      AND ${inReportRange(scope, 'h.hour_utc', [])}`
        : `
    UNION ALL
    SELECT home_country, known, tourist, groupBitmapState(t.customer_no)
    FROM (SELECT t.customer_no AS customer_no, ${origin}
          FROM transactions AS t ${rawCustomerWhere(scope, edges)} AND t.customer_no != 0) AS t
    GROUP BY home_country, known, tourist`
    const sql = scope.clock === 'local' ? rollups : rollups + ends
    return { sql, params, source, customers: 'groupBitmapMerge(customer_set)' }
  }
  return {
    sql: rawCustomerLines(scope),
    params: customerParams(scope),
    source,
    customers: `uniqExactIf(cityHash64(customer_key), customer_key != '')`,
  }
}

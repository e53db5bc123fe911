import type { InsightsQuery } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { HttpError } from '../httpError.ts'

/** The `tz` value that puts every store on its own wall clock. */
const storeClocksZone = 'local'

interface ScopeStore {
  storeId: string
  lat: number
  lon: number
  timezone: string
  country: string
}

/**
 * A validated insights request: whose data, which stores/categories/products, which local dates in which
 * zone, in which currency. Every insights query takes one as its second argument.
 */
export interface InsightsScope {
  merchantId: string
  /** Selected store ids; empty means every store of the merchant. */
  stores: string[]
  categories: string[]
  products: string[]
  /** Inclusive local dates (YYYY-MM-DD) in `timezone` (each store's own dates when it is 'local'). */
  from: string
  to: string
  timezone: string
  /**
   * 'local': every selected store runs on `timezone`, so the stored wall clock (local_at) is the report
   * clock. 'zone': the report zone differs from some store's, so wall clocks derive from the UTC instant.
   */
  clock: 'local' | 'zone'
  /** The report zone is a whole number of hours off UTC over the range (hourly rollups can serve it). */
  hourAligned: boolean
  currency: string
  /** The selected stores (all stores when none is selected), for weather and time-zone decisions. */
  storeList: ScopeStore[]
  /**
   * Every currency of the merchant's stored lines (any time, any status), when known: if none differs from
   * `currency`, no line in scope needs converting (see reportFx).
   */
  saleCurrencies?: string[]
  /** How far the wall clocks of the merchant's stored sales run from UTC, when known (MerchantFacts). */
  clockOffsets?: ClockOffsets | null
}

/**
 * The least and greatest difference, in seconds, between the local hour and the UTC hour of a merchant's
 * completed lines (their stored wall clock against their instant, to the hour: a half-hour zone shows
 * both neighbouring hours). Every such line's own offset lies strictly within an hour of this range.
 */
export interface ClockOffsets {
  min: number
  max: number
}

export interface ScopeLimits {
  rangeDays: number
}

export interface MerchantFacts {
  currency: string
  timezone: string
  stores: (ScopeStore & { currency: string })[]
  saleCurrencies: string[]
  /** Null when the merchant has no completed line. */
  clockOffsets: ClockOffsets | null
}

/** Where a scope's merchant facts come from: the query below, or a cache of it (referenceCache.ts). */
export type MerchantFactsSource = (merchantId: string) => Promise<MerchantFacts | undefined>

/**
 * The merchant's currency and zone, its stores, the currencies its lines were sold in, and how far their
 * wall clocks run from UTC (from the hourly rollup, which holds every completed line).
 */
export async function merchantFacts(db: Db, merchantId: string): Promise<MerchantFacts | undefined> {
  const result = await db.client.query({
    query: `
      SELECT
        (SELECT argMax(currency, updated_at) FROM merchants WHERE merchant_id = {m:String}) AS currency,
        (SELECT argMax(timezone, updated_at) FROM merchants WHERE merchant_id = {m:String}) AS timezone,
        (SELECT count() FROM merchants WHERE merchant_id = {m:String}) AS known,
        (SELECT groupArray((store_id, lat, lon, timezone, country, currency))
           FROM (SELECT * FROM stores FINAL WHERE merchant_id = {m:String} ORDER BY store_id)) AS stores,
        (SELECT groupUniqArray(currency) FROM transactions WHERE merchant_id = {m:String}) AS saleCurrencies,
        (SELECT (count(), min(toInt64(local_hour) - toInt64(hour_utc)), max(toInt64(local_hour) - toInt64(hour_utc)))
           FROM sales_store_hourly WHERE merchant_id = {m:String}) AS clockOffsets`,
    query_params: { m: merchantId },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'insightsScope.merchantFacts' },
  })
  const [row] = await result.json<{
    currency: string
    timezone: string
    known: number
    stores: [string, number, number, string, string, string][]
    saleCurrencies: string[]
    clockOffsets: [number, number, number]
  }>()
  if (!row || (row.known === 0 && row.stores.length === 0)) return undefined
  return {
    currency: row.currency,
    timezone: row.timezone,
    stores: row.stores.map(([storeId, lat, lon, timezone, country, currency]) => ({
      storeId,
      lat,
      lon,
      timezone,
      country,
      currency,
    })),
    saleCurrencies: row.saleCurrencies,
    clockOffsets: row.clockOffsets[0] > 0 ? { min: row.clockOffsets[1], max: row.clockOffsets[2] } : null,
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

/** Whether `tz` is a whole number of hours off UTC on every day of the range (checked daily at noon UTC). */
function isHourAligned(tz: string, from: string, to: string): boolean {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const name = format.formatToParts(new Date(`${day}T12:00:00Z`)).find((p) => p.type === 'timeZoneName')
    // "GMT", "GMT+01:00", "GMT-09:30": only a non-zero minutes part breaks hour alignment.
    const minutes = /GMT[+-]\d{2}:(\d{2})/.exec(name?.value ?? '')?.[1]
    if (minutes !== undefined && minutes !== '00') return false
  }
  return true
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** The same calendar date a year earlier (29 February becomes 28 February). */
export function minusOneYear(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const last = new Date(Date.UTC(y - 1, m, 0)).getUTCDate()
  return `${String(y - 1).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

function todayIn(tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date())
}

/** The local date of the newest sale in `tz`, or on the stores' own clocks when tz is null. */
async function newestSaleDate(db: Db, merchantId: string, stores: string[], tz: string | null) {
  const result = await db.client.query({
    query: `
      SELECT toString(if({storeClocks:Bool}, toDate(max(local_at)), toDate(max(occurred_at), {tz:String}))) AS day,
             count() > 0 AS any
      FROM transactions
      WHERE merchant_id = {m:String} AND (empty({stores:Array(String)}) OR store_id IN {stores:Array(String)})`,
    query_params: { m: merchantId, stores, tz: tz ?? 'UTC', storeClocks: tz === null },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'insightsScope.newestSaleDate' },
  })
  const [row] = await result.json<{ day: string; any: boolean | number }>()
  return row?.any ? row.day : undefined
}

/**
 * Turns request parameters into a validated scope. Defaults: stores = all; time zone = the zone shared by
 * the selected stores, else the merchant's, else UTC ('local' asks for each store's own wall clock); currency = the merchant's, else the stores' common
 * one, else USD; to = the local date of the newest sale (today when there is none); from = to - 29 days.
 */
export async function resolveInsightsScope(
  db: Db,
  merchantId: string,
  query: InsightsQuery,
  limits: ScopeLimits,
  factsOf: MerchantFactsSource = (id) => merchantFacts(db, id),
): Promise<InsightsScope> {
  const facts = await factsOf(merchantId)
  if (!facts) throw HttpError.notFound(`merchant ${merchantId} not found`)
  const stores = [...new Set(query.store ?? [])]
  const known = new Set(facts.stores.map((s) => s.storeId))
  const unknown = stores.find((s) => !known.has(s))
  if (unknown !== undefined) throw HttpError.badRequest(`store: unknown store ${unknown}`)
  const storeList = stores.length ? facts.stores.filter((s) => stores.includes(s.storeId)) : facts.stores

  // tz=local: every store on its own wall clock (a chain across zones sees its morning peak at 8 everywhere).
  const storeClocks = query.tz === storeClocksZone
  if (query.tz !== undefined && !storeClocks && !isTimeZone(query.tz))
    throw HttpError.badRequest(`tz: unknown time zone ${query.tz}; use an IANA zone or "${storeClocksZone}"`)
  const storeZones = [...new Set(storeList.map((s) => s.timezone).filter((z) => z !== ''))]
  const onlyZone = storeZones.length === 1 ? storeZones[0] : undefined
  const timezone = query.tz ?? onlyZone ?? (facts.timezone || storeZones[0] || 'UTC')
  // A zone for what needs one (today, the newest sale's date) when the report runs on store clocks.
  const anyZone = storeClocks ? (onlyZone ?? (facts.timezone || 'UTC')) : timezone

  const storeCurrencies = [...new Set(facts.stores.map((s) => s.currency).filter((c) => c !== ''))]
  const onlyCurrency = storeCurrencies.length === 1 ? storeCurrencies[0] : undefined
  const currency = query.currency ?? (facts.currency || onlyCurrency || 'USD')

  const to =
    query.to ??
    (await newestSaleDate(db, merchantId, stores, storeClocks ? null : timezone)) ??
    todayIn(anyZone)
  const from = query.from ?? addDays(to, -29)
  if (from > to) throw HttpError.badRequest(`from: ${from} is after to ${to}`)
  const days = daysBetween(from, to) + 1
  if (days > limits.rangeDays)
    throw HttpError.badRequest(`to: the range covers ${days} days; the maximum is ${limits.rangeDays}`)

  const clock =
    storeClocks || (storeList.length > 0 && storeList.every((s) => s.timezone === timezone))
      ? 'local'
      : 'zone'
  return {
    merchantId,
    stores,
    categories: [...new Set(query.category ?? [])],
    products: [...new Set(query.product ?? [])],
    from,
    to,
    timezone,
    clock,
    hourAligned: clock === 'local' || isHourAligned(timezone, from, to),
    currency,
    storeList: storeList.map(({ currency: _c, ...s }) => s),
    saleCurrencies: facts.saleCurrencies,
    clockOffsets: facts.clockOffsets,
  }
}

/** The comparison range: the same number of days just before, or the same dates a year earlier. */
export function comparisonScope(
  scope: InsightsScope,
  compare: 'previous_period' | 'previous_year',
): InsightsScope {
  const range =
    compare === 'previous_period'
      ? { from: addDays(scope.from, -(daysBetween(scope.from, scope.to) + 1)), to: addDays(scope.from, -1) }
      : { from: minusOneYear(scope.from), to: minusOneYear(scope.to) }
  return {
    ...scope,
    ...range,
    hourAligned: scope.clock === 'local' || isHourAligned(scope.timezone, range.from, range.to),
  }
}

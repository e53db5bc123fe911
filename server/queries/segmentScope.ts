import type { SegmentRules } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { HttpError } from '../httpError.ts'
import { addDays } from './insightsScope.ts'

/**
 * A validated segment question: whose customers, up to which local day, with which rules. Every segment
 * query takes one. Windows are trailing local days ending at `asOf`; customers are those with a completed
 * line in the history window (the `historyDays` days up to asOf, MAX_RANGE_DAYS).
 */
export interface SegmentScope {
  merchantIds: string[]
  asOf: string
  historyFrom: string
  rules: SegmentRules
  /** Currency spend is summed and ranked in: the spend rule's, else the first merchant's, else USD. */
  currency: string
  /** Currencies of the merchants' sales: money rules convert only when one differs from `currency`. */
  saleCurrencies: string[]
}

export interface SegmentLimits {
  /** MAX_RANGE_DAYS: the longest window a rule may ask for, and the history a segment looks back over. */
  rangeDays: number
}

/** Each rule window with the field that names it in a 400. */
function ruleWindows(rules: SegmentRules): [string, number][] {
  const windows: [string, number | undefined][] = [
    ['rules.spend.days', rules.spend?.days],
    ['rules.visits.days', rules.visits?.days],
    ['rules.spendRank.days', rules.spendRank?.days],
    ['rules.lastSeenWithinDays', rules.lastSeenWithinDays],
    ['rules.notSeenForDays', rules.notSeenForDays],
  ]
  return windows.filter((w): w is [string, number] => w[1] !== undefined)
}

/** Refuses windows longer than MAX_RANGE_DAYS (400 naming the field): checkable before any query. */
export function assertRuleWindows(rules: SegmentRules, limits: SegmentLimits): void {
  for (const [field, days] of ruleWindows(rules)) {
    if (days > limits.rangeDays)
      throw HttpError.badRequest(
        `${field}: the window covers ${days} days; the maximum is ${limits.rangeDays}`,
      )
  }
}

/**
 * Checks the merchants exist (404 otherwise, like one the key may not see: the caller has already
 * refused those), that every store of `rules.stores` belongs to one of them (400), and fixes `asOf`
 * (default: the local day of the newest completed sale of their stores; today in UTC when they have none).
 */
export async function resolveSegmentScope(
  db: Db,
  merchantIds: string[],
  rules: SegmentRules,
  asOf: string | undefined,
  limits: SegmentLimits,
): Promise<SegmentScope> {
  assertRuleWindows(rules, limits)
  const merchants = [...new Set(merchantIds)]
  const result = await db.client.query({
    query: `
      SELECT
        (SELECT groupUniqArray(merchant_id) FROM merchants WHERE merchant_id IN {m:Array(String)}) AS known,
        (SELECT groupUniqArray(merchant_id) FROM stores WHERE merchant_id IN {m:Array(String)}) AS withStores,
        (SELECT argMax(currency, updated_at) FROM merchants WHERE merchant_id = {first:String}) AS currency,
        (SELECT groupUniqArray(store_id) FROM stores
           WHERE merchant_id IN {m:Array(String)} AND store_id IN {stores:Array(String)}) AS storesFound,
        (SELECT (toString(max(local_day)), count() > 0, groupUniqArray(currency))
           FROM customers_daily_bitmap WHERE merchant_id IN {m:Array(String)}) AS sales`,
    query_params: { m: merchants, first: merchants[0] ?? '', stores: rules.stores ?? [] },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'segmentScope' },
  })
  const [row] = await result.json<{
    known: string[]
    withStores: string[]
    currency: string
    storesFound: string[]
    sales: [string, boolean | number, string[]]
  }>()
  const found = new Set([...(row?.known ?? []), ...(row?.withStores ?? [])])
  const missing = merchants.find((m) => !found.has(m))
  if (missing !== undefined) throw HttpError.notFound(`merchant ${missing} not found`)
  const storesFound = new Set(row?.storesFound ?? [])
  const unknownStore = rules.stores?.find((s) => !storesFound.has(s))
  if (unknownStore !== undefined)
    throw HttpError.badRequest(`rules.stores: unknown store ${unknownStore} for these merchants`)
  // The customer rollup holds a row per store, local day and currency with completed sales: the newest day
  // and the currencies come from it without reading the lines.
  const [newest, anySale, saleCurrencies] = row?.sales ?? ['', false, []]
  const day = asOf ?? (anySale ? newest : new Date().toISOString().slice(0, 10))
  return {
    merchantIds: merchants,
    asOf: day,
    historyFrom: addDays(day, 1 - limits.rangeDays),
    rules,
    currency: rules.spend?.currency ?? (row?.currency || 'USD'),
    saleCurrencies,
  }
}

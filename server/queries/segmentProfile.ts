import type { ProfileShare, SegmentProfile, SegmentProfileQuery } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { HttpError } from '../httpError.ts'
import { addDays } from './insightsScope.ts'
import { privateCount, suppressSmallGroups } from './privacy.ts'
import { reportFx } from './reportFx.ts'
import type { SavedSegment } from './savedSegments.ts'

/** Days of purchases a profile describes when the request does not say. */
const defaultProfileDays = 90
/** Rows of the top categories and products lists. */
const topRows = 10

type GroupKind = 'category' | 'product' | 'hour' | 'weekday' | 'home' | 'total'

interface ProfileGroup {
  kind: GroupKind
  key: string
  label: string
  customers: number
  visits: number
  baskets: number
  spend: number
}

/**
 * Aggregates of the purchases a saved segment's members (its latest membership refresh) made at its
 * merchants in the trailing `days` up to `asOf` (default the refresh's day): spend per visit, visits per
 * customer, top categories and products by spend, store-local hour and weekday shares of baskets, home
 * countries. A group of fewer than K members is suppressed, with its complement; everything is
 * suppressed when fewer than K members purchased in the window.
 */
export async function segmentProfile(
  db: Db,
  segment: SavedSegment,
  query: SegmentProfileQuery,
  limits: { rangeDays: number; threshold: number },
): Promise<SegmentProfile> {
  const days = query.days ?? defaultProfileDays
  if (days > limits.rangeDays)
    throw HttpError.badRequest(`days: the window covers ${days} days; the maximum is ${limits.rangeDays}`)
  const asOf = query.asOf ?? segment.asOf ?? new Date().toISOString().slice(0, 10)
  const from = addDays(asOf, 1 - days)
  const currency =
    query.currency ?? segment.rules.spend?.currency ?? (await firstMerchantCurrency(db, segment.merchantIds))
  const params = { segmentId: segment.id, merchants: segment.merchantIds, from, asOf }
  const linesSql = `
    SELECT cityHash64(customer_key) AS ck, category, product_id, product_name, toHour(local_at) AS hour,
           toDayOfWeek(local_at) AS weekday, toDate(local_at) AS day, local_at, currency,
           toStartOfDay(occurred_at) AS hour_utc, amount, cityHash64(transaction_id) AS tx,
           customer_home_country AS home_country
    FROM transactions
    WHERE merchant_id IN {merchants:Array(String)} AND status = 'completed' AND customer_no != 0
      AND occurred_at >= toDateTime64({from:Date} - 1, 3, 'UTC')
      AND occurred_at < toDateTime64({asOf:Date} + 2, 3, 'UTC')
      AND toDate(local_at) BETWEEN {from:Date} AND {asOf:Date}
      AND (merchant_id, customer_no) IN (
        SELECT merchant_id, arrayJoin(bitmapToArray(members)) FROM segment_members
        WHERE segment_id = {segmentId:String} AND deleted = 0
          AND refreshed_at = (SELECT max(refreshed_at) FROM segment_members WHERE segment_id = {segmentId:String}))`
  const fxParams = { currency, fxFrom: addDays(from, -1), fxTo: addDays(asOf, 1) }
  const fx = await reportFx(db, { currency }, linesSql, { ...params, ...fxParams })
  const money = fx.keys.length ? `g.amount * ${fx.rate}` : 'g.amount'
  const result = await db.client.query({
    query: `
      WITH
        g AS (${linesSql}),
        ${fx.ctes}
        priced AS (SELECT g.*, ${money} AS spend FROM g ${fx.join})
      SELECT
        multiIf(category IS NOT NULL, 'category', product_id IS NOT NULL, 'product', hour IS NOT NULL, 'hour',
                weekday IS NOT NULL, 'weekday', 'total') AS kind,
        toString(coalesce(toString(category), product_id, toString(hour), toString(weekday), '')) AS key,
        if(kind = 'product', argMax(product_name, local_at), key) AS label,
        uniqExact(ck) AS customers, uniqExact(ck, day) AS visits, uniqExact(tx) AS baskets,
        toFloat64(sum(spend)) AS spend
      FROM priced
      GROUP BY GROUPING SETS ((category), (product_id), (hour), (weekday), ())
      UNION ALL
      SELECT 'home', home, home, count(), 0, 0, 0
      FROM (SELECT ck, argMaxIf(home_country, local_at, home_country != '') AS home FROM g GROUP BY ck)
      GROUP BY home
      SETTINGS group_by_use_nulls = 1`,
    query_params: {
      ...params,
      ...(fx.keys.length ? { currency, fxFrom: addDays(from, -1), fxTo: addDays(asOf, 1) } : {}),
    },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'segmentProfile', join_use_nulls: 0 },
  })
  const groups = await result.json<ProfileGroup>()
  const total = groups.find((g) => g.kind === 'total')
  const purchasers = total?.customers ?? 0
  const hidden = purchasers < limits.threshold
  const of = (kind: GroupKind) => groups.filter((g) => g.kind === kind)
  const shares = (
    kind: GroupKind,
    measure: (g: ProfileGroup) => number,
    order: (a: ProfileGroup, b: ProfileGroup) => number,
  ) => {
    const whole = of(kind).reduce((sum, g) => sum + measure(g), 0)
    return suppressSmallGroups(
      of(kind).sort(order),
      hidden ? Infinity : limits.threshold,
      (g) => g.customers,
      (a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }),
    ).map(({ group, hidden: groupHidden }): ProfileShare =>
      groupHidden
        ? { key: group.key, label: group.label, customers: null, share: null, suppressed: true }
        : {
            key: group.key,
            label: group.label,
            customers: privateCount(group.customers, limits.threshold).size,
            share: whole > 0 ? Math.round((measure(group) / whole) * 10_000) / 10_000 : 0,
            suppressed: false,
          },
    )
  }
  const bySpend = (a: ProfileGroup, b: ProfileGroup) => b.spend - a.spend || a.key.localeCompare(b.key)
  const byKey = (a: ProfileGroup, b: ProfileGroup) => Number(a.key) - Number(b.key)
  const byCustomers = (a: ProfileGroup, b: ProfileGroup) =>
    b.customers - a.customers || a.key.localeCompare(b.key)
  const members = segment.members ?? 0
  return {
    segmentId: segment.id,
    asOf,
    from,
    currency,
    threshold: limits.threshold,
    ...privateCount(members, limits.threshold),
    spendPerVisit: hidden || !total?.visits ? null : Math.round((total.spend / total.visits) * 100) / 100,
    visitsPerCustomer: hidden || !total ? null : Math.round((total.visits / purchasers) * 100) / 100,
    topCategories: shares('category', (g) => g.spend, bySpend).slice(0, topRows),
    topProducts: shares('product', (g) => g.spend, bySpend).slice(0, topRows),
    hourOfDay: shares('hour', (g) => g.baskets, byKey),
    weekday: shares('weekday', (g) => g.baskets, byKey),
    homeCountries: shares('home', (g) => g.customers, byCustomers).map((row) =>
      row.key === '' ? { ...row, key: 'unknown', label: 'unknown' } : row,
    ),
  }
}

async function firstMerchantCurrency(db: Db, merchantIds: string[]): Promise<string> {
  const result = await db.client.query({
    query: `SELECT argMax(currency, updated_at) AS currency FROM merchants WHERE merchant_id = {m:String}`,
    query_params: { m: merchantIds[0] ?? '' },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'segmentProfile.currency' },
  })
  const [row] = await result.json<{ currency: string }>()
  return row?.currency || 'USD'
}

import type { Db } from '../db/createDb.ts'
import { addDays } from './insightsScope.ts'
import { assertFxCoverage, converting } from './reportFx.ts'
import type { SegmentScope } from './segmentScope.ts'

/**
 * SQL for the customers of a segment, built from its rules: CTEs (each ending with a comma, to follow a
 * WITH) whose last, `segment_customers`, holds one row per member with
 *   ck       UInt64   64-bit hash of the customer_key (the same person across the merchants),
 *   home     String   home country: the latest known one on their lines ('' when none),
 *   visitor  String   'local' (paid in a store of their home country), 'tourist' (never did, but paid
 *                     abroad) or 'unknown' (home or store country unknown),
 *   numbers  Array(Tuple(String, UInt32))  (merchant, customer_no) pairs, only when `withNumbers`.
 * The customers are those with a completed line at the merchants in the history window (`day` being the
 * store-local date). They are read from the customer rollup (`customer_days`: a row per customer, local
 * day, store, origin, wallet, payment method, currency and UTC day; fewer rows than the lines and no key
 * strings), and each rule narrows them in one GROUP BY per customer. Rules on what was bought (categories,
 * products) read the matching lines themselves, once for both.
 *
 * Every value is bound; the rules only decide which fixed fragments are included.
 */
export interface SegmentCustomersSql {
  ctes: string
  params: Record<string, unknown>
  /** Runs a query over these CTEs, turning a missing FX rate into a 400 naming the currency field. */
  guard<T>(work: () => Promise<T>): Promise<T>
}

/** The text a query stops with when a sale in a money window has no rate. */
const missingRateMarker = 'segment: a sale has no FX rate'

export function segmentCustomersSql(
  db: Db,
  scope: SegmentScope,
  options: { withNumbers?: boolean } = {},
): SegmentCustomersSql {
  const { rules, asOf } = scope
  const from = (days: number) => addDays(asOf, 1 - days)
  const params: Record<string, unknown> = {
    segMerchants: scope.merchantIds,
    historyFrom: scope.historyFrom,
    asOf,
  }
  const linesWhere = `
    merchant_id IN {segMerchants:Array(String)} AND customer_key != '' AND status = 'completed'
      -- A local day lies within a day either side of its UTC date: this bound prunes by the primary key.
      AND occurred_at >= toDateTime64({historyFrom:Date} - 1, 3, 'UTC')
      AND occurred_at < toDateTime64({asOf:Date} + 2, 3, 'UTC')
      AND toDate(local_at) BETWEEN {historyFrom:Date} AND {asOf:Date}`
  const linesSql = `
    SELECT currency, toStartOfDay(occurred_at) AS hour_utc, toDate(local_at) AS day
    FROM transactions WHERE ${linesWhere}`
  // The same sales by customer and day: rows are summed or maxed below, so unmerged parts need no FINAL.
  const daysSql = `
    SELECT customer_hash AS ck, merchant_id, customer_no, store_id, wallet, payment_method, local_day AS day,
           last_local_at AS local_at, currency, toDateTime(utc_day, 'UTC') AS hour_utc, amount, home_country,
           store_country
    FROM customer_days
    WHERE merchant_id IN {segMerchants:Array(String)} AND local_day BETWEEN {historyFrom:Date} AND {asOf:Date}`

  const columns: string[] = [
    `argMaxIf(g.home_country, g.local_at, g.home_country != '') AS home`,
    `countIf(g.home_country != '' AND g.home_country = g.store_country) > 0 AS paid_at_home`,
    `countIf(g.home_country != '' AND g.store_country != '' AND g.home_country != g.store_country) > 0 AS paid_abroad`,
    `max(g.day) AS last_day`,
  ]
  const conditions: string[] = []
  // A flag holds when some line of the history window has one of the values: the customer rollup knows
  // stores, wallets and payment methods; categories and products are read from the lines.
  const dayFlag = (name: string, column: string, values: string[] | undefined) => {
    if (!values) return
    params[name] = values
    columns.push(`countIf(g.${column} IN {${name}:Array(String)}) > 0 AS ${name}_hit`)
    conditions.push(`${name}_hit`)
  }
  const lineFlags: { where: string; having: string }[] = []
  const lineFlag = (name: string, column: string, values: string[] | undefined) => {
    if (!values) return
    params[name] = values
    const where = `${column} IN {${name}:Array(String)}`
    lineFlags.push({ where, having: `countIf(${where}) > 0` })
  }

  if (rules.homeCountries) {
    params.homeCountries = rules.homeCountries
    conditions.push(`home IN {homeCountries:Array(String)}`)
  }
  if (rules.visitor === 'tourist') conditions.push(`NOT paid_at_home AND paid_abroad`)
  if (rules.visitor === 'local') conditions.push(`paid_at_home`)

  // Money converts into the scope's currency at each line's UTC-day rate, as insights do (reportFx), when
  // some sale is in another currency. The rates are checked inside the same query: a line of the money
  // window without a rate stops it (throwIf), and only then does `guard` ask which rate is missing (400).
  const moneyDays = [rules.spend?.days, rules.spendRank?.days].filter((d) => d !== undefined)
  let fxCtes = ''
  let fxJoin = ''
  let money = 'toDecimal128(g.amount, 4)'
  let moneyLines = ''
  if (moneyDays.length > 0) {
    const earliest = from(Math.max(...moneyDays))
    params.moneyFrom = earliest
    moneyLines = `SELECT currency, hour_utc FROM (${linesSql}) WHERE day >= {moneyFrom:Date}`
    if (scope.saleCurrencies.some((c) => c !== scope.currency)) {
      Object.assign(params, {
        currency: scope.currency,
        fxFrom: addDays(earliest, -1),
        fxTo: addDays(asOf, 1),
      })
      fxCtes = converting.ctes
      fxJoin = converting.join
      money = `g.amount * ${converting.rate}`
      columns.push(
        `throwIf(countIf(g.day >= {moneyFrom:Date} AND g.currency != {currency:String} AND fx.rate = 0) > 0,
                 '${missingRateMarker}') AS rates_missing`,
      )
      conditions.push('rates_missing = 0')
    }
  }
  if (rules.spend) {
    params.spendFrom = from(rules.spend.days)
    columns.push(`sumIf(${money}, g.day >= {spendFrom:Date}) AS spend`)
    if (rules.spend.min !== undefined) {
      params.spendMin = rules.spend.min
      conditions.push(`toFloat64(spend) >= {spendMin:Float64}`)
    }
    if (rules.spend.max !== undefined) {
      params.spendMax = rules.spend.max
      conditions.push(`toFloat64(spend) <= {spendMax:Float64}`)
    }
  }
  if (rules.visits) {
    params.visitsFrom = from(rules.visits.days)
    columns.push(`uniqExactIf(g.day, g.day >= {visitsFrom:Date}) AS visits`)
    if (rules.visits.min !== undefined) {
      params.visitsMin = rules.visits.min
      conditions.push(`visits >= {visitsMin:UInt32}`)
    }
    if (rules.visits.max !== undefined) {
      params.visitsMax = rules.visits.max
      conditions.push(`visits <= {visitsMax:UInt32}`)
    }
  }
  if (rules.lastSeenWithinDays !== undefined) {
    params.seenFrom = from(rules.lastSeenWithinDays)
    conditions.push(`last_day >= {seenFrom:Date}`)
  }
  if (rules.notSeenForDays !== undefined) {
    params.lapsedFrom = from(rules.notSeenForDays)
    conditions.push(`last_day < {lapsedFrom:Date}`)
  }
  dayFlag('stores', 'store_id', rules.stores)
  dayFlag('wallets', 'wallet', rules.wallets)
  dayFlag('paymentMethods', 'payment_method', rules.paymentMethods)
  lineFlag('categories', 'category', rules.categories)
  lineFlag('products', 'product_id', rules.products)
  // Only the lines with one of the values are read past their flag columns (their keys hashed).
  if (lineFlags.length > 0)
    conditions.push(`ck IN (
        SELECT cityHash64(customer_key) FROM transactions
        WHERE ${linesWhere} AND (${lineFlags.map((f) => f.where).join(' OR ')})
        GROUP BY customer_key HAVING ${lineFlags.map((f) => f.having).join(' AND ')})`)
  if (options.withNumbers) columns.push(`groupUniqArray((g.merchant_id, g.customer_no)) AS numbers`)

  // Top N% by spend: rank r (ties share a rank) is in when r <= ceil(spenders * N / 100), i.e.
  // (r - 1) * 100 < spenders * N; only customers who spent in the window are ranked.
  let ranked = ''
  let source = 'per_customer'
  if (rules.spendRank) {
    params.rankFrom = from(rules.spendRank.days)
    params.topPercent = rules.spendRank.topPercent
    columns.push(`sumIf(${money}, g.day >= {rankFrom:Date}) AS rank_spend`)
    ranked = `
    ranked AS (
      SELECT *, rank() OVER (ORDER BY rank_spend DESC) AS spend_rank,
             countIf(rank_spend > 0) OVER () AS spenders
      FROM per_customer
    ),`
    source = 'ranked'
    conditions.push(`rank_spend > 0 AND (spend_rank - 1) * 100 < spenders * {topPercent:Float64}`)
  }

  const ctes = `
    seg_days AS (${daysSql}),
    ${fxCtes ? `${fxCtes}` : ''}
    per_customer AS (
      SELECT g.ck AS ck, ${columns.join(',\n             ')}
      FROM seg_days AS g ${fxJoin}
      GROUP BY ck
    ),${ranked}
    segment_customers AS (
      SELECT ck, home, multiIf(paid_at_home, 'local', paid_abroad, 'tourist', 'unknown') AS visitor
             ${options.withNumbers ? ', numbers' : ''}
      FROM ${source}
      ${conditions.length ? `WHERE ${conditions.join('\n        AND ')}` : ''}
    ),`
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work()
    } catch (err) {
      if (!moneyLines || !(err instanceof Error) || !err.message.includes(missingRateMarker)) throw err
      const currencyField = rules.spend ? 'rules.spend.currency' : 'rules.spendRank'
      await assertFxCoverage(db, { currency: scope.currency, currencyField }, moneyLines, params)
      throw err
    }
  }
  return { ctes, params, guard }
}

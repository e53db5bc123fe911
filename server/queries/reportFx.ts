import type { Db } from '../db/createDb.ts'
import { HttpError } from '../httpError.ts'
import { addDays, type InsightsScope } from './insightsScope.ts'

/**
 * Days a rate stays in force when no newer one is loaded: reference rates are published on business days
 * only, so a weekend or holiday sale takes the latest rate of the week before it.
 */
const fxCarryDays = 7

/**
 * Conversion into the report currency at each day's rate (the UTC date of the sale instant). A day without
 * a loaded rate for a pair takes the pair's latest rate of the `fxCarryDays` days before it. For a line
 * in currency C and report currency R on day d, the rate is, in order of preference:
 *   1. direct:  the fx_rates row (d, base C, quote R);
 *   2. inverse: 1 / rate of (d, base R, quote C);
 *   3. cross:   C -> USD times USD -> R, each leg direct or inverse.
 * Inverse and cross rates are computed as Decimal to 12 decimal places. A (currency, day) with no rate is
 * never converted silently: the request answers 400 naming `currency` (see assertFxCoverage).
 * When an fx_rates row was loaded twice, the newest load wins.
 *
 * `fx` is a CTE with columns currency, day, rate (1 currency = rate report currency).
 */
export const fxCte = `
  fx_loaded AS (
    SELECT base, quote, date, argMax(rate, ingested_at) AS rate
    FROM fx_rates
    WHERE date >= {fxFrom:Date} - ${fxCarryDays} AND date <= {fxTo:Date}
    GROUP BY base, quote, date
    HAVING rate > 0
  ),
  fx_day AS (
    -- The newest loaded rate on or before each day. (Aliasing day AS date here would make argMax order
    -- by the alias, every candidate alike, and pick any rate of the week.)
    SELECT base, quote, day AS date, rate
    FROM (
      SELECT base, quote, day, argMax(rate, date) AS rate
      FROM fx_loaded
      ARRAY JOIN arrayMap(i -> date + i, range(${fxCarryDays + 1})) AS day
      WHERE day >= {fxFrom:Date} AND day <= {fxTo:Date}
      GROUP BY base, quote, day
    )
  ),
  fx_leg AS (
    SELECT cur, tgt, date, argMin(r, prio) AS r
    FROM (
      SELECT base AS cur, quote AS tgt, date, toDecimal128(rate, 12) AS r, 0 AS prio FROM fx_day
      UNION ALL
      SELECT quote AS cur, base AS tgt, date, toDecimal128(1, 12) / rate AS r, 1 AS prio FROM fx_day
    )
    GROUP BY cur, tgt, date
  ),
  fx AS (
    SELECT cur AS currency, date AS day, argMin(r, prio) AS rate
    FROM (
      SELECT cur, date, r, 0 AS prio FROM fx_leg WHERE tgt = {currency:String}
      UNION ALL
      SELECT a.cur AS cur, a.date AS date, toDecimal128(a.r * b.r, 12) AS r, 1 AS prio
      FROM fx_leg AS a INNER JOIN fx_leg AS b ON a.date = b.date AND a.tgt = b.cur
      WHERE a.tgt = 'USD' AND b.tgt = {currency:String}
    )
    GROUP BY cur, date
  )`

/**
 * How a query converts: `ctes` to put after its first CTE (each ending with a comma), `join` to add after
 * `FROM g` (a grouped subquery with columns currency and hour_utc), and `rate` to multiply amounts by.
 * When every sale in scope is already in the report currency, conversion is the identity and costs nothing.
 */
export interface ReportFx {
  ctes: string
  join: string
  rate: string
  /** Columns the rows must keep apart before conversion (one rate per currency and UTC day). */
  keys: string[]
}

const identity: ReportFx = { ctes: '', join: '', rate: 'toDecimal128(1, 12)', keys: [] }
/** Conversion at each day's rate through the fx CTE (see reportFx for when it is needed). */
export const converting: ReportFx = {
  ctes: `${fxCte},`,
  join: `LEFT JOIN fx ON fx.currency = g.currency AND fx.day = toDate(g.hour_utc)`,
  rate: `if(g.currency = {currency:String}, toDecimal128(1, 12), fx.rate)`,
  keys: ['currency', 'hour_utc'],
}

/** The currency a query converts into, and the request field that chose it (named in a 400). */
interface FxTarget {
  currency: string
  currencyField?: string
  /** Every currency the merchant's lines were sold in, when known (InsightsScope.saleCurrencies). */
  saleCurrencies?: string[] | undefined
}

/**
 * Decides how a query over `linesSql` (the scope's sales, with columns currency and hour_utc) converts
 * into the report currency, after making sure every foreign-currency sale has a rate (else 400).
 */
export async function reportFx(
  db: Db,
  scope: FxTarget,
  linesSql: string,
  params: Record<string, unknown>,
): Promise<ReportFx> {
  // Known from the merchant's facts: no line of the merchant is in another currency, so none in scope is.
  if (scope.saleCurrencies?.every((c) => c === scope.currency)) return identity
  const result = await db.client.query({
    query: `SELECT DISTINCT currency FROM (${linesSql}) WHERE currency != {currency:String} LIMIT 1`,
    query_params: params,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'reportFx.foreignCurrencies' },
  })
  if ((await result.json()).length === 0) return identity
  await assertFxCoverage(db, scope, linesSql, params)
  return converting
}

/** Query parameters the fx CTE needs: the UTC days that can hold a sale of the local range. */
export function fxParams(scope: InsightsScope, padDays = 0): Record<string, unknown> {
  return {
    currency: scope.currency,
    fxFrom: addDays(scope.from, -1 - padDays),
    fxTo: addDays(scope.to, 1 + padDays),
  }
}

/**
 * Fails the request with 400 when some sale in scope has no rate into the report currency: a missing
 * rate must never turn into a silently wrong total. `linesSql` is the scope's lines subquery.
 */
export async function assertFxCoverage(
  db: Db,
  scope: FxTarget,
  linesSql: string,
  params: Record<string, unknown>,
): Promise<void> {
  const result = await db.client.query({
    query: `
      WITH ${fxCte}
      SELECT g.currency AS currency, toString(toDate(g.hour_utc)) AS day
      FROM (SELECT DISTINCT currency, toStartOfDay(hour_utc) AS hour_utc FROM (${linesSql})
            WHERE currency != {currency:String}) AS g
      LEFT ANTI JOIN fx ON fx.currency = g.currency AND fx.day = toDate(g.hour_utc)
      ORDER BY day, currency
      LIMIT 3`,
    query_params: params,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'assertFxCoverage' },
  })
  const missing = await result.json<{ currency: string; day: string }>()
  if (missing.length > 0) {
    const list = missing.map((m) => `${m.currency} on ${m.day}`).join(', ')
    throw HttpError.badRequest(
      `${scope.currencyField ?? 'currency'}: no FX rate into ${scope.currency} (direct, inverse or via USD) for ${list}; load fx_rates or pick another currency`,
    )
  }
}

import type { Offer, OfferDailyRow, OfferGroupFigures, OfferPerformance } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { HttpError } from '../httpError.ts'
import { newcombeHybridInterval } from './differenceInterval.ts'
import { addDays } from './insightsScope.ts'
import { fxCte } from './reportFx.ts'

interface GroupCounts {
  grp: 'impression' | 'would_have_seen'
  customers: number
  converters: number
  revenue: number
  /** Converters' lines in a currency with no rate into the report currency on their day. */
  unrated: number
}

interface DailyCounts {
  date: string
  impressions: number
  heldOut: number
  conversions: number
}

/**
 * Each customer's experiment: the group of their first impression or would-have-seen (so a customer is in
 * one group only, even if the holdout share changed), that first moment, and whether they bought at any
 * store of the offer's merchant within attributionDays after it (completed lines only, from the ingested
 * transactions joined on customer_key), with what they spent there, converted into the report currency
 * (the merchant's) at each sale's UTC day's rate as insights convert (reportFx.ts).
 */
const experiment = `
  ${fxCte},
  firsts AS (
    SELECT customer_key, min(at) AS first_at, argMin(toString(type), at) AS grp
    FROM (SELECT DISTINCT event_id, type, customer_key, at FROM offer_events
          WHERE merchant_id = {merchantId:String} AND offer_id = {offerId:String}
            AND type IN ('impression', 'would_have_seen') AND customer_key != '')
    GROUP BY customer_key
  ),
  purchases AS (
    SELECT f.customer_key AS customer_key, min(t.occurred_at) AS converted_at,
           sum(t.amount * if(t.currency = {currency:String}, toDecimal128(1, 12), fx.rate)) AS revenue,
           countIf(t.currency != {currency:String} AND fx.currency = '') AS unrated
    FROM firsts AS f
    INNER JOIN (
      SELECT customer_key, occurred_at, amount, currency FROM transactions
      WHERE merchant_id = {merchantId:String} AND status = 'completed'
        AND occurred_at > (SELECT min(first_at) FROM firsts)
        AND customer_key IN (SELECT customer_key FROM firsts)
    ) AS t ON t.customer_key = f.customer_key
    LEFT JOIN fx ON fx.currency = t.currency AND fx.day = toDate(t.occurred_at, 'UTC')
    WHERE t.occurred_at > f.first_at AND t.occurred_at <= f.first_at + toIntervalDay({days:UInt8})
    GROUP BY customer_key
  ),
  customers AS (
    SELECT f.customer_key AS customer_key, f.grp AS grp, f.first_at AS first_at,
           p.customer_key != '' AS converted, p.converted_at AS converted_at, p.revenue AS revenue,
           p.unrated AS unrated
    FROM firsts AS f LEFT JOIN purchases AS p ON p.customer_key = f.customer_key
  )`

/**
 * Exposed vs held-out conversion at the till for one offer, the uplift with Newcombe's hybrid score
 * interval, and a daily series (UTC days) of impressions, would-have-seens and exposed customers' first
 * conversions. Privacy: a group of fewer than K customers shows no figure; when its converters or its
 * non-converters number fewer than K, only its customer count shows; a daily cell under K is null.
 */
export async function offerPerformance(
  db: Db,
  offer: Offer,
  params: { currency: string; threshold: number },
): Promise<OfferPerformance> {
  const query_params = {
    merchantId: offer.merchantId,
    offerId: offer.offerId,
    currency: params.currency,
    days: offer.attributionDays,
    // Impressions fall inside the schedule; purchases up to attributionDays after (UTC days around both).
    fxFrom: addDays(offer.schedule.from, -1),
    fxTo: addDays(offer.schedule.to, offer.attributionDays + 1),
  }
  const settings = { log_comment: 'offerPerformance', join_use_nulls: 0 as const }
  const groups = await db.client.query({
    query: `
      WITH ${experiment}
      SELECT grp, count() AS customers, countIf(converted) AS converters,
             toFloat64(round(sum(revenue), 2)) AS revenue, sum(unrated) AS unrated,
             toString(min(first_at)) AS first_seen
      FROM customers GROUP BY grp`,
    query_params,
    format: 'JSONEachRow',
    clickhouse_settings: settings,
  })
  const daily = await db.client.query({
    query: `
      WITH ${experiment},
        events AS (
          SELECT toDate(at) AS date, uniqExactIf(event_id, type = 'impression') AS impressions,
                 uniqExactIf(event_id, type = 'would_have_seen') AS heldOut
          FROM offer_events
          WHERE merchant_id = {merchantId:String} AND offer_id = {offerId:String}
            AND type IN ('impression', 'would_have_seen')
          GROUP BY date
        ),
        conversions AS (
          SELECT toDate(converted_at) AS date, count() AS conversions
          FROM customers WHERE converted AND grp = 'impression' GROUP BY date
        )
      SELECT toString(date) AS date, sum(impressions) AS impressions, sum(heldOut) AS heldOut,
             sum(conversions) AS conversions
      FROM (
        SELECT date, impressions, heldOut, 0 AS conversions FROM events
        UNION ALL SELECT date, 0, 0, conversions FROM conversions
      )
      GROUP BY date ORDER BY date`,
    query_params,
    format: 'JSONEachRow',
    clickhouse_settings: settings,
  })
  const counts = await groups.json<GroupCounts & { first_seen: string }>()
  // A sale without a rate must never turn into a silently smaller revenue (as in insights).
  if (counts.some((g) => g.unrated > 0))
    throw new HttpError(
      422,
      'fx_rate_missing',
      `some converting sales have no FX rate into ${params.currency} on their day; load fx-rates for them`,
    )
  const k = params.threshold
  const exposed = counts.find((g) => g.grp === 'impression')
  const heldOut = counts.find((g) => g.grp === 'would_have_seen')
  const firstSeen = counts.map((g) => g.first_seen).sort()[0]
  const shown = (n: number) => (n >= k ? n : null)
  const exposedFigures = figures(exposed, k)
  const heldOutFigures = figures(heldOut, k)
  return {
    offerId: offer.offerId,
    merchantId: offer.merchantId,
    currency: params.currency,
    attributionDays: offer.attributionDays,
    holdoutPercent: offer.holdoutPercent,
    firstSeen: firstSeen ? firstSeen.replace(' ', 'T') + 'Z' : null,
    privacyThreshold: k,
    exposed: exposedFigures,
    heldOut: heldOutFigures,
    uplift: uplift(exposedFigures, heldOutFigures),
    daily: (await daily.json<DailyCounts>()).map((d): OfferDailyRow => ({
      date: d.date,
      impressions: shown(d.impressions),
      heldOut: shown(d.heldOut),
      conversions: shown(d.conversions),
    })),
  }
}

function figures(group: GroupCounts | undefined, k: number): OfferGroupFigures {
  if (!group || group.customers < k)
    return {
      customers: null,
      converters: null,
      conversionRate: null,
      revenue: null,
      revenuePerCustomer: null,
      suppressed: true,
    }
  const { customers, converters, revenue } = group
  if (converters < k || customers - converters < k)
    return {
      customers,
      converters: null,
      conversionRate: null,
      revenue: null,
      revenuePerCustomer: null,
      suppressed: true,
    }
  return {
    customers,
    converters,
    conversionRate: converters / customers,
    revenue,
    revenuePerCustomer: Math.round((revenue / customers) * 100) / 100,
    suppressed: false,
  }
}

function uplift(exposed: OfferGroupFigures, heldOut: OfferGroupFigures): OfferPerformance['uplift'] {
  const method = 'newcombe_hybrid_score' as const
  if (
    exposed.converters === null ||
    exposed.customers === null ||
    heldOut.converters === null ||
    heldOut.customers === null
  )
    return { absolute: null, relative: null, ci95: null, method }
  const p1 = exposed.converters / exposed.customers
  const p0 = heldOut.converters / heldOut.customers
  return {
    absolute: p1 - p0,
    relative: p0 === 0 ? null : (p1 - p0) / p0,
    ci95: newcombeHybridInterval(
      exposed.converters,
      exposed.customers,
      heldOut.converters,
      heldOut.customers,
    ),
    method,
  }
}

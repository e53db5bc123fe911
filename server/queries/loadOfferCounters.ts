import type { Db } from '../db/createDb.ts'

export interface CapHistory {
  offerId: string
  customerKey: string
  /** Epoch ms of the customer's impressions and would-have-seens within the offer's cap window. */
  times: number[]
}

export interface BudgetCount {
  offerId: string
  localDate: string
  impressions: number
}

/**
 * The counters caps and budgets are judged on, rebuilt from the stored events at start: each customer's
 * impressions and would-have-seens within the cap window of every live offer (counted once per event_id,
 * whatever retries wrote), and each offer's impressions per store-local day since `sinceDate`.
 */
export async function loadOfferCounters(
  db: Db,
  params: { nowMs: number; sinceDate: string },
): Promise<{ caps: CapHistory[]; budgets: BudgetCount[] }> {
  const caps = await db.client.query({
    query: `
      WITH live AS (SELECT offer_id, cap_days FROM offers FINAL WHERE status != 'ended')
      SELECT e.offer_id AS offerId, e.customer_key AS customerKey,
             arraySort(groupArray(toUnixTimestamp64Milli(e.at))) AS times
      FROM (SELECT DISTINCT offer_id, event_id, customer_key, at FROM offer_events
            WHERE type IN ('impression', 'would_have_seen')
              AND at > fromUnixTimestamp64Milli({nowMs:Int64}) - INTERVAL 366 DAY) AS e
      INNER JOIN live AS l ON l.offer_id = e.offer_id
      WHERE e.at > fromUnixTimestamp64Milli({nowMs:Int64}) - toIntervalDay(l.cap_days)
      GROUP BY offerId, customerKey`,
    query_params: { nowMs: params.nowMs },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'loadOfferCounters' },
  })
  const budgets = await db.client.query({
    query: `
      SELECT offer_id AS offerId, toString(local_date) AS localDate, uniqExact(event_id) AS impressions
      FROM offer_events
      WHERE type = 'impression' AND local_date >= {sinceDate:Date}
      GROUP BY offerId, localDate`,
    query_params: { sinceDate: params.sinceDate },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'loadOfferCounters' },
  })
  return { caps: await caps.json<CapHistory>(), budgets: await budgets.json<BudgetCount>() }
}

import type { OfferListRow } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { offerColumns, toOffer, type OfferRow } from './offerRecord.ts'

/**
 * Offers of the given merchants (undefined = all), newest first, each with its impressions (events) and
 * exposed customers; a customer count under `threshold` is null, never a number.
 */
export async function listOffers(
  db: Db,
  merchants: string[] | undefined,
  params: { status?: OfferListRow['status'] | undefined; threshold: number },
): Promise<OfferListRow[]> {
  const result = await db.client.query({
    query: `
      WITH reach AS (
        SELECT offer_id, countIf(type = 'impression') AS impressions,
               uniqExactIf(customer_key, type = 'impression') AS customers
        FROM (SELECT DISTINCT merchant_id, offer_id, event_id, type, customer_key FROM offer_events
              WHERE {all:Bool} OR merchant_id IN {merchants:Array(String)})
        GROUP BY offer_id
      )
      SELECT ${offerColumns}, ifNull(r.impressions, 0) AS impressions, ifNull(r.customers, 0) AS customers
      FROM (SELECT * FROM offers FINAL WHERE {all:Bool} OR merchant_id IN {merchants:Array(String)}) AS o
      LEFT JOIN reach AS r ON r.offer_id = o.offer_id
      WHERE {status:String} = '' OR toString(o.status) = {status:String}
      ORDER BY o.created_at DESC, o.offer_id`,
    query_params: { all: merchants === undefined, merchants: merchants ?? [], status: params.status ?? '' },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'listOffers', join_use_nulls: 1 },
  })
  const rows = await result.json<OfferRow & { impressions: number; customers: number }>()
  return rows.map((row) => ({
    ...toOffer(row),
    impressions: row.impressions,
    exposedCustomers: row.customers >= params.threshold ? row.customers : null,
  }))
}

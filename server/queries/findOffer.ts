import type { Offer } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { offerColumns, toOffer, type OfferRow } from './offerRecord.ts'

/** The newest version of one offer, whatever its merchant: the caller checks the key's scope. */
export async function findOffer(db: Db, offerId: string): Promise<Offer | undefined> {
  const result = await db.client.query({
    query: `SELECT ${offerColumns} FROM offers FINAL WHERE offer_id = {offerId:String} LIMIT 1`,
    query_params: { offerId },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'findOffer' },
  })
  const [row] = await result.json<OfferRow>()
  return row ? toOffer(row) : undefined
}

import type { Offer } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { offerColumns, toOffer, type OfferRow } from './offerRecord.ts'

export interface OfferStore {
  merchantId: string
  storeId: string
  name: string
  lat: number
  lon: number
  timezone: string
}

/**
 * What the wallet index is built from: the newest version of every offer (ended ones too: their late events
 * are still accepted) and the current version of every store of the merchants that have offers.
 */
export async function loadOffersAndStores(db: Db): Promise<{ offers: Offer[]; stores: OfferStore[] }> {
  const offers = await db.client.query({
    query: `SELECT ${offerColumns} FROM offers FINAL ORDER BY merchant_id, offer_id`,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'loadOffersAndStores' },
  })
  const stores = await db.client.query({
    query: `
      SELECT merchant_id AS merchantId, store_id AS storeId, name, lat, lon, timezone
      FROM stores FINAL
      WHERE merchant_id IN (SELECT DISTINCT merchant_id FROM offers)
      ORDER BY merchantId, storeId`,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'loadOffersAndStores' },
  })
  return { offers: (await offers.json<OfferRow>()).map(toOffer), stores: await stores.json<OfferStore>() }
}

import type { Offer } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { findOffer } from './findOffer.ts'
import { toOfferRow } from './offerRecord.ts'

/** Stores a new version of the offer (one row: nothing half-saved) and answers it as stored. */
export async function saveOffer(db: Db, offer: Offer): Promise<Offer> {
  await db.client.insert({ table: 'offers', format: 'JSONEachRow', values: [toOfferRow(offer)] })
  const saved = await findOffer(db, offer.offerId)
  if (!saved) throw new Error(`offer ${offer.offerId} was not stored`)
  return saved
}

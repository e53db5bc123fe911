import type { Db } from '../db/createDb.ts'

/** One row of offer_events: already pseudonymised, its position already coarse (see greatCircle.coarseCell). */
export interface OfferEventRow {
  merchant_id: string
  offer_id: string
  event_id: string
  type: 'impression' | 'would_have_seen' | 'opened' | 'dismissed' | 'redeemed'
  customer_key: string
  store_id: string
  cell: string
  local_date: string
  /** UTC, 'YYYY-MM-DD HH:MM:SS.mmm'. */
  at: string
}

/**
 * One batch of offer events into offer_events. Re-inserting a batch (a replayed journal segment) adds no
 * event twice: rows share their (merchant, offer, event_id) key and every reader counts distinct event ids.
 */
export async function insertOfferEvents(db: Db, events: OfferEventRow[]): Promise<void> {
  if (events.length === 0) return
  await db.client.insert({ table: 'offer_events', format: 'JSONEachRow', values: events })
}

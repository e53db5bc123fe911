import type { Db } from '../db/createDb.ts'

/** Ids ("offerId/eventId") of the wallet-reported events already stored, so a repeat is recorded once. */
export async function loadWalletEventIds(db: Db): Promise<string[]> {
  const result = await db.client.query({
    query: `
      SELECT DISTINCT concat(offer_id, '/', event_id) AS id FROM offer_events
      WHERE type IN ('opened', 'dismissed', 'redeemed')`,
    format: 'JSONCompactEachRow',
    clickhouse_settings: { log_comment: 'loadWalletEventIds' },
  })
  return (await result.json<[string]>()).map(([id]) => id)
}

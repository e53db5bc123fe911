import type { Store } from '../contract.ts'
import type { Db } from '../db/createDb.ts'

/** The current version of each store of one merchant, by store id. */
export async function listStores(db: Db, merchantId: string): Promise<Store[]> {
  const result = await db.client.query({
    query: `
      SELECT store_id AS storeId, name, city, country, timezone, currency, lat, lon
      FROM stores FINAL
      WHERE merchant_id = {merchantId:String}
      ORDER BY storeId`,
    query_params: { merchantId },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'listStores' },
  })
  return result.json<Store>()
}

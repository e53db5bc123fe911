import type { Freshness } from '../contract.ts'
import type { Db } from '../db/createDb.ts'

const iso = (column: string) => `if(count() = 0, NULL, formatDateTime(max(${column}), '%Y-%m-%dT%H:%i:%SZ'))`

/**
 * How fresh each source is: per merchant for transactions and stores (only the visible ones), and once for
 * the shared weather and FX data. newestEventAt is the newest time in the data, lastLoadedAt the newest load.
 */
export async function ingestFreshness(db: Db, visible: string[] | undefined): Promise<Freshness['rows']> {
  const result = await db.client.query({
    query: `
      SELECT * FROM (
      SELECT 'transactions' AS source, merchant_id AS merchantId, count() AS rows,
             ${iso('occurred_at')} AS newestEventAt, ${iso('ingested_at')} AS lastLoadedAt
      FROM transactions
      WHERE {all:Bool} OR merchant_id IN {visible:Array(String)}
      GROUP BY merchant_id
      UNION ALL
      SELECT 'stores', merchant_id, count(), NULL, ${iso('updated_at')}
      FROM stores FINAL
      WHERE {all:Bool} OR merchant_id IN {visible:Array(String)}
      GROUP BY merchant_id
      UNION ALL
      SELECT 'weather', NULL, count(), ${iso('observed_at')}, ${iso('ingested_at')}
      FROM weather_observations FINAL
      UNION ALL
      SELECT 'fx-rates', NULL, count(), ${iso('toDateTime(date)')}, ${iso('ingested_at')}
      FROM fx_rates FINAL
      )
      ORDER BY source, merchantId`,
    query_params: { all: visible === undefined, visible: visible ?? [] },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'ingestFreshness' },
  })
  return result.json<Freshness['rows'][number]>()
}

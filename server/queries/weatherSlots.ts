import type { Db } from '../db/createDb.ts'
import { partsVersion } from './dataVersion.ts'
import { likeForLike } from './salesByWeather.ts'

/** The fingerprint (partsVersion) of sales_store_hourly, the rollup weather_slots is built from. */
export const slotsSourceVersion = (db: Db): Promise<string> =>
  partsVersion(db, `table = 'sales_store_hourly'`, 'weatherSlots.sourceVersion')

/**
 * Writes build `build` of weather_slots: every merchant's open (store, UTC hour) slots from the store
 * rollup, each with the revenue and count of its like-for-like neighbours (the frame salesByWeather
 * computes, over all of the store's slots), in the lines' own currency. One statement for all merchants:
 * it runs in the background, carried (createDb.ts) on one thread.
 */
export async function buildWeatherSlots(db: Db, build: string): Promise<void> {
  await db.client.command({
    query: `
      INSERT INTO weather_slots (build, merchant_id, store_id, hour_utc, first_local_hour, last_local_hour,
                                 quantity, revenue, neighbour_revenue, neighbours)
      SELECT {build:UInt64}, merchant_id, store_id, hour_utc, local_hour, last_local_hour, qty, revenue,
             around.1 - revenue, around.2 - 1
      FROM (
        SELECT merchant_id, store_id, hour_utc, qty, revenue, local_hour, last_local_hour,
               sumCount(revenue) OVER like_for_like AS around
        FROM (
          SELECT r.merchant_id AS merchant_id, r.store_id AS store_id, r.hour_utc AS hour_utc,
                 min(r.local_hour) AS local_hour, max(r.local_hour) AS last_local_hour,
                 sum(r.quantity) AS qty, sum(r.amount) AS revenue
          FROM sales_store_hourly AS r
          GROUP BY merchant_id, store_id, hour_utc
        )
        WINDOW like_for_like AS (${likeForLike('merchant_id, store_id')})
      )`,
    query_params: { build },
    clickhouse_settings: { log_comment: 'buildWeatherSlots' },
  })
}

/** Drops one build of weather_slots (a partition: no mutation). */
export async function dropWeatherSlots(db: Db, build: string): Promise<void> {
  await db.client.command({
    query: 'ALTER TABLE weather_slots DROP PARTITION {build:UInt64}',
    query_params: { build },
    clickhouse_settings: { log_comment: 'dropWeatherSlots' },
  })
}

/** Drops every build (at the start of the process that owns the store: none of them is current). */
export async function dropAllWeatherSlots(db: Db): Promise<void> {
  await db.client.command({
    query: 'TRUNCATE TABLE weather_slots',
    clickhouse_settings: { log_comment: 'dropAllWeatherSlots' },
  })
}

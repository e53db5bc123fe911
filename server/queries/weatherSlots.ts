import type { Db } from '../db/createDb.ts'
import { dataVersionTables, partsVersion, partsVersions } from './dataVersion.ts'
import {
  bucketSql,
  hourlyObservationsSql,
  likeForLike,
  stationRadiusMeters,
  storeStationsSql,
} from './salesByWeather.ts'

/** What weather_slots is built from: the store rollup, the stations' observations (the buckets) and the stores (their positions choose the station). */
const slotsSources = `table IN ('sales_store_hourly', 'weather_observations', 'stores')`

/** The fingerprint (partsVersion) of what weather_slots is built from. */
export const slotsSourceVersion = (db: Db): Promise<string> =>
  partsVersion(db, slotsSources, 'weatherSlots.sourceVersion')

/**
 * slotsSourceVersion with dataVersion (whose tables include every source), from one look at system.parts:
 * while dataVersion reads the same, so does this.
 */
export async function slotsSourceAndDataVersion(db: Db): Promise<{ source: string; data: string }> {
  const [source = '', data = ''] = await partsVersions(
    db,
    [slotsSources, dataVersionTables],
    'weatherSlots.sourceVersion',
  )
  return { source, data }
}

/**
 * Writes build `build` of weather_slots: every merchant's open (store, UTC hour) slots from the store
 * rollup, each with the revenue and count of its like-for-like neighbours (the frame salesByWeather
 * computes, over all of the store's slots), in the lines' own currency, and the weather buckets of its hour
 * at the store's station (the newest observation of that hour; '' without one, as the computed path). One
 * statement for all merchants: it runs in the background, carried (createDb.ts) on one thread.
 */
export async function buildWeatherSlots(db: Db, build: string): Promise<void> {
  await db.client.command({
    query: `
      INSERT INTO weather_slots (build, merchant_id, store_id, hour_utc, first_local_hour, last_local_hour,
                                 quantity, revenue, neighbour_revenue, neighbours,
                                 condition_bucket, temperature_bucket)
      WITH
        store_stations AS (${storeStationsSql('SELECT merchant_id, store_id, lat, lon FROM stores FINAL')}),
        weather AS (${hourlyObservationsSql(
          `w.station_id AS station_id, w.observed_at AS hour_utc,
           ${bucketSql.condition} AS condition_bucket, ${bucketSql.temperature} AS temperature_bucket`,
          'w.station_id IN (SELECT station_id FROM store_stations)',
        )})
      SELECT {build:UInt64}, f.merchant_id, f.store_id, f.hour_utc, f.local_hour, f.last_local_hour, f.qty,
             f.revenue, f.around.1 - f.revenue, f.around.2 - 1, w.condition_bucket, w.temperature_bucket
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
      ) AS f
      LEFT JOIN store_stations AS ss ON ss.merchant_id = f.merchant_id AND ss.store_id = f.store_id
      LEFT JOIN weather AS w ON w.station_id = ss.station_id AND w.hour_utc = f.hour_utc`,
    query_params: { build, radius: stationRadiusMeters },
    clickhouse_settings: { log_comment: 'buildWeatherSlots', join_use_nulls: 0 },
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

/** Drops every build's slots (dropWeatherSlotsBut with none to keep: at start, when no record is read again). */
export async function dropAllWeatherSlots(db: Db): Promise<void> {
  await db.client.command({
    query: 'TRUNCATE TABLE weather_slots',
    clickhouse_settings: { log_comment: 'dropAllWeatherSlots' },
  })
}

/** The last finished build recorded (recordWeatherSlots), if any. */
export interface RecordedSlots {
  build: string
  sourceVersion: string
  slots: number
}

/**
 * Records a finished build, current for `sourceVersion` (after its rows are written), with the number of
 * slots its partition holds, counted by the same statement.
 */
export async function recordWeatherSlots(db: Db, build: string, sourceVersion: string): Promise<void> {
  await db.client.command({
    query: `
      INSERT INTO weather_slot_builds (build, source_version, slots)
      SELECT {build:UInt64}, {sourceVersion:String}, count() FROM weather_slots WHERE build = {build:UInt64}`,
    query_params: { build, sourceVersion },
    clickhouse_settings: { log_comment: 'recordWeatherSlots' },
  })
}

/**
 * The newest recorded build whose rows are all there (its partition holds the recorded number of slots),
 * or undefined.
 */
export async function recordedWeatherSlots(db: Db): Promise<RecordedSlots | undefined> {
  const result = await db.client.query({
    query: `
      SELECT toString(r.build) AS build, r.source_version AS sourceVersion, r.slots AS slots
      FROM (SELECT * FROM weather_slot_builds ORDER BY recorded_at DESC, build DESC LIMIT 1) AS r
      WHERE r.slots = (SELECT count() FROM weather_slots WHERE build = r.build)`,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'recordedWeatherSlots' },
  })
  const [row] = await result.json<{ build: string; sourceVersion: string; slots: string }>()
  return row && { build: row.build, sourceVersion: row.sourceVersion, slots: Number(row.slots) }
}

/** Drops every build but `keep` (every build and record when undefined). */
export async function dropWeatherSlotsBut(db: Db, keep: string | undefined): Promise<void> {
  if (keep === undefined) {
    await dropAllWeatherSlots(db)
    await db.client.command({
      query: 'TRUNCATE TABLE weather_slot_builds',
      clickhouse_settings: { log_comment: 'dropAllWeatherSlots' },
    })
    return
  }
  const result = await db.client.query({
    query: `
      SELECT DISTINCT partition AS build FROM system.parts
      WHERE database = currentDatabase() AND table = 'weather_slots' AND active AND partition != {keep:String}`,
    query_params: { keep },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'dropWeatherSlotsBut' },
  })
  for (const { build } of await result.json<{ build: string }>()) await dropWeatherSlots(db, build)
}

import type { WeatherRow } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { addDays, type InsightsScope } from './insightsScope.ts'
import { reportFx, type ReportFx } from './reportFx.ts'
import { inReportRange, salesLines, type SalesSource } from './salesSource.ts'

/** Stations further than this from a store do not describe its weather. */
export const stationRadiusMeters = 50_000
const radiusKm = stationRadiusMeters / 1000
/** Like-for-like neighbours: the same store, local weekday and hour, this many days either side. */
export const neighbourDays = 14

/**
 * The window frame of a slot's like-for-like neighbours, over rows with `local_hour` (the slot's store wall
 * clock) partitioned by the store (`partition`). Within a store, sorted
 * by one number, the hour of the local week above 2^32 and the local hour's seconds below, a slot's
 * neighbours are the rows within 14 days of its own, and rows of another hour of the week are always 2^32 s
 * (136 years) away: the frame of PARTITION BY store, weekday, hour without a three-key sort (that sort was
 * most of the query), and stores are partitions the engine spreads over its threads. Twins of a fall-back
 * hour are peers, 0 s apart; the slot itself is taken out after.
 */
export const likeForLike = (partition: string) => `
              PARTITION BY ${partition}
              ORDER BY toUInt64((toDayOfWeek(local_hour) - 1) * 24 + toHour(local_hour)) * 4294967296 + toUInt32(local_hour)
              RANGE BETWEEN ${neighbourDays * 86_400} PRECEDING AND ${neighbourDays * 86_400} FOLLOWING`

/** The weather bucket of an observation `w`, computed from the numbers (never the stored condition text). */
export const bucketSql = {
  condition: `multiIf(w.snowfall_cm > 0, 'snow', w.precipitation_mm >= toFloat32(0.1), 'rain', 'dry')`,
  temperature: `if(isNull(w.temperature_c), '', toString(toInt32(floor(w.temperature_c / 5) * 5)))`,
} as const
/**
 * The newest load of each (station, hour) of the observations `w` that meet `where`, with `columns` (the
 * table is a ReplacingMergeTree(ingested_at) whose rows may not be merged yet): the first row in that
 * order, not an argMax per column. One rule for the computed path and the kept slots (weatherSlots.ts).
 */
export const hourlyObservationsSql = (columns: string, where: string) => `
            SELECT ${columns}
            FROM weather_observations AS w
            WHERE ${where} AND w.observed_at = toStartOfHour(w.observed_at)
            ORDER BY w.station_id, w.observed_at, w.ingested_at DESC
            LIMIT 1 BY w.station_id, w.observed_at`
/** The bucket a kept slot carries (weatherSlots.ts), by the same expressions. */
const keptBucket = { condition: 's.condition_bucket', temperature: 's.temperature_bucket' } as const
const orderSql = {
  condition: `indexOf(['dry', 'rain', 'snow'], bucket)`,
  temperature: `toInt32OrZero(bucket)`,
} as const

export interface SalesByWeatherParams {
  by: keyof typeof bucketSql
  source?: SalesSource | undefined
  /** The stations of the scope's stores (nearestStations), when kept elsewhere (referenceCache.ts). */
  stationsOf?: ((scope: InsightsScope) => Promise<Map<string, string>>) | undefined
  /**
   * Kept builds of the slots with their neighbours' sums and their hour's weather buckets
   * (server/weather/weatherSlotBuilds.ts): read instead of the window and the observations when one is
   * current and the question allows (no source forced, rollup-shaped, no conversion); otherwise the slots
   * are computed.
   */
  slots?: { lease(dataVersion?: string): Promise<SlotsLease | undefined> } | undefined
  /** The data version the caller read for this answer (dataVersion.ts), for the slots' lease. */
  dataVersion?: string | undefined
}

/** A kept build of weather_slots, readable until released. */
export interface SlotsLease {
  build: string
  release(): void
}

interface SalesByWeatherResult {
  rows: WeatherRow[]
  notice: string | null
  /** Whether a kept build of the slots answered (else they were computed). */
  keptSlots: boolean
}

/**
 * Each store of `storesSql` (columns merchant_id, store_id, lat, lon) with its nearest station within the
 * radius (`{radius:Float64}`), stores without one left out: one rule for the route's stations
 * (nearestStations) and the kept slots' (weatherSlots.ts), so a kept build tags a slot with the weather the
 * computed path would.
 */
export const storeStationsSql = (storesSql: string) => `
      SELECT s.merchant_id AS merchant_id, s.store_id AS store_id,
             argMinIf(st.station_id, geoDistance(s.lon, s.lat, st.lon, st.lat),
                      geoDistance(s.lon, s.lat, st.lon, st.lat) <= {radius:Float64}) AS station_id
      FROM (${storesSql}) AS s
      CROSS JOIN (
        SELECT station_id, argMax(lat, observed_at) AS lat, argMax(lon, observed_at) AS lon
        FROM weather_observations GROUP BY station_id
      ) AS st
      GROUP BY merchant_id, store_id
      HAVING station_id != ''`

/** Each store's nearest station within the radius, by store id (stores without one are left out). */
export async function nearestStations(
  db: Db,
  stores: { storeId: string; lat: number; lon: number }[],
): Promise<Map<string, string>> {
  // The stores' positions are known: only the stations are read.
  const result = await db.client.query({
    query: `
      SELECT store_id AS storeId, station_id AS stationId
      FROM (${storeStationsSql(`
        SELECT '' AS merchant_id, s.1 AS store_id, s.2 AS lat, s.3 AS lon
        FROM (SELECT arrayJoin(arrayZip({ids:Array(String)}, {lats:Array(Float64)}, {lons:Array(Float64)})) AS s)`)})`,
    query_params: {
      ids: stores.map((s) => s.storeId),
      lats: stores.map((s) => s.lat),
      lons: stores.map((s) => s.lon),
      radius: stationRadiusMeters,
    },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'salesByWeather.storeStations' },
  })
  return new Map(
    (await result.json<{ storeId: string; stationId: string }>()).map((r) => [r.storeId, r.stationId]),
  )
}

/**
 * Sales by the weather of their UTC hour at the store's nearest station (DESIGN.md section 5). A slot is
 * an open (store, UTC hour): at least one sale. lift = sum of actual / sum of expected revenue over the
 * bucket's slots that have like-for-like neighbours, expected being the mean revenue of the same store's
 * open slots at the same local weekday and hour 0, 7 or 14 days away (the slot itself excluded; 0 days is
 * the twin of a fall-back night's repeated hour, docs/insights.md). Neighbours may lie outside the report
 * range; they obey the same store, category and product filters.
 * Slots without an observation for their hour, and stores without a station, stay out (see notice).
 */
export async function salesByWeather(
  db: Db,
  scope: InsightsScope,
  params: SalesByWeatherParams,
): Promise<SalesByWeatherResult> {
  const found = await (params.stationsOf ?? ((s) => nearestStations(db, s.storeList)))(scope)
  const stations = scope.storeList.map((s) => ({ storeId: s.storeId, stationId: found.get(s.storeId) ?? '' }))
  const covered = stations.filter((s) => s.stationId !== '')
  const uncovered = stations.filter((s) => s.stationId === '').map((s) => s.storeId)
  if (covered.length === 0) {
    return {
      rows: [],
      notice: `no weather station within ${radiusKm} km of ${scope.stores.length ? 'the selected stores' : 'any store'}`,
      keptSlots: false,
    }
  }
  // Only stores with a station have slots: their lines alone are read and need FX rates.
  const slotScope = { ...scope, stores: covered.map((s) => s.storeId) }
  const lines = salesLines(slotScope, { padDays: neighbourDays, source: params.source })
  // Stores and stations are numbered 1..n: a slot sorts by its store's number and finds its weather by its
  // station's (joining on names took about a third of the query).
  const stationIds = [...new Set(covered.map((s) => s.stationId))]
  const query_params = {
    ...lines.params,
    slotStores: covered.map((s) => s.storeId),
    slotStoreNos: covered.map((_, i) => i + 1),
    slotStationNos: covered.map((s) => stationIds.indexOf(s.stationId) + 1),
    stationIds,
  }
  const fx = await reportFx(db, slotScope, lines.sql, query_params)
  // Kept slots answer when nothing converts and the lines would come from the rollup they are built from.
  const lease =
    params.slots && params.source === undefined && lines.source === 'storeRollup' && fx.keys.length === 0
      ? await params.slots.lease(params.dataVersion)
      : undefined
  try {
    // A kept slot carries its bucket; computed slots look theirs up in the stations' observations.
    const framed = lease ? keptSlots(slotScope, fx.rate, params.by) : computedSlots(lines.sql, fx)
    const rows = await db.client.query({
      query: `WITH ${framed} ${bucketed(params.by, lease !== undefined)}`,
      query_params: lease ? { ...query_params, ...keptParams(scope, lease.build) } : query_params,
      format: 'JSONEachRow',
      clickhouse_settings: { log_comment: 'salesByWeather', join_use_nulls: 0 },
    })
    const notice = uncovered.length
      ? `no weather station within ${radiusKm} km of store ${uncovered.join(', ')}; its sales are left out`
      : null
    return { rows: await rows.json<WeatherRow>(), notice, keptSlots: lease !== undefined }
  } finally {
    lease?.release()
  }
}

/**
 * The open slots of the scan with their neighbours' sums, computed from the lines (or the rollup): CTEs
 * ending in `framed` (store_no, hour_utc, qty, revenue, neighbour_revenue, neighbours; slots in range).
 */
function computedSlots(linesSql: string, fx: ReportFx): string {
  // Without conversion the rate is one constant: multiplied once per slot, not per row (the same exact value).
  const slotRevenue = fx.keys.length ? `sum(g.amount * ${fx.rate})` : `sum(g.amount) * ${fx.rate}`
  return `
          lines AS (${linesSql}),
          ${fx.ctes}
          slots AS (
            SELECT g.store_id AS store_id, g.hour_utc AS hour_utc, min(g.local_hour) AS local_hour,
                   max(g.in_range) AS in_range, sum(g.quantity) AS qty, ${slotRevenue} AS revenue,
                   transform(store_id, {slotStores:Array(String)}, {slotStoreNos:Array(UInt32)}, 0) AS store_no
            FROM lines AS g ${fx.join}
            GROUP BY store_id, hour_utc
          ),
          -- Like-for-like neighbours share store, local weekday and local hour, so they are whole weeks apart.
          framed AS (
            SELECT store_no, hour_utc, qty, revenue,
                   -- One aggregate over the frame instead of a sum and a count: a few per cent less work.
                   sumCount(revenue) OVER like_for_like AS around,
                   around.1 - revenue AS neighbour_revenue,
                   around.2 - 1 AS neighbours
            FROM slots
            WINDOW like_for_like AS (${likeForLike('store_no')})
            QUALIFY in_range
          ),
`
}

/**
 * The same CTE `framed` read from a kept build of weather_slots (weatherSlots.ts): its neighbour sums were
 * computed over all of the store's slots, which the padded scan above always holds for a slot in range.
 * Amounts are in the lines' currency, so only an identity `rate` applies (multiplied as above, so every
 * Decimal has the scale the computed path gives it).
 */
function keptSlots(scope: InsightsScope, rate: string, by: SalesByWeatherParams['by']): string {
  return `
          framed AS (
            SELECT transform(s.store_id, {slotStores:Array(String)}, {slotStoreNos:Array(UInt32)}, 0) AS store_no,
                   s.hour_utc AS hour_utc, s.quantity AS qty, s.revenue * ${rate} AS revenue,
                   s.neighbour_revenue * ${rate} AS neighbour_revenue, s.neighbours AS neighbours,
                   ${keptBucket[by]} AS bucket
            FROM weather_slots AS s
            WHERE s.build = {keptBuild:UInt64} AND s.merchant_id = {merchantId:String}
              AND s.hour_utc >= {keptFrom:DateTime} AND s.hour_utc < {keptTo:DateTime}
              AND s.store_id IN {slotStores:Array(String)}
              AND (${inReportRange(scope, 's.hour_utc', ['s.first_local_hour', 's.last_local_hour'])})
          ),`
}

/** The kept path's parameters: the build, and the UTC hours that can hold a local hour of the range. */
function keptParams(scope: InsightsScope, build: string): Record<string, unknown> {
  return {
    keptBuild: build,
    keptFrom: `${addDays(scope.from, -1)} 00:00:00`,
    keptTo: `${addDays(scope.to, 2)} 00:00:00`,
  }
}

/**
 * The weather of each slot of `framed`, and the breakdown by bucket. Kept slots (`kept`) carry their bucket;
 * computed ones read it from the stations' observations of the scan.
 */
function bucketed(by: SalesByWeatherParams['by'], kept: boolean): string {
  const tagged = (bucket: string) => `
          tagged AS (
            SELECT s.qty AS slot_qty, s.revenue AS slot_revenue, ${bucket} AS bucket,
                   s.neighbours > 0 AS has_neighbours,
                   if(has_neighbours, s.neighbour_revenue / s.neighbours, 0) AS slot_expected
            FROM framed AS s
          )`
  const weather = `
          -- Each station's hours of the scan, one after the other: hour h of station n is grid entry
          -- (n - 1) * grid_hours + h + 1.
          intDiv(toUInt32({scanToDateTime:DateTime}) - toUInt32({scanFromDateTime:DateTime}), 3600) AS grid_hours,
          weather AS (${hourlyObservationsSql(
            `toUInt32((indexOf({stationIds:Array(String)}, w.station_id) - 1) * grid_hours
                     + intDiv(toUInt32(w.observed_at) - toUInt32({scanFromDateTime:DateTime}), 3600)) AS grid_at,
                   ${bucketSql[by]} AS bucket`,
            `w.station_id IN {stationIds:Array(String)}
              AND w.observed_at >= {scanFromDateTime:DateTime} AND w.observed_at < {scanToDateTime:DateTime}`,
          )}),
          -- Every bucket in one array, computed once: a slot reads its own by position instead of a join
          -- (the join cost as much as the window). An hour without an observation holds '' and stays out.
          (SELECT groupArrayInsertAt(bucket, grid_at) FROM weather) AS buckets,`
  const lookedUp = `buckets[(transform(s.store_no, {slotStoreNos:Array(UInt32)}, {slotStationNos:Array(UInt32)}, 0) - 1)
                           * grid_hours + intDiv(toUInt32(s.hour_utc) - toUInt32({scanFromDateTime:DateTime}), 3600) + 1]`
  return `${kept ? tagged('s.bucket') : weather + tagged(lookedUp)}
        SELECT
          bucket,
          count() AS openHours,
          sum(slot_qty) AS quantity,
          CAST(round(sum(slot_revenue), 2) AS Decimal(38, 2)) AS revenue,
          CAST(round(sum(slot_revenue) / count(), 2) AS Decimal(38, 2)) AS revenuePerHour,
          if(sumIf(slot_expected, has_neighbours) = 0, NULL,
             round(toFloat64(sumIf(slot_revenue, has_neighbours)) / toFloat64(sumIf(slot_expected, has_neighbours)), 4)) AS lift,
          countIf(has_neighbours) AS liftHours
        FROM tagged
        WHERE bucket != ''
        GROUP BY bucket
        ORDER BY ${orderSql[by]}, bucket`
}

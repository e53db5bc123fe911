/**
 * The reference of the queries benchmark: the bare engine answering each insights question written plainly
 * against plain MergeTree tables holding the same raw lines (bare_lines), stores and weather, loaded
 * from the same files. bare_lines keeps each line's local wall-clock time as sent and, like our own table,
 * the instant (read in the store's zone) and the store's country.
 */
import type { Db } from '../../server/db/createDb.ts'
import { benchStores, lineStructure, type BenchFiles } from './benchData.ts'

/** Loads bare_lines, bare_stores and bare_weather from the bench files (`source` is NDJSON or Parquet). */
export async function loadBareTables(db: Db, files: BenchFiles, source: 'ndjson' | 'parquet') {
  for (const table of ['bare_lines', 'bare_stores', 'bare_weather', 'bare_text'])
    await db.client.command({ query: `DROP TABLE IF EXISTS ${table}` })
  await db.client.command({
    query: `CREATE TABLE bare_stores ENGINE = MergeTree ORDER BY (merchant_id, store_id) AS
            SELECT * FROM file({file:String}, JSONEachRow)`,
    query_params: { file: files.stores },
    clickhouse_settings: { schema_inference_make_columns_nullable: 0 },
  })
  await db.client.command({
    query: `CREATE TABLE bare_weather ENGINE = MergeTree ORDER BY (station_id, observed_at) AS
            SELECT station_id, lat, lon, parseDateTimeBestEffort(observed_at, 'UTC') AS observed_at,
                   temperature_c, precipitation_mm, snowfall_cm
            FROM file({file:String}, JSONEachRow, 'station_id String, lat Float64, lon Float64, observed_at String,
                      temperature_c Float32, precipitation_mm Float32, snowfall_cm Float32')`,
    query_params: { file: files.weather },
    clickhouse_settings: { schema_inference_make_columns_nullable: 0 },
  })
  await db.client.command({
    query: `CREATE TABLE bare_lines (
              merchant_id LowCardinality(String), store_id LowCardinality(String), transaction_id String,
              line_no UInt32, local_at DateTime('UTC'), occurred_at DateTime('UTC'), product_id String,
              product_name String, category LowCardinality(String), quantity Decimal(18, 3),
              unit_price Decimal(18, 4), amount Decimal(18, 4), currency LowCardinality(String),
              status LowCardinality(String), payment_method LowCardinality(String), customer_id String,
              customer_home_country LowCardinality(String), store_country LowCardinality(String))
            ENGINE = MergeTree ORDER BY (merchant_id, local_at)`,
  })
  // The files are parsed once into text columns, then typed per store zone (the zone of a local time
  // is a constant of the parsing function).
  const lines = source === 'ndjson' ? `${files.dir}/lines/*.ndjson` : files.parquet
  const format = source === 'ndjson' ? 'JSONEachRow' : 'Parquet'
  await db.client.command({ query: 'DROP TABLE IF EXISTS bare_text' })
  await db.client.command({
    query: `CREATE TABLE bare_text ENGINE = MergeTree ORDER BY tuple() AS
            SELECT * FROM file({lines:String}, ${format}, {structure:String})`,
    query_params: { lines, structure: lineStructure },
  })
  for (const zone of [...new Set(benchStores().map((s) => s.timezone))]) {
    await db.client.command({
      query: `
        INSERT INTO bare_lines
        SELECT l.merchant_id, l.store_id, l.transaction_id, toUInt32(l.line_no),
               toDateTime(l.occurred_at, 'UTC'), toDateTime(l.occurred_at, {zone:String}), l.product_id,
               l.product_name, l.category, toDecimal64(l.quantity, 3), toDecimal64(l.unit_price, 4),
               toDecimal64(l.amount, 4), l.currency, l.status, l.payment_method, l.customer_id,
               l.customer_home_country, s.country
        FROM bare_text AS l
        INNER JOIN (SELECT merchant_id, store_id, country FROM bare_stores WHERE timezone = {zone:String}) AS s
          ON s.merchant_id = l.merchant_id AND s.store_id = l.store_id`,
      query_params: { zone },
    })
  }
  await db.client.command({ query: 'DROP TABLE bare_text' })
}

const completedInYear = `l.merchant_id = {m:String} AND l.status = 'completed'
  AND l.local_at >= {fromAt:DateTime} AND l.local_at < {toAt:DateTime}`

const byTime = (bucket: string) => `
  SELECT ${bucket} AS bucket, sum(l.quantity) AS quantity, sum(l.amount) AS revenue,
         uniqExact(l.transaction_id) AS transactions
  FROM bare_lines AS l WHERE ${completedInYear}
  GROUP BY bucket ORDER BY bucket`

const byWeather = (bucket: string) => `
  WITH
    slots AS (
      SELECT l.store_id AS store_id, toStartOfHour(l.occurred_at) AS hour_utc,
             toStartOfHour(l.local_at) AS local_hour, sum(l.amount) AS revenue
      FROM bare_lines AS l
      WHERE l.merchant_id = {m:String} AND l.status = 'completed'
        AND l.local_at >= {fromAt:DateTime} - INTERVAL 14 DAY AND l.local_at < {toAt:DateTime} + INTERVAL 14 DAY
      GROUP BY store_id, hour_utc, local_hour
    ),
    lifted AS (
      SELECT store_id, hour_utc, local_hour, revenue,
             sum(revenue) OVER w - revenue AS neighbour_sum, count() OVER w - 1 AS neighbours
      FROM slots
      WINDOW w AS (PARTITION BY store_id, toHour(local_hour), toDayOfWeek(local_hour)
                   ORDER BY toRelativeDayNum(local_hour) RANGE BETWEEN 14 PRECEDING AND 14 FOLLOWING)
    ),
    nearest AS (
      SELECT s.store_id AS store_id, argMin(w.station_id, geoDistance(s.lon, s.lat, w.lon, w.lat)) AS station_id
      FROM bare_stores AS s CROSS JOIN (SELECT DISTINCT station_id, lat, lon FROM bare_weather) AS w
      WHERE s.merchant_id = {m:String}
      GROUP BY s.store_id
    )
  SELECT ${bucket} AS bucket, sum(l.revenue) AS revenue, count() AS slots,
         toFloat64(sumIf(l.revenue, l.neighbours > 0))
           / toFloat64(sumIf(l.neighbour_sum / greatest(l.neighbours, 1), l.neighbours > 0)) AS lift
  FROM lifted AS l
  INNER JOIN nearest AS n ON n.store_id = l.store_id
  INNER JOIN bare_weather AS w ON w.station_id = n.station_id AND w.observed_at = l.hour_utc
  WHERE l.local_hour >= {fromAt:DateTime} AND l.local_hour < {toAt:DateTime}
  GROUP BY bucket ORDER BY bucket`

/** The summary's KPIs over the bare lines that `where` keeps. */
const summaryOf = (where: string) => `
      SELECT sum(l.amount) AS revenue, uniqExact(l.transaction_id) AS transactions, sum(l.quantity) AS items,
             uniqExactIf(l.customer_id, l.customer_id != '') AS customers,
             sumIf(l.amount, l.customer_home_country != '' AND l.customer_home_country != l.store_country)
               / sumIf(l.amount, l.customer_home_country != '') AS touristShare
      FROM bare_lines AS l WHERE ${where}`

/** Each timed route (a year of the large merchant on its stores' clocks) and the same question, bare. */
export const bareQuestions: { route: string; sql: string }[] = [
  {
    route: 'summary?tz=local',
    sql: summaryOf(completedInYear),
  },
  {
    route: 'sales/by-product?tz=local',
    sql: `
      SELECT l.product_id AS productId, argMax(l.product_name, l.occurred_at) AS name, any(l.category) AS category,
             sum(l.quantity) AS quantity, sum(l.amount) AS revenue, uniqExact(l.transaction_id) AS transactions
      FROM bare_lines AS l WHERE ${completedInYear}
      GROUP BY productId ORDER BY revenue DESC LIMIT 1000`,
  },
  { route: 'sales/by-time?tz=local&grain=day', sql: byTime('toDate(l.local_at)') },
  { route: 'sales/by-time?tz=local&grain=month', sql: byTime('toStartOfMonth(l.local_at)') },
  {
    route: 'sales/by-time?tz=local&grain=hour_of_day&split=day_of_week',
    sql: byTime('(toDayOfWeek(l.local_at), toHour(l.local_at))'),
  },
  {
    route: 'sales/by-weather?tz=local&by=condition',
    sql: byWeather(`multiIf(w.snowfall_cm > 0, 'snow', w.precipitation_mm >= 0.1, 'rain', 'dry')`),
  },
  {
    route: 'sales/by-weather?tz=local&by=temperature',
    sql: byWeather(`toInt32(floor(w.temperature_c / 5) * 5)`),
  },
  {
    route: 'customers/origins?tz=local',
    sql: `
      SELECT l.customer_home_country AS homeCountry, l.customer_home_country != l.store_country AS tourist,
             uniqExactIf(l.customer_id, l.customer_id != '') AS customers, sum(l.amount) AS revenue
      FROM bare_lines AS l WHERE ${completedInYear} AND l.customer_home_country != ''
      GROUP BY homeCountry, tourist ORDER BY revenue DESC`,
  },
  {
    // The dashboard's default clock for a chain across zones: the first store's zone.
    route: 'summary',
    sql: summaryOf(`l.merchant_id = {m:String} AND l.status = 'completed'
        AND l.occurred_at >= toDateTime({fromAt:String}, {tz:String})
        AND l.occurred_at < toDateTime({toAt:String}, {tz:String})`),
  },
  {
    route: 'sales/by-time?grain=day',
    sql: `
      SELECT toDate(l.occurred_at, {tz:String}) AS bucket, sum(l.quantity) AS quantity, sum(l.amount) AS revenue,
             uniqExact(l.transaction_id) AS transactions
      FROM bare_lines AS l
      WHERE l.merchant_id = {m:String} AND l.status = 'completed'
        AND l.occurred_at >= toDateTime({fromAt:String}, {tz:String})
        AND l.occurred_at < toDateTime({toAt:String}, {tz:String})
      GROUP BY bucket ORDER BY bucket`,
  },
]

import {
  coordinateCheck,
  currencyCheck,
  merchantChecks,
  receivedChecks,
  required,
  verdictSql,
  type RowCheck,
} from '../rowChecks.ts'
import type { CheckContext, KindSpec } from './kindSpec.ts'

/**
 * Runs one INSERT ... SELECT filling the checked table: typed values, then the verdict columns (the checks
 * every kind gets first, then the kind's own).
 */
async function fill(
  ctx: CheckContext,
  canonical: readonly string[],
  name: string,
  typed: string,
  checks: RowCheck[],
  select: string,
  merchant: string,
) {
  const verdict = verdictSql([...receivedChecks(canonical), ...checks])
  await ctx.db.client.command({
    query: `
      INSERT INTO ${ctx.checked}
      WITH m AS (${ctx.mapped}),
      typed AS (SELECT *, ${typed} FROM m),
      verdicts AS (SELECT *, ${verdict.check} AS _check FROM typed)
      SELECT ${select}, _line, ${merchant} AS _merchant, ${verdict.reason} AS _reason,
             if(_check = 1, _card, ${verdict.field}) AS _field, ${verdict.message} AS _message,
             {batchId:String} AS _batch
      FROM verdicts`,
    query_params: ctx.params,
    clickhouse_settings: { log_comment: name },
  })
}

const storesCanonical = [
  'merchant_id',
  'store_id',
  'name',
  'lat',
  'lon',
  'timezone',
  'country',
  'city',
  'currency',
] as const
const weatherCanonical = [
  'station_id',
  'lat',
  'lon',
  'observed_at',
  'temperature_c',
  'precipitation_mm',
  'snowfall_cm',
  'condition',
] as const
const fxCanonical = ['date', 'base', 'quote', 'rate'] as const

export const storesKind: KindSpec = {
  kind: 'stores',
  canonical: storesCanonical,
  columns: {
    merchant_id: 'String',
    store_id: 'String',
    name: 'String',
    lat: 'Float64',
    lon: 'Float64',
    timezone: 'String',
    country: 'String',
    city: 'String',
    currency: 'String',
  },
  target: 'stores',
  key: ['merchant_id', 'store_id', 'name', 'lat', 'lon', 'timezone', 'country', 'city', 'currency'],
  merchantScoped: true,
  check: (ctx) =>
    fill(
      ctx,
      storesCanonical,
      'ingestStoresCheck',
      `toFloat64OrNull(lat) AS v_lat, toFloat64OrNull(lon) AS v_lon, upper(coalesce(country, '')) AS v_country,
       upper(coalesce(currency, '')) AS v_currency`,
      [
        ...required(['merchant_id', 'store_id', 'timezone', 'country', 'currency']),
        ...merchantChecks,
        {
          when: `timezone NOT IN (SELECT time_zone FROM system.time_zones)`,
          reason: 'bad_timezone',
          field: 'timezone',
          message: `concat('not an IANA time zone: ', timezone)`,
        },
        {
          when: `NOT match(v_country, '^[A-Z]{2}$')`,
          reason: 'bad_country',
          field: 'country',
          message: `'country must be an ISO 3166-1 alpha-2 code'`,
        },
        currencyCheck('v_currency', 'currency'),
        coordinateCheck,
      ],
      `coalesce(merchant_id, '') AS merchant_id, coalesce(store_id, '') AS store_id, coalesce(name, '') AS name,
       coalesce(v_lat, 0) AS lat, coalesce(v_lon, 0) AS lon, coalesce(timezone, '') AS timezone,
       v_country AS country, coalesce(city, '') AS city, v_currency AS currency`,
      `coalesce(merchant_id, '')`,
    ),
  // A store row identical to the stored one is a duplicate; a changed one is a new version (inserted).
  existing: (checked) => `
    SELECT merchant_id, store_id, name, lat, lon, timezone, country, city, currency FROM stores FINAL
    WHERE merchant_id IN (SELECT DISTINCT merchant_id FROM ${checked} WHERE _reason = '')`,
}

export const weatherKind: KindSpec = {
  kind: 'weather',
  canonical: weatherCanonical,
  columns: {
    station_id: 'String',
    lat: 'Float64',
    lon: 'Float64',
    observed_at: "DateTime('UTC')",
    temperature_c: 'Nullable(Float32)',
    precipitation_mm: 'Float32',
    snowfall_cm: 'Float32',
    condition: 'String',
  },
  target: 'weather_observations',
  key: ['station_id', 'observed_at'],
  merchantScoped: false,
  check: (ctx) =>
    fill(
      ctx,
      weatherCanonical,
      'ingestWeatherCheck',
      // Observation times are UTC; a time without an offset is read as UTC, and is truncated to its hour.
      `toFloat64OrNull(lat) AS v_lat, toFloat64OrNull(lon) AS v_lon,
       toStartOfHour(parseDateTimeBestEffortOrNull(observed_at, 'UTC')) AS v_at,
       toFloat32OrNull(temperature_c) AS v_temp, toFloat32OrNull(coalesce(precipitation_mm, '0')) AS v_precip,
       toFloat32OrNull(coalesce(snowfall_cm, '0')) AS v_snow`,
      [
        ...required(['station_id', 'observed_at']),
        {
          when: `isNull(v_at) OR toYear(v_at) NOT BETWEEN 1970 AND 2105`,
          reason: 'bad_timestamp',
          field: 'observed_at',
          message: `concat('not a timestamp: ', observed_at)`,
        },
        coordinateCheck,
        {
          when: `isNotNull(temperature_c) AND isNull(v_temp)`,
          reason: 'bad_number',
          field: 'temperature_c',
          message: `concat('not a number: ', temperature_c)`,
        },
        {
          when: `isNull(v_precip) OR v_precip < 0`,
          reason: 'bad_number',
          field: 'precipitation_mm',
          message: `'precipitation_mm must be a number >= 0'`,
        },
        {
          when: `isNull(v_snow) OR v_snow < 0`,
          reason: 'bad_number',
          field: 'snowfall_cm',
          message: `'snowfall_cm must be a number >= 0'`,
        },
      ],
      `coalesce(station_id, '') AS station_id, coalesce(v_lat, 0) AS lat, coalesce(v_lon, 0) AS lon,
       coalesce(v_at, toDateTime(0, 'UTC')) AS observed_at, v_temp AS temperature_c,
       coalesce(v_precip, 0) AS precipitation_mm, coalesce(v_snow, 0) AS snowfall_cm,
       lower(coalesce(condition, '')) AS condition`,
      `''`,
    ),
  existing: (checked) => `
    SELECT station_id, observed_at FROM weather_observations
    WHERE station_id IN (SELECT DISTINCT station_id FROM ${checked} WHERE _reason = '')`,
}

export const fxRatesKind: KindSpec = {
  kind: 'fx-rates',
  canonical: fxCanonical,
  columns: { date: 'Date', base: 'String', quote: 'String', rate: 'Decimal(38, 10)' },
  target: 'fx_rates',
  key: ['base', 'quote', 'date'],
  merchantScoped: false,
  check: (ctx) =>
    fill(
      ctx,
      fxCanonical,
      'ingestFxRatesCheck',
      `toDateOrNull(date) AS v_date, upper(coalesce(base, '')) AS v_base, upper(coalesce(quote, '')) AS v_quote,
       toDecimal128OrNull(rate, 10) AS v_rate`,
      [
        ...required(['date', 'base', 'quote', 'rate']),
        {
          when: `isNull(v_date)`,
          reason: 'bad_timestamp',
          field: 'date',
          message: `concat('not a date (YYYY-MM-DD): ', date)`,
        },
        currencyCheck('v_base', 'base'),
        currencyCheck('v_quote', 'quote'),
        {
          when: `isNull(v_rate) OR v_rate <= 0`,
          reason: 'bad_number',
          field: 'rate',
          message: `concat('rate must be a number > 0: ', rate)`,
        },
      ],
      `coalesce(v_date, toDate(0)) AS date, v_base AS base, v_quote AS quote,
       coalesce(v_rate, toDecimal128(0, 10)) AS rate`,
      `''`,
    ),
  existing: (checked) => `
    SELECT base, quote, date FROM fx_rates
    WHERE base IN (SELECT DISTINCT base FROM ${checked} WHERE _reason = '')`,
}

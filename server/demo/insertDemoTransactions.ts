import { randomBytes } from 'node:crypto'
import type { Db } from '../db/createDb.ts'
import { insertStagedTransactions } from '../db/insertStagedTransactions.ts'
import { transactionsKind } from '../../pipelines/kinds/transactionsKind.ts'
import {
  businessKinds,
  demandProfiles,
  demoBatchId,
  demoMerchants,
  demoPeriod,
  demoProducts,
  demoStores,
  type DemoCity,
} from './demoCatalog.ts'

/** Baskets a customer of each kind makes in a city over the year, on average (sets the pool sizes). */
const visitsPerLocal = 12
const visitsPerTourist = 4
/**
 * Regulars: the first 2% of a city's locals get 20% of the locals' baskets, about ten times the visits
 * (and spend) of the others: the clear high spenders a wallet wants to reach. A third of them (every
 * third index) stop coming somewhere between 120 days into the year and 120 days before its end: lapsed
 * regulars.
 */
const regularPoolShare = 0.02
const regularBasketShare = 0.2
const lapseMarginDays = 120

/** Every array the generator indexes, built from the catalog for one city (all 1-based in SQL). */
export function demoCityParams(city: DemoCity, lines: number) {
  const stores = demoStores.filter((s) => s.city === city.id)
  const kindOf = (merchantId: string) => {
    const merchant = demoMerchants.find((m) => m.id === merchantId)
    if (!merchant) throw new Error(`demo store of unknown merchant ${merchantId}`)
    return merchant.kind
  }
  // Products are laid out as weighted slots, each merchant's slots contiguous: a uniform pick of a slot in
  // the merchant's range is a weighted pick of a product.
  const cityProducts = demoProducts.filter(
    (p) => stores.some((s) => s.merchantId === p.merchantId) && p.prices[city.currency] !== undefined,
  )
  const productSlots: number[] = []
  const merchantRange = new Map<string, [number, number]>()
  for (const merchantId of new Set(cityProducts.map((p) => p.merchantId))) {
    const start = productSlots.length + 1
    cityProducts.forEach((p, i) => {
      if (p.merchantId === merchantId) for (let w = 0; w < p.weight; w++) productSlots.push(i + 1)
    })
    merchantRange.set(merchantId, [start, productSlots.length - start + 1])
  }
  const storeSlots = stores.flatMap((s, i) => Array<number>(s.weight).fill(i + 1))
  const origins = Object.entries(city.touristOrigins)
  const originTotal = origins.reduce((sum, [, w]) => sum + w, 0)
  const originSlots = origins.flatMap(([, w], i) =>
    Array<number>(Math.round((w / originTotal) * 10_000)).fill(i + 1),
  )

  // Pool sizes scale with the requested size so each customer keeps a realistic number of visits.
  const kinds = stores.map((s) => businessKinds.indexOf(kindOf(s.merchantId)) + 1)
  const totalWeight = stores.reduce((sum, s) => sum + s.weight, 0)
  let knownBaskets = 0
  stores.forEach((s) => {
    const profile = demandProfiles[kindOf(s.merchantId)]
    const meanLines = profile.basketLines.reduce(
      (sum, c, k) => sum + (c - (profile.basketLines[k - 1] ?? 0)) * (k + 1),
      0,
    )
    knownBaskets += ((lines * s.weight) / totalWeight / meanLines) * (1 - profile.anonymous)
  })
  const touristBaskets = knownBaskets * city.touristShare
  const profiles = businessKinds.map((k) => demandProfiles[k])
  return {
    city: city.id,
    tz: city.timezone,
    station: city.station.id,
    country: city.country,
    currency: city.currency,
    batchId: demoBatchId,
    firstDay: demoPeriod.firstDay,
    days: demoPeriod.days,
    storeSlots,
    storeMerchant: stores.map((s) => s.merchantId),
    storeId: stores.map((s) => s.storeId),
    storeKind: kinds,
    storeOpens: stores.map((s) => s.opens),
    storeCloses: stores.map((s) => s.closes),
    storeProductStart: stores.map((s) => merchantRange.get(s.merchantId)?.[0] ?? 0),
    storeProductCount: stores.map((s) => merchantRange.get(s.merchantId)?.[1] ?? 0),
    productSlots,
    productId: cityProducts.map((p) => p.productId),
    productName: cityProducts.map((p) => p.name),
    productCategory: cityProducts.map((p) => p.category),
    productType: cityProducts.map((p) => p.productType),
    productPrice: cityProducts.map((p) => p.prices[city.currency] ?? '0'),
    weekdayHours: profiles.map((p) => p.weekdayHours),
    weekendHours: profiles.map((p) => p.weekendHours),
    weekdays: profiles.map((p) => p.weekdays),
    months: profiles.map((p) => p.months),
    weatherEffect: profiles.map((p) => p.weather),
    // Thinning divides by the largest possible demand so acceptance is a probability.
    peakDemand: profiles.map(
      (p) =>
        Math.max(...p.weekdayHours, ...p.weekendHours) *
        Math.max(...p.weekdays) *
        Math.max(...p.months) *
        Math.max(...p.weather),
    ),
    basketLines: profiles.map((p) => p.basketLines),
    quantities: profiles.map((p) => p.quantities),
    anonymous: profiles.map((p) => p.anonymous),
    offline: profiles.map((p) => p.offline),
    touristShare: city.touristShare,
    originSlots,
    originCountry: origins.map(([c]) => c),
    originPool: origins.map(([, w]) =>
      Math.max(1, Math.round((touristBaskets * w) / originTotal / visitsPerTourist)),
    ),
    transitKind: businessKinds.indexOf('transit') + 1,
    localPool: Math.max(1, Math.round((knownBaskets - touristBaskets) / visitsPerLocal)),
    regularPool: Math.max(
      1,
      Math.round(((knownBaskets - touristBaskets) / visitsPerLocal) * regularPoolShare),
    ),
    regularShare: regularBasketShare,
    lapseMargin: lapseMarginDays,
  }
}

export type DemoCityParams = ReturnType<typeof demoCityParams>

/**
 * Inserts up to `limit` line items for one city's stores from candidate baskets numbered
 * [first, first + candidates). Candidates get a store, customer, local day and minute from hashes of their
 * number; demand shapes are applied by thinning (a candidate is kept with probability demand / peak demand,
 * demand including the hour's weather at the city's station). Kept baskets expand to 1-4 lines, and the
 * lowest-numbered `limit` lines are inserted, so the result depends only on the arguments.
 *
 * Local wall-clock times are built in the store's zone with makeDateTime(..., tz); the zone is a bound
 * constant per query, which is why this runs once per city. Stores open after 05:00 and close by midnight,
 * so no sale falls into a DST gap or the repeated hour.
 */
export async function insertDemoTransactions(
  db: Db,
  params: DemoCityParams,
  range: { first: number; candidates: number; limit: number },
): Promise<void> {
  // Staged first: the customers of the round are numbered before their lines go in (insertStagedTransactions).
  const stage = `demo_stage_${randomBytes(6).toString('hex')}`
  await db.client.command({
    query: `
      CREATE TABLE ${stage} ENGINE = Memory AS
      SELECT
        {storeMerchant:Array(String)}[s] AS merchant_id,
        {storeId:Array(String)}[s] AS store_id,
        concat('demo-', {city:String}, '-', toString(number)) AS transaction_id,
        line_no,
        toDateTime64(wall, 3, 'UTC') + toIntervalMillisecond(millis) AS occurred_at,
        toDateTime(toString(wall), 'UTC') AS local_at,
        {productId:Array(String)}[{productSlots:Array(UInt16)}[{storeProductStart:Array(UInt16)}[s]
          + cityHash64(number, line_no, 'product') % {storeProductCount:Array(UInt16)}[s]] AS p] AS product_id,
        {productName:Array(String)}[p] AS product_name,
        {productCategory:Array(String)}[p] AS category,
        {productType:Array(String)}[p] AS product_type,
        toDecimal64(arrayFirstIndex(c -> c > cityHash64(number, line_no, 'qty') / 18446744073709551616.0,
          {quantities:Array(Array(Float64))}[k]), 3) AS quantity,
        toDecimal64({productPrice:Array(String)}[p], 4) AS unit_price,
        toDecimal64(quantity * unit_price, 4) AS amount,
        {currency:String} AS currency,
        multiIf((cityHash64(number, line_no, 'status') % 1000 AS line_status) < 10, 'refunded',
                line_status < 16, 'voided', 'completed') AS status,
        tupleElement(payment, 1) AS payment_method,
        tupleElement(payment, 2) AS wallet,
        customer_key,
        customer_home_country,
        {country:String} AS store_country,
        cityHash64(number, line_no, 'offline') / 18446744073709551616.0 < {offline:Array(Float64)}[k]
          AS captured_offline,
        {batchId:String} AS batch_id
      FROM (
        SELECT
          number, s, k, wall, millis,
          if(customer_kind = 0, '',
             lower(hex(substring(SHA256(if(customer_kind = 2,
               concat('demo-tourist:', {city:String}, ':', {originCountry:Array(String)}[origin], ':', toString(tourist)),
               concat('demo-local:', {city:String}, ':', toString(local)))), 1, 16)))) AS customer_key,
          multiIf(customer_kind = 2, {originCountry:Array(String)}[origin],
                  customer_kind = 1 AND cityHash64(number, 'home') % 10 < 9, {country:String},
                  '') AS customer_home_country,
          cityHash64(number, 'pay') / 18446744073709551616.0 AS pay,
          -- Payment: cash and cards for unknown customers, QR wallets for mainland tourists, the transit
          -- card on the metro, and phone wallets or cards otherwise.
          multiIf(
            customer_kind = 0, if(pay < 0.55, ('cash', ''), ('card', '')),
            customer_home_country = 'CN' AND customer_kind = 2,
              multiIf(pay < 0.5, ('qr', 'alipay'), pay < 0.85, ('qr', 'wechat_pay'), ('card', '')),
            k = {transitKind:UInt8},
              multiIf(pay < 0.65, ('transit', 'octopus'), pay < 0.8, ('nfc', 'apple_pay'),
                      pay < 0.95, ('nfc', 'google_pay'), ('cash', '')),
            multiIf(pay < 0.4, ('card', ''), pay < 0.67, ('nfc', 'apple_pay'),
                    pay < 0.85, ('nfc', 'google_pay'), ('cash', ''))) AS payment,
          arrayFirstIndex(c -> c > cityHash64(number, 'lines') / 18446744073709551616.0,
            {basketLines:Array(Array(Float64))}[k]) AS basket_lines
        FROM (
          SELECT
            number,
            {storeSlots:Array(UInt16)}[1 + cityHash64(number, 'store') % length({storeSlots:Array(UInt16)})] AS s,
            {storeKind:Array(UInt8)}[s] AS k,
            cityHash64(number, 'who') / 18446744073709551616.0 AS who,
            multiIf(who < {anonymous:Array(Float64)}[k], 0,
                    who < {anonymous:Array(Float64)}[k] + (1 - {anonymous:Array(Float64)}[k]) * {touristShare:Float64}, 2,
                    1) AS customer_kind,
            {originSlots:Array(UInt16)}[1 + cityHash64(number, 'origin') % length({originSlots:Array(UInt16)})] AS origin,
            cityHash64(number, 'tourist') % {originPool:Array(UInt32)}[origin] AS tourist,
            cityHash64(number, 'local') % if(cityHash64(number, 'regular') / 18446744073709551616.0
              < {regularShare:Float64}, {regularPool:UInt32}, {localPool:UInt32}) AS local,
            -- A tourist's visits fall within their stay of 3-10 days; locals come any day, lapsed regulars
            -- only before their lapse day.
            if(customer_kind = 2,
               cityHash64({city:String}, origin, tourist, 'arrives') % ({days:UInt16} - 9)
                 + cityHash64(number, 'stay') % (3 + cityHash64({city:String}, origin, tourist, 'stays') % 8),
               cityHash64(number, 'day') % if(customer_kind = 1 AND local < {regularPool:UInt32} AND local % 3 = 0,
                 {lapseMargin:UInt16} + cityHash64({city:String}, local, 'lapse') % ({days:UInt16} - 2 * {lapseMargin:UInt16}),
                 {days:UInt16})) AS day,
            toDate({firstDay:String}) + day AS date,
            {storeOpens:Array(UInt16)}[s]
              + cityHash64(number, 'minute') % ({storeCloses:Array(UInt16)}[s] - {storeOpens:Array(UInt16)}[s]) AS minute,
            makeDateTime(toYear(date), toMonth(date), toDayOfMonth(date), intDiv(minute, 60), minute % 60,
              cityHash64(number, 'second') % 60, {tz:String}) AS wall,
            cityHash64(number, 'ms') % 1000 AS millis,
            toStartOfHour(toTimeZone(wall, 'UTC')) AS utc_hour,
            if(toDayOfWeek(date) >= 6, {weekendHours:Array(Array(Float64))}, {weekdayHours:Array(Array(Float64))})[k][intDiv(minute, 60) + 1]
              * {weekdays:Array(Array(Float64))}[k][toDayOfWeek(date)]
              * {months:Array(Array(Float64))}[k][toMonth(date)] AS demand
          FROM numbers({first:UInt64}, {candidates:UInt64})
        ) AS b
        LEFT JOIN (
          -- One row per hour even before the ReplacingMergeTree has merged a reloaded hour away.
          SELECT observed_at, argMax(condition, ingested_at) AS condition
          FROM weather_observations WHERE station_id = {station:String} GROUP BY observed_at
        ) AS w ON w.observed_at = b.utc_hour
        WHERE cityHash64(number, 'keep') / 18446744073709551616.0
          < demand * {weatherEffect:Array(Array(Float64))}[k][indexOf(['dry', 'rain', 'snow'], w.condition)]
            / {peakDemand:Array(Float64)}[k]
      )
      ARRAY JOIN range(1, basket_lines + 1) AS line_no
      ORDER BY number, line_no
      LIMIT {limit:UInt64}`,
    query_params: { ...params, ...range },
    clickhouse_settings: { log_comment: 'insertDemoTransactions' },
  })
  try {
    // On a cluster the rows must be in the shards before the caller counts them.
    await insertStagedTransactions(db, stage, stagedColumns, { insert_distributed_sync: 1 })
  } finally {
    await db.client.command({ query: `DROP TABLE IF EXISTS ${stage}` })
  }
}

/** The demo stage holds the transaction columns the pipeline's checked rows hold, plus the batch. */
const stagedColumns = [...Object.keys(transactionsKind.columns), 'batch_id']

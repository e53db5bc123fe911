import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveInsightsScope, type InsightsScope } from '../../server/queries/insightsScope.ts'
import { salesByWeather } from '../../server/queries/salesByWeather.ts'
import type { SalesSource } from '../../server/queries/salesSource.ts'
import { insertLines, type LineInput } from '../support/insightsFixture.ts'
import { createTestDb } from '../support/testDb.ts'
import { createWeatherSlotBuilds, type WeatherSlotBuilds } from '../../server/weather/weatherSlotBuilds.ts'

// Like-for-like neighbours around the New York DST changes of 2024 (docs/insights.md, Weather): spring
// forward on Sunday 10 March (02:00 EST -> 03:00 EDT), fall back on Sunday 3 November (01:00 twice).
let db: Awaited<ReturnType<typeof createTestDb>>
let builds: WeatherSlotBuilds

const store = (store_id: string, lat: number, lon: number) => ({
  merchant_id: 'dst',
  store_id,
  name: store_id,
  lat,
  lon,
  timezone: 'America/New_York',
  country: 'US',
  city: 'New York',
  currency: 'USD',
})

/** One sale at `utc` ('YYYY-MM-DD HH:MM'), whose New York wall clock is `local`. */
const sale = (storeId: string, utc: string, local: string, amount: string): LineInput => ({
  merchant: 'dst',
  store: storeId,
  tx: `${storeId} ${utc}`,
  at: `${utc}:00`,
  local: `${local}:00`,
  product: 'latte',
  qty: '1',
  amount,
})

const observation = (observed_at: string, precipitation_mm: number, snowfall_cm: number) => ({
  station_id: 'NYC',
  lat: 40.7789,
  lon: -73.9692,
  observed_at: `${observed_at}:00:00`,
  temperature_c: snowfall_cm > 0 ? -2 : 8,
  precipitation_mm,
  snowfall_cm,
  condition: '',
  batch_id: 'w',
})

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    // ny2 shares ny1's station, wall clock and weekday hours: its sales must never be ny1's neighbours.
    values: [store('ny1', 40.7128, -74.006), store('ny2', 40.73, -73.99)],
  })
  await db.client.insert({
    table: 'merchants',
    format: 'JSONEachRow',
    values: [{ merchant_id: 'dst', name: 'Dst', currency: 'USD', timezone: 'America/New_York' }],
  })
  await insertLines(db, [
    // Spring forward. Sundays at 03:00 local: EST (08:00 UTC) before 10 March, EDT (07:00 UTC) from it.
    sale('ny1', '2024-02-18 08:30', '2024-02-18 03:30', '1000.00'), // 21 days before: not a neighbour
    sale('ny1', '2024-02-25 08:30', '2024-02-25 03:30', '20.00'),
    sale('ny1', '2024-03-03 08:30', '2024-03-03 03:30', '30.00'),
    sale('ny1', '2024-03-10 07:30', '2024-03-10 03:30', '50.00'),
    sale('ny1', '2024-03-17 07:30', '2024-03-17 03:30', '50.00'),
    sale('ny1', '2024-03-24 07:30', '2024-03-24 03:30', '60.00'),
    // 04:00 local on 10 March is 08:00 UTC, a week after 3 March 08:00 UTC (03:00 local): not alike.
    sale('ny1', '2024-03-10 08:30', '2024-03-10 04:30', '100.00'),
    // Sundays at 01:00 local: 06:00 UTC, then 05:00 UTC after the change.
    sale('ny1', '2024-03-03 06:30', '2024-03-03 01:30', '20.00'),
    sale('ny1', '2024-03-10 06:30', '2024-03-10 01:30', '10.00'),
    sale('ny1', '2024-03-17 05:30', '2024-03-17 01:30', '30.00'),
    sale('ny2', '2024-03-03 08:30', '2024-03-03 03:30', '1000.00'),
    // Fall back. Sundays at 01:00 local: EDT (05:00 UTC) until the first 01:00 of 3 November, EST
    // (06:00 UTC) from its second 01:00 on.
    sale('ny1', '2024-10-13 05:30', '2024-10-13 01:30', '1000.00'), // 21 days before: not a neighbour
    sale('ny1', '2024-10-20 05:30', '2024-10-20 01:30', '100.00'),
    sale('ny1', '2024-10-27 05:30', '2024-10-27 01:30', '80.00'),
    sale('ny1', '2024-11-03 05:30', '2024-11-03 01:30', '60.00'),
    sale('ny1', '2024-11-03 06:30', '2024-11-03 01:30', '30.00'),
    sale('ny1', '2024-11-10 06:30', '2024-11-10 01:30', '90.00'),
    sale('ny1', '2024-11-17 06:30', '2024-11-17 01:30', '50.00'),
    sale('ny1', '2024-11-24 06:30', '2024-11-24 01:30', '1000.00'), // 21 days after: not a neighbour
    sale('ny2', '2024-11-10 06:30', '2024-11-10 01:30', '1000.00'),
  ])
  // Only the report days' hours are observed: neighbours count whatever their weather (or none).
  await db.client.insert({
    table: 'weather_observations',
    format: 'JSONEachRow',
    values: [
      observation('2024-03-03 06', 1, 1), // snow
      observation('2024-03-03 08', 0, 0), // dry
      observation('2024-03-10 06', 1, 1), // snow
      observation('2024-03-10 07', 0, 0), // dry
      observation('2024-03-10 08', 2, 0), // rain
      observation('2024-11-03 05', 2, 0), // rain
      observation('2024-11-03 06', 0, 0), // dry
    ],
  })
  builds = createWeatherSlotBuilds(db, { quietMs: 60_000 })
  await builds.refresh()
})
afterAll(async () => {
  await builds.close()
  await db.cleanup()
})

/** A source forced, or the kept slots (server/weather/weatherSlotBuilds.ts), which must be read. */
type Way = SalesSource | 'keptSlots'
async function weather(scope: InsightsScope, way: Way) {
  const result = await salesByWeather(
    db,
    scope,
    way === 'keptSlots' ? { by: 'condition', slots: builds } : { by: 'condition', source: way },
  )
  expect(result.keptSlots).toBe(way === 'keptSlots')
  return result.rows
}

const byCondition = async (day: string, source: Way) =>
  weather(await resolveInsightsScope(db, 'dst', { from: day, to: day }, { rangeDays: 1100 }), source)

describe.each(['storeRollup', 'raw', 'keptSlots'] as const)('like-for-like neighbours (%s)', (source) => {
  it('finds them by local weekday and hour across the spring-forward change, 7 and 14 days away', async () => {
    expect(await byCondition('2024-03-10', source)).toEqual([
      // 03:00: (20 + 30 + 50 + 60) / 4 = 40 expected; 50 / 40.
      { bucket: 'dry', openHours: 1, quantity: 1, revenue: 50, revenuePerHour: 50, lift: 1.25, liftHours: 1 },
      // 04:00: no Sunday 04:00 within 14 days.
      {
        bucket: 'rain',
        openHours: 1,
        quantity: 1,
        revenue: 100,
        revenuePerHour: 100,
        lift: null,
        liftHours: 0,
      },
      // 01:00: (20 + 30) / 2 = 25 expected; 10 / 25.
      { bucket: 'snow', openHours: 1, quantity: 1, revenue: 10, revenuePerHour: 10, lift: 0.4, liftHours: 1 },
    ])
  })

  it('counts the twin of the repeated fall-back hour as a neighbour of each', async () => {
    expect(await byCondition('2024-11-03', source)).toEqual([
      // Second 01:00: (100 + 80 + 60 + 90 + 50) / 5 = 76 expected; 30 / 76.
      {
        bucket: 'dry',
        openHours: 1,
        quantity: 1,
        revenue: 30,
        revenuePerHour: 30,
        lift: 0.3947,
        liftHours: 1,
      },
      // First 01:00: (100 + 80 + 30 + 90 + 50) / 5 = 70 expected; 60 / 70.
      {
        bucket: 'rain',
        openHours: 1,
        quantity: 1,
        revenue: 60,
        revenuePerHour: 60,
        lift: 0.8571,
        liftHours: 1,
      },
    ])
  })

  it('reaches 14 days beyond either end of the report range', async () => {
    // 3..10 March, store ny1: the 3 March slots reach back to 18 February, the 10 March ones to 24 March.
    const scope = await resolveInsightsScope(
      db,
      'dst',
      { from: '2024-03-03', to: '2024-03-10', store: ['ny1'] },
      { rangeDays: 1100 },
    )
    expect(await weather(scope, source)).toEqual([
      // 3 March 03:00: (1000 + 20 + 50 + 50) / 4 = 280 expected; 10 March 03:00: 40. (30 + 50) / 320.
      { bucket: 'dry', openHours: 2, quantity: 2, revenue: 80, revenuePerHour: 40, lift: 0.25, liftHours: 2 },
      {
        bucket: 'rain',
        openHours: 1,
        quantity: 1,
        revenue: 100,
        revenuePerHour: 100,
        lift: null,
        liftHours: 0,
      },
      // 3 March 01:00: (10 + 30) / 2 = 20 expected; 10 March 01:00: 25. (20 + 10) / 45.
      {
        bucket: 'snow',
        openHours: 2,
        quantity: 2,
        revenue: 30,
        revenuePerHour: 15,
        lift: 0.6667,
        liftHours: 2,
      },
    ])
  })
})

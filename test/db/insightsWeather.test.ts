import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveInsightsScope } from '../../server/queries/insightsScope.ts'
import { salesByWeather } from '../../server/queries/salesByWeather.ts'
import { createWeatherSlotBuilds } from '../../server/weather/weatherSlotBuilds.ts'
import { insertLines, type LineInput } from '../support/insightsFixture.ts'
import { startTestApp, type TestApp } from '../support/testApp.ts'
import { createTestDb } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
let app: TestApp
let admin: string

const store = (merchant_id: string, store_id: string, lat: number, lon: number, timezone: string) => ({
  merchant_id,
  store_id,
  name: store_id,
  lat,
  lon,
  timezone,
  country: 'US',
  city: '',
  currency: 'USD',
})

/** One sale of `amount` in the store's Monday 09:00 (EST) slot of the given day, or another hour. */
const sale = (tx: string, day: string, amount: string, utcHour = 14): LineInput => ({
  merchant: 'wx',
  store: 'w1',
  tx,
  at: `${day} ${utcHour}:10:00`,
  local: `${day} ${String(utcHour - 5).padStart(2, '0')}:10:00`,
  product: 'latte',
  qty: '1',
  amount,
})

const observation = (
  station_id: string,
  observed_at: string,
  temperature_c: number,
  precipitation_mm: number,
  snowfall_cm: number,
  condition: string,
) => {
  const [lat, lon] = station_id === 'NYC' ? [40.7789, -73.9692] : [42.3601, -71.0589]
  return {
    station_id,
    lat,
    lon,
    observed_at,
    temperature_c,
    precipitation_mm,
    snowfall_cm,
    condition,
    batch_id: 'w',
  }
}

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: [
      store('wx', 'w1', 40.7128, -74.006, 'America/New_York'),
      // Los Angeles: no station within 50 km, so its sales stay out and the notice names it.
      store('wx', 'w2', 34.05, -118.24, 'America/Los_Angeles'),
      store('far', 'f1', 34.05, -118.24, 'America/Los_Angeles'),
    ],
  })
  await db.client.insert({
    table: 'merchants',
    format: 'JSONEachRow',
    values: [{ merchant_id: 'wx', name: 'Wx', currency: 'USD', timezone: 'America/New_York' }],
  })
  // Mondays of January 2024 at 09:00 EST (14:00 UTC), plus one 10:00 slot that has no neighbours.
  await insertLines(db, [
    sale('a1', '2024-01-01', '60.00'),
    { ...sale('a2', '2024-01-01', '40.00'), customer: 'k' },
    sale('b1', '2024-01-08', '80.00'),
    sale('c1', '2024-01-15', '120.00'),
    sale('d1', '2024-01-22', '60.00'),
    sale('e1', '2024-01-08', '50.00', 15),
    { ...sale('x1', '2024-01-09', '10.00'), status: 'refunded' },
    {
      merchant: 'far',
      store: 'f1',
      tx: 'f',
      at: '2024-01-08 20:00:00',
      local: '2024-01-08 12:00:00',
      product: 'latte',
      qty: '1',
      amount: '5.00',
    },
  ])
  await db.client.insert({
    table: 'weather_observations',
    format: 'JSONEachRow',
    values: [
      // Stored condition text disagrees on purpose: buckets come from the numbers.
      observation('NYC', '2024-01-01 14:00:00', 2.0, 0, 0, 'rain'),
      observation('NYC', '2024-01-08 14:00:00', -3.0, 0.1, 0, 'clear'),
      observation('NYC', '2024-01-08 15:00:00', 5.0, 0.05, 0, 'rain'),
      observation('NYC', '2024-01-15 14:00:00', 4.9, 0, 0, ''),
      observation('NYC', '2024-01-22 14:00:00', -7.5, 0.5, 0.5, ''),
      // Boston is more than 50 km away: never the NYC store's station.
      observation('BOS', '2024-01-01 14:00:00', 20, 9, 3, 'snow'),
      observation('BOS', '2024-01-15 14:00:00', 20, 9, 3, 'snow'),
    ],
  })
  app = await startTestApp(db)
  admin = await app.key({ role: 'admin' })
})
afterAll(async () => {
  await app.close()
  await db.cleanup()
})

const get = (path: string, key = admin) => app.call(`/api/v1/merchants/${path}`, { key })

describe('sales by weather', () => {
  it('buckets open hours by computed condition with like-for-like lift', async () => {
    const res = await get('wx/sales/by-weather?from=2024-01-01&to=2024-01-22')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      merchantId: 'wx',
      from: '2024-01-01',
      to: '2024-01-22',
      timezone: 'America/New_York',
      currency: 'USD',
      by: 'condition',
      notice: 'no weather station within 50 km of store w2; its sales are left out',
      rows: [
        // expected: 1 Jan (8 and 15 Jan) = 100, 15 Jan (1, 8, 22 Jan) = 80 -> 220 / 180
        {
          bucket: 'dry',
          openHours: 3,
          quantity: 4,
          revenue: 270,
          revenuePerHour: 90,
          lift: 1.2222,
          liftHours: 2,
        },
        // 8 Jan: expected (100 + 120 + 60) / 3
        {
          bucket: 'rain',
          openHours: 1,
          quantity: 1,
          revenue: 80,
          revenuePerHour: 80,
          lift: 0.8571,
          liftHours: 1,
        },
        {
          bucket: 'snow',
          openHours: 1,
          quantity: 1,
          revenue: 60,
          revenuePerHour: 60,
          lift: 0.6,
          liftHours: 1,
        },
      ],
    })
  })

  it('buckets by 5 °C temperature bands labelled by their lower bound', async () => {
    const res = await get('wx/sales/by-weather?from=2024-01-01&to=2024-01-22&by=temperature&store=w1')
    expect(res.body).toMatchObject({ notice: null, timezone: 'America/New_York' })
    expect((res.body as { rows: unknown[] }).rows).toEqual([
      { bucket: '-10', openHours: 1, quantity: 1, revenue: 60, revenuePerHour: 60, lift: 0.6, liftHours: 1 },
      {
        bucket: '-5',
        openHours: 1,
        quantity: 1,
        revenue: 80,
        revenuePerHour: 80,
        lift: 0.8571,
        liftHours: 1,
      },
      {
        bucket: '0',
        openHours: 2,
        quantity: 3,
        revenue: 220,
        revenuePerHour: 110,
        lift: 1.2222,
        liftHours: 2,
      },
      { bucket: '5', openHours: 1, quantity: 1, revenue: 50, revenuePerHour: 50, lift: null, liftHours: 0 },
    ])
  })

  it('takes neighbours from outside the range and compares with the previous period', async () => {
    const res = await get('wx/sales/by-weather?from=2024-01-08&to=2024-01-15&compare=previous_period')
    expect(res.body).toMatchObject({
      rows: [
        { bucket: 'dry', openHours: 2, revenue: 170, revenuePerHour: 85, lift: 1.5, liftHours: 1 },
        { bucket: 'rain', openHours: 1, revenue: 80, lift: 0.8571, liftHours: 1 },
      ],
      comparison: {
        from: '2023-12-31',
        to: '2024-01-07',
        rows: [{ bucket: 'dry', openHours: 1, revenue: 100, lift: 1, liftHours: 1 }],
      },
    })
  })

  it('answers the same from the rollup and from the raw lines', async () => {
    const scope = await resolveInsightsScope(
      db,
      'wx',
      { from: '2024-01-01', to: '2024-01-31' },
      { rangeDays: 1100 },
    )
    const builds = createWeatherSlotBuilds(db, { quietMs: 60_000 })
    await builds.refresh()
    for (const by of ['condition', 'temperature'] as const) {
      const raw = await salesByWeather(db, scope, { by, source: 'raw' })
      expect(raw.rows.length).toBeGreaterThan(1)
      expect(await salesByWeather(db, scope, { by, source: 'storeRollup' })).toEqual(raw)
      // And from a kept build of the slots (weatherSlotBuilds.ts).
      expect(await salesByWeather(db, scope, { by, slots: builds })).toEqual({ ...raw, keptSlots: true })
    }
    await builds.close()
  })

  it('answers an empty breakdown with a notice when no station is within 50 km', async () => {
    const res = await get('far/sales/by-weather?from=2024-01-01&to=2024-01-31')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ rows: [], notice: 'no weather station within 50 km of any store' })
  })

  it('is open to the merchant and marketer of the merchant only', async () => {
    const own = await app.key({ role: 'merchant', merchantId: 'wx' })
    const other = await app.key({ role: 'merchant', merchantId: 'far' })
    const marketer = await app.key({ role: 'marketer', merchantIds: ['wx'] })
    const query = 'wx/sales/by-weather?from=2024-01-01&to=2024-01-22'
    const dry = {
      bucket: 'dry',
      openHours: 3,
      quantity: 4,
      revenue: 270,
      revenuePerHour: 90,
      lift: 1.2222,
      liftHours: 2,
    }
    expect((await get(query, own)).body).toMatchObject({ rows: expect.arrayContaining([dry]) })
    expect((await get(query, marketer)).body).toMatchObject({ rows: expect.arrayContaining([dry]) })
    expect((await get(query, other)).status).toBe(404)
  })

  it('takes the newest load of an observation, before and after the loads are merged', async () => {
    const scope = await resolveInsightsScope(
      db,
      'wx',
      { from: '2024-01-22', to: '2024-01-22', store: ['w1'] },
      { rangeDays: 1100 },
    )
    const buckets = async () =>
      (await salesByWeather(db, scope, { by: 'condition' })).rows.map((r) => r.bucket)
    expect(await buckets()).toEqual(['snow'])
    // Reloaded corrected (dry), then an older load arriving late (rain): the newest ingested_at wins.
    await db.client.insert({
      table: 'weather_observations',
      format: 'JSONEachRow',
      values: [
        { ...observation('NYC', '2024-01-22 14:00:00', 1, 0, 0, ''), ingested_at: '2030-01-01 00:00:00' },
      ],
    })
    await db.client.insert({
      table: 'weather_observations',
      format: 'JSONEachRow',
      values: [
        { ...observation('NYC', '2024-01-22 14:00:00', 1, 3, 0, ''), ingested_at: '2029-01-01 00:00:00' },
      ],
    })
    expect(await buckets()).toEqual(['dry'])
    await db.client.command({ query: 'OPTIMIZE TABLE weather_observations FINAL' })
    expect(await buckets()).toEqual(['dry'])
  })
})

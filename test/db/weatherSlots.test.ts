import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../server/db/createDb.ts'
import { dataVersion } from '../../server/queries/dataVersion.ts'
import { resolveInsightsScope } from '../../server/queries/insightsScope.ts'
import { salesByWeather, type SalesByWeatherParams } from '../../server/queries/salesByWeather.ts'
import {
  buildWeatherSlots,
  dropAllWeatherSlots,
  dropWeatherSlots,
} from '../../server/queries/weatherSlots.ts'
import { offsetAt } from '../../server/wallet/storeClock.ts'
import { createWeatherSlotBuilds, type WeatherSlotBuilds } from '../../server/weather/weatherSlotBuilds.ts'
import { seededRandom } from '../../pipelines/bench/seededRandom.ts'
import { insertLines, type LineInput } from '../support/insightsFixture.ts'
import { createTestDb, rows } from '../support/testDb.ts'

// Sales by weather read from kept builds of the slots (server/weather/weatherSlotBuilds.ts) must answer
// exactly what the computed slots answer, and only while the rollup is what the build was made from.
let db: Awaited<ReturnType<typeof createTestDb>>
let builds: WeatherSlotBuilds

const sqlTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ')

const stores = [
  { store_id: 'ny', lat: 40.7128, lon: -74.006, timezone: 'America/New_York', station: 'NYC' },
  { store_id: 'pa', lat: 48.8566, lon: 2.3522, timezone: 'Europe/Paris', station: 'PAR' },
  { store_id: 'sy', lat: -33.8688, lon: 151.2093, timezone: 'Australia/Sydney', station: 'SYD' },
]
const stationAt = { NYC: [40.78, -73.97], PAR: [48.82, 2.33], SYD: [-33.86, 151.2] } as const

/** A stores row of `merchant` for store `s`, wherever it stands. */
const storeRow = (merchant: string, s: Omit<(typeof stores)[number], 'station'>) => ({
  ...s,
  merchant_id: merchant,
  name: s.store_id,
  country: 'US',
  city: s.store_id,
  currency: 'USD',
})

/** One observation of `station` at the hour `at`, loaded by batch `batch`. */
function observation(
  station: keyof typeof stationAt,
  at: string,
  weather: { temperature_c: number; precipitation_mm: number; snowfall_cm: number },
  batch: string,
) {
  const [lat, lon] = stationAt[station]
  return { station_id: station, lat, lon, observed_at: at, ...weather, condition: '', batch_id: batch }
}

// Two months over the spring changes of New York (10 March), Paris (31 March) and Sydney (7 April).
const first = Date.UTC(2024, 1, 10)
const last = Date.UTC(2024, 3, 20)

function lines(merchant: string, seed: number, currency = 'USD'): LineInput[] {
  const random = seededRandom(seed)
  const out: LineInput[] = []
  for (const s of stores)
    for (let at = first; at < last; at += 3_600_000) {
      if (random() > 0.35) continue
      const count = 1 + Math.floor(random() * 3)
      for (let i = 0; i < count; i++) {
        const instant = at + Math.floor(random() * 3_600_000)
        out.push({
          merchant,
          store: s.store_id,
          tx: `${s.store_id}-${instant}-${i}`,
          at: sqlTime(instant),
          local: sqlTime(instant + offsetAt(s.timezone, instant)),
          product: `p${i}`,
          qty: String(1 + Math.floor(random() * 3)),
          amount: (1 + Math.floor(random() * 9000) / 100).toFixed(2),
          currency,
        })
      }
    }
  return out
}

beforeAll(async () => {
  db = await createTestDb()
  for (const merchant of ['ws', 'fx'])
    await db.client.insert({
      table: 'stores',
      format: 'JSONEachRow',
      values: stores.map(({ station: _s, ...s }) => storeRow(merchant, s)),
    })
  await db.client.insert({
    table: 'merchants',
    format: 'JSONEachRow',
    values: [
      { merchant_id: 'ws', name: 'Ws', currency: 'USD', timezone: 'America/New_York' },
      { merchant_id: 'fx', name: 'Fx', currency: 'USD', timezone: 'America/New_York' },
    ],
  })
  await insertLines(db, lines('ws', 7))
  await insertLines(db, lines('fx', 8, 'EUR'))
  const random = seededRandom(11)
  const observations = []
  for (const station of Object.keys(stationAt) as (keyof typeof stationAt)[])
    for (let at = first; at < last; at += 3_600_000) {
      if (random() < 0.05) continue // an hour without an observation
      const wet = random()
      observations.push(
        observation(
          station,
          sqlTime(at),
          {
            temperature_c: Math.round((random() * 30 - 8) * 10) / 10,
            precipitation_mm: wet > 0.7 ? Math.round(random() * 50) / 10 : 0,
            snowfall_cm: wet > 0.93 ? 1 : 0,
          },
          'w',
        ),
      )
    }
  await db.client.insert({ table: 'weather_observations', format: 'JSONEachRow', values: observations })
  await db.client.insert({
    table: 'fx_rates',
    format: 'JSONEachRow',
    values: Array.from({ length: 80 }, (_, d) => ({
      date: sqlTime(first + d * 86_400_000).slice(0, 10),
      base: 'EUR',
      quote: 'USD',
      rate: (1.05 + (d % 7) / 100).toFixed(4),
      batch_id: 'f',
    })),
  })
  builds = createWeatherSlotBuilds(db, { quietMs: 0 })
  await builds.refresh()
})
afterAll(async () => {
  await builds.close()
  await db.cleanup()
})

const partitions = async () =>
  (
    await rows<{ build: string }>(
      db,
      `SELECT DISTINCT toString(build) AS build FROM weather_slots ORDER BY build`,
    )
  ).map((r) => r.build)

type Query = { from: string; to: string; tz?: string; store?: string[]; currency?: string }

async function both(merchant: string, query: Query, by: SalesByWeatherParams['by'], slots = builds) {
  const scope = await resolveInsightsScope(db, merchant, query, { rangeDays: 1100 })
  const computed = await salesByWeather(db, scope, { by })
  const kept = await salesByWeather(db, scope, { by, slots })
  return { computed, kept }
}

const questions: [string, Query][] = [
  ['the stores in New York time (the merchant zone)', { from: '2024-03-01', to: '2024-03-31' }],
  ['each store on its own clock', { from: '2024-03-01', to: '2024-03-31', tz: 'local' }],
  ['in Paris time, across both spring changes', { from: '2024-03-05', to: '2024-04-02', tz: 'Europe/Paris' }],
  ['in Kiritimati time (UTC+14)', { from: '2024-03-20', to: '2024-04-10', tz: 'Pacific/Kiritimati' }],
  ['one store on its own clock', { from: '2024-03-25', to: '2024-04-08', tz: 'local', store: ['sy'] }],
  ['the first days of the data', { from: '2024-02-10', to: '2024-02-14', tz: 'local' }],
  ['one day', { from: '2024-03-10', to: '2024-03-10' }],
]

describe('sales by weather from kept slots', () => {
  for (const by of ['condition', 'temperature'] as const)
    it.each(questions)(`answers as the computed slots by ${by}: %s`, async (_name, query) => {
      const { computed, kept } = await both('ws', query, by)
      expect(computed.rows.length).toBeGreaterThan(1)
      expect(kept.keptSlots).toBe(true)
      expect(computed.keptSlots).toBe(false)
      expect(kept).toEqual({ ...computed, keptSlots: true })
    })

  it('computes when the report zone is not whole hours off UTC, or when sales need converting', async () => {
    const india = await both('ws', { from: '2024-03-01', to: '2024-03-31', tz: 'Asia/Kolkata' }, 'condition')
    expect(india.kept.keptSlots).toBe(false)
    expect(india.kept).toEqual(india.computed)
    const euros = await both('fx', { from: '2024-03-01', to: '2024-03-31' }, 'condition')
    expect(euros.computed.rows.length).toBeGreaterThan(1)
    expect(euros.kept.keptSlots).toBe(false)
    expect(euros.kept).toEqual(euros.computed)
  })

  it('is not read once new lines change the rollup, and answers again after the next build', async () => {
    const query: Query = { from: '2024-03-01', to: '2024-03-31', tz: 'local' }
    // The late line's hour is observed (a few hours are not).
    await db.client.insert({
      table: 'weather_observations',
      format: 'JSONEachRow',
      values: [
        observation(
          'NYC',
          '2024-03-12 15:00:00',
          { temperature_c: 9, precipitation_mm: 0, snowfall_cm: 0 },
          'late',
        ),
      ],
    })
    // New weather changes the buckets: the build is not read until the next one.
    const newWeather = await both('ws', query, 'condition')
    expect(newWeather.kept.keptSlots).toBe(false)
    expect(newWeather.kept).toEqual(newWeather.computed)
    await builds.refresh()
    const before = await both('ws', query, 'condition')
    expect(before.kept).toEqual({ ...before.computed, keptSlots: true })
    // A late line in New York, and one of another merchant: either changes the rollup.
    await insertLines(db, [
      {
        merchant: 'ws',
        store: 'ny',
        tx: 'late',
        at: '2024-03-12 15:10:00',
        local: '2024-03-12 11:10:00',
        product: 'p0',
        qty: '1',
        amount: '5000.00',
      },
    ])
    const stale = await both('ws', query, 'condition')
    expect(stale.kept.keptSlots).toBe(false)
    expect(stale.kept).toEqual(stale.computed)
    expect(stale.computed.rows).not.toEqual(before.computed.rows)
    await builds.refresh()
    const fresh = await both('ws', query, 'condition')
    expect(fresh.kept).toEqual({ ...stale.computed, keptSlots: true })
  })

  it("takes a reader's data version for the build's sources while it is the one read with them, and looks again after new lines", async () => {
    let looks = 0
    const counting: Db = {
      ...db,
      client: new Proxy(db.client, {
        get(target, prop, receiver) {
          if (prop !== 'query') return Reflect.get(target, prop, receiver) as unknown
          return (args: Parameters<Db['client']['query']>[0]) => {
            if (args.clickhouse_settings?.log_comment === 'weatherSlots.sourceVersion') looks++
            return target.query(args)
          }
        },
      }),
    }
    const reading = createWeatherSlotBuilds(counting, { quietMs: 60_000 })
    await reading.refresh()
    await reading.close()
    const version = await dataVersion(db)
    looks = 0
    for (let i = 0; i < 3; i++) {
      const lease = await reading.lease(version)
      expect(lease).toBeDefined()
      lease?.release()
    }
    expect(looks).toBe(1)
    await insertLines(db, [
      {
        merchant: 'ws',
        store: 'pa',
        tx: 'after-version',
        at: '2024-03-12 16:10:00',
        local: '2024-03-12 17:10:00',
        product: 'p0',
        qty: '1',
        amount: '2.00',
      },
    ])
    // A reader that read the version before the line was stored still gets the build of what it read.
    const earlier = await reading.lease(version)
    expect(earlier).toBeDefined()
    earlier?.release()
    expect(await reading.lease(await dataVersion(db))).toBeUndefined()
    expect(await reading.lease()).toBeUndefined()
    expect(looks).toBe(3)
    // Leave one current build, as the other tests expect.
    if (earlier) await dropWeatherSlots(db, earlier.build)
    await builds.refresh()
  })

  it('drops a build the rollup changed under, and a replaced build once its last reader let go', async () => {
    // Lines arrive while the build reads: the build is not a picture of any one state.
    let line = 0
    const racing: Db = {
      ...db,
      client: new Proxy(db.client, {
        get(target, prop, receiver) {
          if (prop !== 'command') return Reflect.get(target, prop, receiver) as unknown
          return async (args: Parameters<Db['client']['command']>[0]) => {
            const result = await target.command(args)
            if (args.clickhouse_settings?.log_comment === 'buildWeatherSlots' && line++ === 0)
              await insertLines(db, [
                {
                  merchant: 'ws',
                  store: 'pa',
                  tx: 'during',
                  at: '2024-03-12 15:10:00',
                  local: '2024-03-12 16:10:00',
                  product: 'p0',
                  qty: '1',
                  amount: '1.00',
                },
              ])
            return result
          }
        },
      }),
    }
    const racingBuilds = createWeatherSlotBuilds(racing, { quietMs: 60_000 })
    const held = await builds.lease()
    expect(held).toBeDefined()
    await racingBuilds.refresh()
    // Closed first: a lease finding nothing current would schedule another build.
    await racingBuilds.close()
    expect(await racingBuilds.lease()).toBeUndefined()
    expect(await partitions()).toEqual([held?.build])
    // The held build is stale now; the next build replaces it but keeps its rows until it is released.
    await builds.refresh()
    const next = await builds.lease()
    expect(next?.build).not.toBe(held?.build)
    expect((await partitions()).sort()).toEqual([held?.build, next?.build].sort())
    held?.release()
    next?.release()
    await expect.poll(partitions).toEqual([next?.build])
  })

  it('builds once the loads pause, never beside a running batch', async () => {
    const waiting = createWeatherSlotBuilds(db, { quietMs: 0 })
    waiting.ingestActivity.started()
    await insertLines(db, [
      {
        merchant: 'ws',
        store: 'sy',
        tx: 'paused',
        at: '2024-03-12 01:10:00',
        local: '2024-03-12 12:10:00',
        product: 'p0',
        qty: '1',
        amount: '3.00',
      },
    ])
    waiting.refreshAfterIngest()
    // Nothing current, and a reader's request for a build waits for the batch too.
    expect(await waiting.lease()).toBeUndefined()
    await new Promise((resolve) => setTimeout(resolve, 300))
    const during = await rows(
      db,
      "SELECT count() AS n FROM system.parts WHERE database = currentDatabase() AND table = 'weather_slots' AND active",
    )
    waiting.ingestActivity.ended()
    await expect
      .poll(async () => {
        const lease = await waiting.lease()
        lease?.release()
        return lease !== undefined
      })
      .toBe(true)
    const after = await rows(
      db,
      "SELECT count() AS n FROM system.parts WHERE database = currentDatabase() AND table = 'weather_slots' AND active",
    )
    expect(Number(after[0]?.n)).toBe(Number(during[0]?.n) + 1)
    await waiting.close()
  })

  it('tags slots with the newest observation of their hour and the station of the store where it is now', async () => {
    const query: Query = { from: '2024-03-01', to: '2024-03-31', tz: 'local' }
    await builds.refresh()
    const before = await both('ws', query, 'condition')
    expect(before.kept.keptSlots).toBe(true)
    // A corrected observation of an hour already observed (heavy snow), loaded later.
    await db.client.insert({
      table: 'weather_observations',
      format: 'JSONEachRow',
      values: [
        observation(
          'PAR',
          '2024-03-12 15:00:00',
          { temperature_c: -3, precipitation_mm: 0, snowfall_cm: 12 },
          'corrected',
        ),
      ],
    })
    await builds.refresh()
    const corrected = await both('ws', query, 'condition')
    expect(corrected.kept).toEqual({ ...corrected.computed, keptSlots: true })
    expect(corrected.computed.rows).not.toEqual(before.computed.rows)
    // The Sydney store moves out of reach of every station: its slots stay out, with the notice.
    await db.client.insert({
      table: 'stores',
      format: 'JSONEachRow',
      values: [storeRow('ws', { store_id: 'sy', lat: -31.95, lon: 115.86, timezone: 'Australia/Sydney' })],
    })
    const moved = await both('ws', query, 'condition')
    expect(moved.kept.keptSlots).toBe(false)
    await builds.refresh()
    const rebuilt = await both('ws', query, 'condition')
    expect(rebuilt.kept).toEqual({ ...rebuilt.computed, keptSlots: true })
    expect(rebuilt.computed.notice).toMatch(/store sy/)
  })

  // A restart of the process that owns an embedded store; elsewhere nothing is recorded (weatherSlotBuilds.ts).
  it('reads the last recorded build again after a restart while what it was built from is unchanged', async () => {
    const held = await builds.lease()
    held?.release()
    expect(held).toBeDefined()
    await buildWeatherSlots(db, '42') // a build a crash left unrecorded
    const restarted = createWeatherSlotBuilds(db, { quietMs: 60_000 })
    if (db.mode !== 'embedded') {
      // A server shared by processes: builds are never read by another process, nor dropped by one.
      expect(await restarted.adoptRecorded()).toBe(false)
      expect(await partitions()).toContain('42')
      return
    }
    expect(await restarted.adoptRecorded()).toBe(true)
    const lease = await restarted.lease()
    lease?.release()
    expect(lease?.build).toBe(held?.build)
    expect(await partitions()).toEqual([held?.build])
    await restarted.close()
    // A record whose rows are not all there is not read.
    await db.client.command({
      query: `ALTER TABLE weather_slots DELETE WHERE build = {build:UInt64} AND store_id = 'ny' SETTINGS mutations_sync = 2`,
      query_params: { build: held?.build },
    })
    const short = createWeatherSlotBuilds(db, { quietMs: 60_000 })
    expect(await short.adoptRecorded()).toBe(false)
    expect(await partitions()).toEqual([])
    await short.close()
    // Lines stored since the build: not read either.
    await builds.refresh()
    await insertLines(db, [
      {
        merchant: 'ws',
        store: 'ny',
        tx: 'after-restart',
        at: '2024-03-13 15:10:00',
        local: '2024-03-13 11:10:00',
        product: 'p0',
        qty: '1',
        amount: '7.00',
      },
    ])
    const later = createWeatherSlotBuilds(db, { quietMs: 60_000 })
    expect(await later.adoptRecorded()).toBe(false)
    expect(await partitions()).toEqual([])
    await later.close()
  })

  // Last: it drops every build, the shared manager's too (main.ts does this before any manager exists).
  it('never reads a build it did not finish itself, and drops leftovers at start', async () => {
    await buildWeatherSlots(db, '42')
    const restarted = createWeatherSlotBuilds(db, { quietMs: 60_000 })
    expect(await restarted.lease()).toBeUndefined()
    await restarted.close()
    await dropAllWeatherSlots(db)
    expect(await rows(db, 'SELECT count() AS n FROM weather_slots')).toEqual([{ n: 0 }])
  })
})

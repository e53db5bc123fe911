import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  demoCities,
  demoCurrencies,
  demoMerchants,
  demoPeriod,
  demoWeatherWindow,
} from '../../server/demo/demoCatalog.ts'
import { demoCityParams, insertDemoTransactions } from '../../server/demo/insertDemoTransactions.ts'
import { isStoreEmpty } from '../../server/demo/isStoreEmpty.ts'
import { loadDemoData } from '../../server/demo/loadDemoData.ts'
import { resolveInsightsScope } from '../../server/queries/insightsScope.ts'
import type { CustomerSource } from '../../server/queries/salesSource.ts'
import { summary } from '../../server/queries/summary.ts'
import { derivedTables } from '../../server/db/derivedTables.ts'
import { listOffers } from '../../server/queries/listOffers.ts'
import { offerPerformance } from '../../server/queries/offerPerformance.ts'
import { isHeldOut } from '../../server/wallet/holdout.ts'
import { createTestDb, rows } from '../support/testDb.ts'

const lines = 20_000
let db: Awaited<ReturnType<typeof createTestDb>>

beforeAll(async () => {
  db = await createTestDb()
  await loadDemoData(db, { lines })
})
afterAll(() => db.cleanup())

/** Order-independent fingerprint of every generated table, leaving out only ingested_at (load time). */
const fingerprint = async () =>
  rows(
    db,
    `SELECT
      (SELECT sum(cityHash64(merchant_id, store_id, transaction_id, line_no, occurred_at, local_at, product_id,
         product_name, category, product_type, quantity, unit_price, amount, currency, status, payment_method,
         wallet, customer_key, customer_home_country, store_country, captured_offline, batch_id))
       FROM transactions) AS transactions,
      (SELECT sum(cityHash64(station_id, lat, lon, observed_at, temperature_c, precipitation_mm, snowfall_cm,
         condition)) FROM weather_observations) AS weather,
      (SELECT sum(cityHash64(date, base, quote, rate)) FROM fx_rates) AS fx,
      (SELECT sum(cityHash64(merchant_id, store_id, name, lat, lon, timezone, country, city, currency))
       FROM stores) AS stores`,
  )

const emptyStore = async () => {
  for (const table of [
    'transactions',
    'merchants',
    'stores',
    'weather_observations',
    'fx_rates',
    'ingest_batches',
    // Rollups and customer numbers are derived from the lines: a reload rebuilds them.
    ...derivedTables,
  ]) {
    await db.client.command({ query: `TRUNCATE TABLE ${table}` })
  }
}

describe('loadDemoData', () => {
  it('loads exactly the requested number of lines and records the batch in the ledger', async () => {
    expect(
      await rows(
        db,
        `SELECT count() AS n, uniqExact(batch_id) AS batches, any(batch_id) AS batch FROM transactions`,
      ),
    ).toEqual([{ n: lines, batches: 1, batch: 'demo' }])
    expect(
      await rows(
        db,
        `SELECT scope, batch_id, kind, format, status, received, inserted, rejected FROM ingest_batches FINAL`,
      ),
    ).toEqual([
      {
        scope: '',
        batch_id: 'demo',
        kind: 'transactions',
        format: 'generated',
        status: 'done',
        received: lines,
        inserted: lines,
        rejected: 0,
      },
    ])
  })

  it('is deterministic: a reload into an emptied store gives identical rows', async () => {
    const first = await fingerprint()
    expect(await isStoreEmpty(db)).toBe(false)
    await emptyStore()
    expect(await isStoreEmpty(db)).toBe(true)
    await loadDemoData(db, { lines })
    expect(await fingerprint()).toEqual(first)
  })

  it('generates in several rounds when a round is capped, keeping counts and baskets whole', async () => {
    await emptyStore()
    await loadDemoData(db, { lines, linesPerRound: 2500 })
    expect(
      await rows(
        db,
        `SELECT count() AS n, uniqExact(merchant_id, transaction_id, line_no) AS distinct_lines,
                max(toUInt64(splitByChar('-', transaction_id)[3])) > 2 * 2500 AS later_rounds
         FROM transactions`,
      ),
    ).toEqual([{ n: lines, distinct_lines: lines, later_rounds: 1 }])
    await emptyStore()
    await loadDemoData(db, { lines })
  })

  it('has merchants with stores in three cities and time zones, and every sale at a known store', async () => {
    expect(
      await rows(
        db,
        `SELECT city, timezone, country, currency, count() AS stores FROM stores FINAL GROUP BY ALL ORDER BY city`,
      ),
    ).toEqual([
      { city: 'Hong Kong', timezone: 'Asia/Hong_Kong', country: 'HK', currency: 'HKD', stores: 9 },
      { city: 'New York', timezone: 'America/New_York', country: 'US', currency: 'USD', stores: 5 },
      { city: 'Paris', timezone: 'Europe/Paris', country: 'FR', currency: 'EUR', stores: 5 },
    ])
    expect(
      await rows(db, `SELECT merchant_id, currency, timezone FROM merchants FINAL ORDER BY merchant_id`),
    ).toEqual([
      { merchant_id: 'brewline', currency: 'USD', timezone: 'America/New_York' },
      { merchant_id: 'harbour-metro', currency: 'HKD', timezone: 'Asia/Hong_Kong' },
      { merchant_id: 'jade-garden', currency: 'HKD', timezone: 'Asia/Hong_Kong' },
      { merchant_id: 'maison-lumiere', currency: 'EUR', timezone: 'Europe/Paris' },
    ])
    expect(
      await rows(
        db,
        `SELECT count() AS orphans FROM transactions AS t
         LEFT ANTI JOIN (SELECT merchant_id, store_id, country, currency FROM stores FINAL) AS s
           ON s.merchant_id = t.merchant_id AND s.store_id = t.store_id
              AND s.country = t.store_country AND s.currency = t.currency`,
      ),
    ).toEqual([{ orphans: 0 }])
  })

  it.each(
    demoCities.map((c) => [c.timezone, c.id === 'nyc' ? [4, 5] : c.id === 'par' ? [-2, -1] : [-8]] as const),
  )('stores wall-clock local_at of the UTC instant in %s, across DST changes', async (tz, offsets) => {
    const [check] = await rows<{
      lines: number
      mismatches: number
      offsets: number[]
      first: string
      last: string
    }>(
      db,
      `SELECT count() AS lines,
              countIf(local_at != toDateTime(toString(toTimeZone(occurred_at, {tz:String})), 'UTC')) AS mismatches,
              arraySort(groupUniqArray(dateDiff('hour', local_at, toStartOfHour(occurred_at)))) AS offsets,
              toString(min(toDate(local_at))) AS first, toString(max(toDate(local_at))) AS last
       FROM transactions
       WHERE store_id IN (SELECT store_id FROM stores FINAL WHERE timezone = {tz:String})`,
      { tz },
    )
    expect(check!.lines).toBeGreaterThan(1000)
    expect(check!.mismatches).toBe(0)
    expect(check!.offsets).toEqual(offsets)
    expect(check!.first).toBe('2025-11-01')
    expect(check!.last).toBe('2026-10-31')
  })

  it('sells only between 05:00 and midnight local time', async () => {
    expect(await rows(db, `SELECT min(toHour(local_at)) AS earliest FROM transactions`)).toEqual([
      { earliest: 5 },
    ])
  })

  it('numbers each basket 1..n with 1 to 4 lines, at one instant and store', async () => {
    expect(
      await rows(
        db,
        `SELECT countIf(arraySort(nos) != range(1, length(nos) + 1)) AS gaps, min(length(nos)) AS smallest,
                max(length(nos)) AS largest, countIf(instants > 1 OR stores > 1) AS split
         FROM (SELECT merchant_id, transaction_id, groupArray(line_no) AS nos, uniqExact(occurred_at) AS instants,
                      uniqExact(store_id) AS stores
               FROM transactions GROUP BY merchant_id, transaction_id)`,
      ),
    ).toEqual([{ gaps: 0, smallest: 1, largest: 4, split: 0 }])
  })

  it('prices every line exactly: amount = quantity x unit_price', async () => {
    expect(
      await rows(
        db,
        `SELECT countIf(amount != quantity * unit_price) AS wrong, countIf(unit_price <= 0) AS free,
                countIf(quantity < 1) AS empty FROM transactions`,
      ),
    ).toEqual([{ wrong: 0, free: 0, empty: 0 }])
  })

  it('has locals, tourists, anonymous lines, pseudonymous keys, refunds and wallets', async () => {
    const [mix] = await rows(
      db,
      `SELECT countIf(customer_home_country != '' AND customer_home_country != store_country) > 0 AS tourists,
              countIf(customer_home_country = store_country) > 0 AS locals,
              countIf(customer_key = '') > 0 AS anonymous,
              countIf(customer_key != '' AND NOT match(customer_key, '^[0-9a-f]{32}$')) AS bad_keys,
              countIf(customer_key = '' AND customer_home_country != '') AS unknown_with_country,
              countIf(status != 'completed') / count() BETWEEN 0.01 AND 0.02 AS not_completed_1_to_2_percent,
              countIf(captured_offline) > 0 AS offline,
              arraySort(groupUniqArray(payment_method)) AS methods,
              countIf(wallet IN ('alipay', 'wechat_pay') AND customer_home_country != 'CN') AS qr_not_cn
       FROM transactions`,
    )
    expect(mix).toEqual({
      tourists: 1,
      locals: 1,
      anonymous: 1,
      bad_keys: 0,
      unknown_with_country: 0,
      not_completed_1_to_2_percent: 1,
      offline: 1,
      methods: ['card', 'cash', 'nfc', 'qr', 'transit'],
      qr_not_cn: 0,
    })
  })

  it('numbers each merchant’s customers 1..n, and the customer rollup counts them like the raw lines', async () => {
    expect(
      await rows(
        db,
        `SELECT merchant_id AS merchant, count() = max(customer_no) AND min(customer_no) = 1 AS dense,
                count() = uniqExact(customer_key) AS onePerKey
         FROM customer_numbers GROUP BY merchant HAVING NOT (dense AND onePerKey)`,
      ),
    ).toEqual([])
    expect(
      await rows(
        db,
        `SELECT countIf(t.customer_no != if(t.customer_key = '', 0, n.customer_no)) AS disagreeing,
                countIf(t.customer_key != '') > 0 AS known
         FROM transactions AS t
         LEFT JOIN customer_numbers AS n ON n.merchant_id = t.merchant_id AND n.customer_key = t.customer_key`,
      ),
    ).toEqual([{ disagreeing: 0, known: 1 }])
    for (const merchant of demoMerchants) {
      const scope = await resolveInsightsScope(
        db,
        merchant.id,
        { from: demoPeriod.firstDay, to: demoPeriod.lastDay },
        { rangeDays: 1100 },
      )
      const customers = async (customerSource: CustomerSource) =>
        (await summary(db, scope, { customerSource })).customers
      const raw = await customers('raw')
      expect(raw).toBeGreaterThan(0)
      expect(await customers('customerRollup')).toBe(raw)
    }
  })

  it('has weather for every hour of the year at one station per city, with conditions by the rule', async () => {
    expect(
      await rows(
        db,
        `SELECT station_id, count() AS hours, uniqExact(observed_at) AS distinct_hours,
                toString(min(observed_at)) AS first, toString(max(observed_at)) AS last,
                countIf(condition != multiIf(snowfall_cm > 0, 'snow', precipitation_mm >= 0.1, 'rain', 'dry')) AS bad,
                countIf(condition = 'rain') > 0 AS rain
         FROM weather_observations GROUP BY station_id ORDER BY station_id`,
      ),
    ).toEqual(
      ['demo-hkg', 'demo-nyc', 'demo-par'].map((station_id) => ({
        station_id,
        hours: demoWeatherWindow.hours,
        distinct_hours: demoWeatherWindow.hours,
        first: '2025-10-31 00:00:00',
        last: '2026-11-01 23:00:00',
        bad: 0,
        rain: 1,
      })),
    )
    expect(
      await rows(
        db,
        `SELECT station_id, countIf(condition = 'snow') > 0 AS snow FROM weather_observations GROUP BY station_id ORDER BY station_id`,
      ),
    ).toEqual([
      { station_id: 'demo-hkg', snow: 0 },
      { station_id: 'demo-nyc', snow: 1 },
      { station_id: 'demo-par', snow: 1 },
    ])
  })

  it('has an FX rate for every UTC date of a sale for every ordered pair of currencies', async () => {
    const pairs = await rows<{ base: string; quote: string; days: number; first: string; last: string }>(
      db,
      `SELECT base, quote, uniqExact(date) AS days, toString(min(date)) AS first, toString(max(date)) AS last
       FROM fx_rates GROUP BY base, quote`,
    )
    const codes = demoCurrencies.map((c) => c.code)
    expect(codes).toEqual(expect.arrayContaining(['USD', 'EUR', 'HKD', 'GBP', 'CNY', 'JPY']))
    expect(pairs).toHaveLength(codes.length * (codes.length - 1))
    for (const pair of pairs)
      expect(pair).toMatchObject({ days: 367, first: '2025-10-31', last: '2026-11-01' })
    const withoutRate = await rows(
      db,
      `SELECT DISTINCT t.currency AS currency, toString(toDate(t.occurred_at)) AS day FROM transactions AS t
       LEFT ANTI JOIN fx_rates AS r ON r.base = t.currency AND r.date = toDate(t.occurred_at)`,
    )
    expect(withoutRate).toEqual([])
    const [usdHkd] = await rows<{ low: number; high: number; roundTrip: number }>(
      db,
      `SELECT min(a.rate) AS low, max(a.rate) AS high, max(abs(a.rate * b.rate - 1)) < 0.000001 AS roundTrip
       FROM fx_rates AS a JOIN fx_rates AS b ON b.date = a.date AND b.base = a.quote AND b.quote = a.base
       WHERE a.base = 'USD' AND a.quote = 'HKD'`,
    )
    expect(usdHkd!.low).toBeGreaterThan(7.75)
    expect(usdHkd!.high).toBeLessThan(7.85)
    expect(usdHkd!.roundTrip).toBe(1)
  })

  it('plants offers for every merchant, a month of wallet traffic, and exposed customers who buy more', async () => {
    const offers = await listOffers(db, undefined, { threshold: 1 })
    expect([...new Set(offers.map((o) => o.merchantId))].sort()).toEqual(
      demoMerchants.map((m) => m.id).sort(),
    )
    const withTraffic = offers.filter((o) => o.impressions > 0)
    expect(withTraffic.map((o) => o.merchantId).sort()).toEqual(demoMerchants.map((m) => m.id).sort())
    expect(offers.find((o) => o.name === 'American visitors')?.segmentId).toMatch(/^seg_/)
    let exposed = [0, 0]
    let heldOut = [0, 0]
    for (const offer of withTraffic) {
      const performance = await offerPerformance(db, offer, { currency: 'USD', threshold: 1 })
      expect(performance.daily.length).toBeGreaterThanOrEqual(24)
      exposed = [
        exposed[0]! + (performance.exposed.converters ?? 0),
        exposed[1]! + (performance.exposed.customers ?? 0),
      ]
      heldOut = [
        heldOut[0]! + (performance.heldOut.converters ?? 0),
        heldOut[1]! + (performance.heldOut.customers ?? 0),
      ]
    }
    expect(heldOut[1]).toBeGreaterThan(0)
    expect(exposed[0]! / exposed[1]!).toBeGreaterThan(heldOut[0]! / heldOut[1]! + 0.03)
    // The held-out group is the wallet's own rule, computed in SQL by the demo and in JS by the wallet.
    const sample = await rows<{ offer_id: string; customer_key: string; type: string }>(
      db,
      `SELECT DISTINCT offer_id, customer_key, toString(type) AS type FROM offer_events ORDER BY customer_key LIMIT 500`,
    )
    for (const e of sample)
      expect(isHeldOut(e.offer_id, e.customer_key, 25)).toBe(e.type === 'would_have_seen')
  })

  it('keeps a basket only when its hour has weather at the city station, and stops at the limit', async () => {
    const count = async () => (await rows<{ n: number }>(db, `SELECT count() AS n FROM transactions`))[0]!.n
    const params = demoCityParams(demoCities[0]!, 1000)
    const range = { first: 0, candidates: 10_000, limit: 1000 }
    await insertDemoTransactions(db, { ...params, station: 'no-such-station' }, range)
    expect(await count()).toBe(lines)
    await insertDemoTransactions(db, params, range)
    expect(await count()).toBe(lines + 1000)
  })
})

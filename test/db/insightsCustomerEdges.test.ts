import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InsightsQuery } from '../../server/contract/insights.ts'
import { customerOrigins } from '../../server/queries/customerOrigins.ts'
import { resolveInsightsScope } from '../../server/queries/insightsScope.ts'
import {
  customerSets,
  customerEdges,
  pickCustomerSource,
  type CustomerSource,
} from '../../server/queries/salesSource.ts'
import { summary } from '../../server/queries/summary.ts'
import { insertLines, type LineInput } from '../support/insightsFixture.ts'
import { createTestDb } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>

const stores = [
  { store_id: 'la', timezone: 'America/Los_Angeles', country: 'US' },
  { store_id: 'tokyo', timezone: 'Asia/Tokyo', country: 'JP' },
  // UTC+14: its days lie 25 hours from Pago Pago's (UTC-11).
  { store_id: 'kiritimati', timezone: 'Pacific/Kiritimati', country: 'KI' },
]

/** The wall clock of a UTC instant in `tz`, as 'YYYY-MM-DD HH:MM:SS'. */
function wallClock(instant: Date, tz: string): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(instant)
}

const homes = ['US', 'JP', 'FR', '']

/**
 * Every store sells every 2 hours from 2024-02-20 to 2024-04-10 (UTC): 90 customers come back again and
 * again from four origins, every seventh line has no customer, every eleventh is refunded, so every
 * store-local day straddles the ends of a report day in New York, UTC and Kolkata.
 */
function lines(): LineInput[] {
  const out: LineInput[] = []
  let n = 0
  for (let t = Date.UTC(2024, 1, 20); t < Date.UTC(2024, 3, 10); t += 2 * 3_600_000) {
    for (const s of stores) {
      n++
      const at = new Date(t + stores.indexOf(s) * 3_600_000)
      const person = (n * 37) % 90
      out.push({
        merchant: 'edge',
        store: s.store_id,
        tx: `${s.store_id}-${n}`,
        at: wallClock(at, 'UTC'),
        local: wallClock(at, s.timezone),
        product: 'latte',
        qty: '1',
        amount: `${(n % 9) + 1}.25`,
        status: n % 11 === 0 ? 'refunded' : 'completed',
        storeCountry: s.country,
        ...(n % 7 !== 0 && { customer: `p${person}`, home: homes[person % homes.length] }),
      })
    }
  }
  return out
}

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: stores.map((s) => ({
      ...s,
      merchant_id: 'edge',
      name: s.store_id,
      lat: 0,
      lon: 0,
      city: '',
      currency: 'USD',
    })),
  })
  await db.client.insert({
    table: 'merchants',
    format: 'JSONEachRow',
    values: [{ merchant_id: 'edge', name: 'Edge', currency: 'USD', timezone: 'America/New_York' }],
  })
  // Two inserts: a day's bitmap rows lie in separate parts, as after loads of many requests.
  const all = lines()
  await insertLines(db, all.slice(0, 700))
  await insertLines(db, all.slice(700))
})

afterAll(async () => {
  await db.close()
})

/** The same questions written plainly over the raw lines: report dates of the instant in `tz`. */
async function byHand(tz: string, from: string, to: string, store: string[]) {
  const query = async <T>(select: string, groups = '') => {
    const result = await db.client.query({
      query: `
        SELECT ${select}
        FROM transactions
        WHERE merchant_id = 'edge' AND status = 'completed'
          AND toDate(occurred_at, {tz:String}) >= {from:Date} AND toDate(occurred_at, {tz:String}) <= {to:Date}
          AND (empty({store:Array(String)}) OR store_id IN {store:Array(String)})
        ${groups}`,
      query_params: { tz, from, to, store },
      format: 'JSONEachRow',
    })
    return result.json<T>()
  }
  const [all] = await query<{ customers: number }>(
    `uniqExactIf(customer_key, customer_key != '') AS customers`,
  )
  const origins = await query<{ homeCountry: string; tourist: boolean; customers: number; revenue: number }>(
    `
      customer_home_country AS homeCountry, customer_home_country != store_country AS tourist,
      uniqExactIf(customer_key, customer_key != '') AS customers,
      toFloat64(sum(amount)) AS revenue`,
    `GROUP BY homeCountry, tourist HAVING homeCountry != ''`,
  )
  return { customers: all?.customers ?? 0, origins }
}

const edgeScope = (query: InsightsQuery) => resolveInsightsScope(db, 'edge', query, { rangeDays: 1100 })

describe('distinct customers in a report zone other than the stores', () => {
  it('unite the store-local day bitmaps inside the range with those of its ends, exactly', async () => {
    const ranges = [
      ['2024-02-27', '2024-04-02'], // mid-month to mid-month around a whole March
      ['2024-02-25', '2024-03-31'], // ends on a month's last day
      ['2024-03-01', '2024-03-31'], // one month: its first and last days are ends in another zone
      ['2024-03-10', '2024-03-10'], // one day (the US spring-forward day)
      ['2024-03-14', '2024-03-15'], // two days
      ['2024-03-14', '2024-03-18'], // five days: one interior day
    ] as const
    let checked = 0
    for (const tz of ['America/New_York', 'UTC', 'Asia/Kolkata', 'Pacific/Pago_Pago', 'Pacific/Kiritimati']) {
      for (const [from, to] of ranges) {
        for (const store of [[], ['tokyo']]) {
          const scope = await edgeScope({ from, to, tz, store })
          expect(scope.clock).toBe('zone')
          expect(pickCustomerSource(scope)).toBe('customerRollup')
          const want = await byHand(tz, from, to, store)
          expect(want.customers).toBeGreaterThan(0)
          // The rollups split the range by the stores' clock offsets (from the hourly rollup), or by any
          // offset under a day when those are unknown; the raw lines need neither.
          const unknownClocks = { ...scope, clockOffsets: undefined }
          for (const [customerSource, asked] of [
            ['customerRollup', scope],
            ['customerRollup', unknownClocks],
            ['raw', scope],
          ] as [CustomerSource, typeof scope][]) {
            expect((await summary(db, asked, { customerSource })).customers).toBe(want.customers)
            const origins = await customerOrigins(db, asked, {
              limit: 100,
              threshold: 1,
              source: customerSource,
            })
            const got = origins.map((o) => ({
              homeCountry: o.homeCountry,
              tourist: o.tourist,
              customers: o.customers,
              revenue: o.revenue,
            }))
            const order = (a: { homeCountry: string; tourist: boolean }, b: typeof a) =>
              a.homeCountry.localeCompare(b.homeCountry) || Number(a.tourist) - Number(b.tourist)
            expect(got.sort(order)).toEqual(
              want.origins.map((o) => ({ ...o, tourist: Boolean(o.tourist) })).sort(order),
            )
          }
          // Sales totals likewise: the daily store rollup answers the interior days, the hourly one the
          // hours at the ends (in a zone whole hours off UTC; India's half-hour zone reads the lines).
          const fromLines = await summary(db, scope, { source: 'raw', customerSource: 'raw' })
          expect(fromLines.transactions).toBeGreaterThan(0)
          if (scope.hourAligned) {
            // (The hourly rollup alone is compared in insightsSales.test.ts; CI time is short.)
            for (const asked of [scope, unknownClocks])
              expect(await summary(db, asked, { source: 'storeDailyRollup', customerSource: 'raw' })).toEqual(
                fromLines,
              )
            // Both rollups in one statement, each with its parameters, as a request reads them.
            expect(await summary(db, scope)).toEqual(fromLines)
          }
          checked++
        }
      }
    }
    expect(checked).toBe(60)
  })

  it('read the ends from hourly bitmaps or the lines, and the bitmaps for every day wholly inside it', async () => {
    const scope = await edgeScope({ from: '2024-02-27', to: '2024-04-02', tz: 'America/New_York' })
    // The stores' clocks run from UTC-8 (Los Angeles) to UTC+14 (Kiritimati), and the report's midnight may
    // lie anywhere from UTC-12 to UTC+14 whatever zone data say: local 28 February in Kiritimati may start
    // before it, 29 February cannot; local 1 April ends in Los Angeles before any zone's 3 April.
    expect(customerEdges(scope).interior).toEqual({ from: '2024-02-29', to: '2024-04-01' })
    const sets = customerSets(scope)
    // March is a whole month inside: the merchant's monthly bitmaps answer it.
    expect(sets.params).toMatchObject({ monthsFrom: '2024-03-01', monthsTo: '2024-04-01' })
    expect(sets.sql).toContain('merchant_customers_monthly')
    // Over all stores in a zone whole hours off UTC the ends come from the merchant's hourly bitmaps; for
    // chosen stores, or in India's half-hour zone, from the lines.
    expect(sets.sql).toContain('merchant_customers_hourly')
    expect(sets.sql).not.toContain('FROM transactions')
    const tokyo = await edgeScope({
      from: '2024-02-27',
      to: '2024-04-02',
      tz: 'America/New_York',
      store: ['tokyo'],
    })
    expect(customerSets(tokyo).sql).toContain('FROM transactions')
    const kolkata = await edgeScope({ from: '2024-02-27', to: '2024-04-02', tz: 'Asia/Kolkata' })
    expect(customerSets(kolkata).sql).toContain('FROM transactions')
    // Two days in UTC: no store-local day of clocks 22 hours apart lies wholly inside, everything is an
    // end; four days hold the third.
    const short = await edgeScope({ from: '2024-03-14', to: '2024-03-15', tz: 'UTC' })
    expect(customerEdges(short).interior).toBeNull()
    const four = await edgeScope({ from: '2024-03-14', to: '2024-03-17', tz: 'UTC' })
    expect(customerEdges(four).interior).toEqual({ from: '2024-03-16', to: '2024-03-16' })
    const local = await edgeScope({ from: '2024-03-14', to: '2024-03-15', tz: 'local' })
    expect(customerEdges(local).interior).toEqual({ from: '2024-03-14', to: '2024-03-15' })
    expect(customerSets(local).sql).not.toContain('FROM transactions')
  })
})

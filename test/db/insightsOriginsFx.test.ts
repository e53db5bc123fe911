import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { customerOrigins } from '../../server/queries/customerOrigins.ts'
import { resolveInsightsScope } from '../../server/queries/insightsScope.ts'
import { pickCustomerSource, type CustomerSource } from '../../server/queries/salesSource.ts'
import { summary } from '../../server/queries/summary.ts'
import { insertLines, type LineInput } from '../support/insightsFixture.ts'
import { startTestApp, type TestApp } from '../support/testApp.ts'
import { createTestDb } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
let app: TestApp
let admin: string

const store = (
  merchant_id: string,
  store_id: string,
  timezone: string,
  country: string,
  currency: string,
) => ({
  merchant_id,
  store_id,
  name: store_id,
  lat: 0,
  lon: 0,
  timezone,
  country,
  city: '',
  currency,
})

/** n customers from `home`, each buying once for `amount` on `day` at the US store. */
function customers(home: string, n: number, amount: string, day = '2024-05-01'): LineInput[] {
  return Array.from({ length: n }, (_, i) => ({
    merchant: 'org',
    store: 'o1',
    tx: `${home}-${day}-${i}`,
    at: `${day} 15:00:00`,
    local: `${day} 11:00:00`,
    product: 'latte',
    qty: '1',
    amount,
    customer: `${home}-${i}`,
    home,
  }))
}

const london = (tx: string, at: string, amount: string, currency: string): LineInput => ({
  merchant: 'fxm',
  store: 'l1',
  tx,
  at,
  local: at,
  product: 'tea',
  qty: '1',
  amount,
  currency,
  storeCountry: 'GB',
})

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: [
      store('org', 'o1', 'America/New_York', 'US', 'USD'),
      store('fxm', 'l1', 'Europe/London', 'GB', 'GBP'),
    ],
  })
  await db.client.insert({
    table: 'merchants',
    format: 'JSONEachRow',
    values: [
      { merchant_id: 'org', name: 'Org', currency: 'USD', timezone: 'America/New_York' },
      { merchant_id: 'fxm', name: 'Fx', currency: 'GBP', timezone: 'Europe/London' },
    ],
  })
  await insertLines(db, [
    ...customers('US', 60, '1.00'),
    ...customers('FR', 55, '2.00'),
    ...customers('DE', 10, '5.00'),
    ...customers('JP', 3, '1.00', '2024-05-02'),
    // A refunded line never makes a customer or revenue.
    ...customers('IT', 1, '99.00').map((l) => ({ ...l, status: 'refunded' as const })),
  ])
  await insertLines(db, [
    london('g1', '2024-03-05 12:00:00', '10.00', 'GBP'),
    london('g2', '2024-03-05 13:00:00', '20.00', 'EUR'),
    london('g3', '2024-03-06 12:00:00', '5.00', 'GBP'),
  ])
  await db.client.insert({
    table: 'fx_rates',
    format: 'JSONEachRow',
    values: [
      // A reload corrects EUR/GBP: the newest load wins.
      {
        date: '2024-03-05',
        base: 'EUR',
        quote: 'GBP',
        rate: '0.80',
        batch_id: 'a',
        ingested_at: '2024-03-06 00:00:00',
      },
      {
        date: '2024-03-05',
        base: 'EUR',
        quote: 'GBP',
        rate: '0.85',
        batch_id: 'b',
        ingested_at: '2024-03-07 00:00:00',
      },
      { date: '2024-03-05', base: 'USD', quote: 'GBP', rate: '0.8', batch_id: 'a' },
      { date: '2024-03-06', base: 'GBP', quote: 'USD', rate: '1.3', batch_id: 'a' },
      { date: '2024-03-05', base: 'EUR', quote: 'USD', rate: '1.0837', batch_id: 'a' },
      { date: '2024-03-05', base: 'USD', quote: 'JPY', rate: '150', batch_id: 'a' },
      { date: '2024-03-06', base: 'USD', quote: 'JPY', rate: '150', batch_id: 'a' },
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

describe('customer origins', () => {
  it('counts customers and revenue per home country and suppresses groups under K', async () => {
    const res = await get('org/customers/origins?from=2024-05-01&to=2024-05-02')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      merchantId: 'org',
      from: '2024-05-01',
      to: '2024-05-02',
      timezone: 'America/New_York',
      currency: 'USD',
      privacyThreshold: 50,
      rows: [
        { homeCountry: 'US', tourist: false, customers: 60, revenue: 60, share: 0.2691, suppressed: false },
        { homeCountry: 'FR', tourist: true, customers: 55, revenue: 110, share: 0.4933, suppressed: false },
        { homeCountry: 'DE', tourist: true, customers: null, revenue: null, share: null, suppressed: true },
        { homeCountry: 'JP', tourist: true, customers: null, revenue: null, share: null, suppressed: true },
      ],
    })
    const csv = await get('org/customers/origins?from=2024-05-01&to=2024-05-02&format=csv')
    expect(csv.body).toBe(
      'homeCountry,tourist,customers,revenue,share,suppressed\r\n' +
        'US,false,60,60,0.2691,false\r\nFR,true,55,110,0.4933,false\r\n' +
        'DE,true,,,,true\r\nJP,true,,,,true\r\n',
    )
  })

  it('suppresses a second group when one suppressed group could be derived from the shares', async () => {
    const res = await get('org/customers/origins?from=2024-05-01&to=2024-05-01')
    expect((res.body as { rows: unknown[] }).rows).toEqual([
      { homeCountry: 'US', tourist: false, customers: 60, revenue: 60, share: 0.2727, suppressed: false },
      { homeCountry: 'DE', tourist: true, customers: null, revenue: null, share: null, suppressed: true },
      { homeCountry: 'FR', tourist: true, customers: null, revenue: null, share: null, suppressed: true },
    ])
  })

  it('converts origin revenue into the report currency without changing counts or shares', async () => {
    await db.client.insert({
      table: 'fx_rates',
      format: 'JSONEachRow',
      values: ['2024-05-01', '2024-05-02'].map((date) => ({
        date,
        base: 'USD',
        quote: 'EUR',
        rate: '0.9',
        batch_id: 'o',
      })),
    })
    const res = await get('org/customers/origins?from=2024-05-01&to=2024-05-02&currency=EUR')
    expect(res.body).toMatchObject({
      currency: 'EUR',
      rows: [
        { homeCountry: 'US', customers: 60, revenue: 54, share: 0.2691 },
        { homeCountry: 'FR', customers: 55, revenue: 99, share: 0.4933 },
        { homeCountry: 'DE', suppressed: true },
        { homeCountry: 'JP', suppressed: true },
      ],
    })
  })

  it('gives the same suppressed answer to a marketer, and 404 to another merchant', async () => {
    const marketer = await app.key({ role: 'marketer', merchantIds: ['org'] })
    const other = await app.key({ role: 'merchant', merchantId: 'fxm' })
    const res = await get('org/customers/origins?from=2024-05-01&to=2024-05-02', marketer)
    expect(res.body).toMatchObject({
      rows: [
        { homeCountry: 'US', customers: 60 },
        { homeCountry: 'FR', customers: 55 },
        { homeCountry: 'DE', customers: null, suppressed: true },
        { homeCountry: 'JP', customers: null, suppressed: true },
      ],
    })
    expect(JSON.stringify(res.body)).not.toMatch(/DE-|JP-|"customers":(10|3)\b/)
    expect((await get('org/customers/origins', other)).status).toBe(404)
  })
})

describe('report currency', () => {
  const range = 'from=2024-03-05&to=2024-03-06'

  it('converts at each day’s direct rate, newest load first', async () => {
    expect((await get(`fxm/summary?${range}`)).body).toMatchObject({
      currency: 'GBP',
      timezone: 'Europe/London',
      rows: [{ revenue: 32, transactions: 3, averageTicket: 10.67 }],
    })
  })

  it('uses the inverse rate when only the opposite pair is quoted', async () => {
    // 10 GBP at 1/0.8 + 20 EUR at 1.0837 + 5 GBP at 1.3 = 12.50 + 21.674 + 6.50
    expect((await get(`fxm/sales/by-time?${range}&currency=USD`)).body).toMatchObject({
      currency: 'USD',
      rows: [
        { bucket: '2024-03-05', revenue: 34.17 },
        { bucket: '2024-03-06', revenue: 6.5 },
      ],
    })
  })

  it('crosses via USD when no pair links the two currencies', async () => {
    // GBP->JPY 1.25 * 150 = 187.5; EUR->JPY 1.0837 * 150 = 162.555; 6 March GBP->JPY 1.3 * 150 = 195
    expect((await get(`fxm/sales/by-product?${range}&currency=JPY`)).body).toMatchObject({
      currency: 'JPY',
      rows: [{ productId: 'tea', revenue: 6101.1, transactions: 3 }],
    })
  })

  it('carries a rate over days without one (weekends, holidays) for up to a week, then answers 400', async () => {
    await insertLines(db, [
      london('g4', '2024-03-09 12:00:00', '10.00', 'EUR'),
      london('g5', '2024-03-20 12:00:00', '10.00', 'EUR'),
    ])
    // Saturday 9 March takes Tuesday 5 March's EUR/GBP rate (0.85, the newest load).
    expect((await get('fxm/summary?from=2024-03-09&to=2024-03-09')).body).toMatchObject({
      rows: [{ revenue: 8.5, transactions: 1 }],
    })
    expect((await get('fxm/summary?from=2024-03-20&to=2024-03-20')).body).toMatchObject({
      error: { message: expect.stringContaining('for EUR on 2024-03-20;') },
    })
  })

  it('answers 400 naming currency when a day has no rate, never a partial total', async () => {
    const res = await get(`fxm/summary?${range}&currency=CHF`)
    expect(res).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'bad_request',
          message:
            'currency: no FX rate into CHF (direct, inverse or via USD) for EUR on 2024-03-05, GBP on 2024-03-05, GBP on 2024-03-06; load fx_rates or pick another currency',
        },
      },
    })
  })
})

describe('customer rollup', () => {
  it('counts the same distinct customers as the raw lines, also when they come back in later inserts', async () => {
    await insertLines(db, [
      // US-0 buys again the next day and FR-1 a second line of the same basket, each in a later insert.
      { ...customers('US', 1, '2.00', '2024-05-02')[0]!, tx: 'again' },
      { ...customers('FR', 2, '2.00')[1]!, line: 2 },
    ])
    await insertLines(db, [
      // A customer whose home country is unknown counts in the summary, in no origin group.
      { ...customers('', 1, '4.00')[0]!, customer: 'nowhere' },
    ])
    for (const currency of ['USD', 'EUR']) {
      const scope = await resolveInsightsScope(
        db,
        'org',
        { from: '2024-05-01', to: '2024-05-02', currency },
        { rangeDays: 1100 },
      )
      expect(pickCustomerSource(scope)).toBe('customerRollup')
      const origins = (source: CustomerSource) =>
        customerOrigins(db, scope, { limit: 100, threshold: 1, source })
      const raw = await origins('raw')
      expect(await origins('customerRollup')).toEqual(raw)
      expect(raw.map((r) => [r.homeCountry, r.customers])).toEqual([
        ['US', 60],
        ['FR', 55],
        ['DE', 10],
        ['JP', 3],
      ])
      const people = async (customerSource: CustomerSource) =>
        (await summary(db, scope, { customerSource })).customers
      expect(await people('raw')).toBe(129)
      expect(await people('customerRollup')).toBe(129)
    }
    // One store chosen by filter; a product filter sends the question to the raw lines.
    const scope = await resolveInsightsScope(
      db,
      'org',
      { from: '2024-05-02', to: '2024-05-02', store: ['o1'] },
      { rangeDays: 1100 },
    )
    expect((await summary(db, scope, { customerSource: 'customerRollup' })).customers).toBe(4)
    expect((await summary(db, scope, { customerSource: 'raw' })).customers).toBe(4)
    expect(pickCustomerSource({ ...scope, products: ['latte'] })).toBe('raw')
  })
})

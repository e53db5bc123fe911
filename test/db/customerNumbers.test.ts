import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPipeline, type Pipeline } from '../../pipelines/createPipeline.ts'
import { customerOrigins } from '../../server/queries/customerOrigins.ts'
import { resolveInsightsScope } from '../../server/queries/insightsScope.ts'
import { pickCustomerSource, type CustomerSource } from '../../server/queries/salesSource.ts'
import { summary } from '../../server/queries/summary.ts'
import { insertLines } from '../support/insightsFixture.ts'
import { testPseudonymKey } from '../support/testApp.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
let pipeline: Pipeline

const keyOf = (customer: string) =>
  createHmac('sha256', testPseudonymKey).update(customer).digest('hex').slice(0, 32)

const header =
  'transaction_id,line_no,merchant_id,store_id,occurred_at,product_id,quantity,unit_price,customer_id,customer_home_country'

/** Loads CSV lines through the ingestion pipeline; chunks of about 150 bytes hold two or three lines. */
async function load(lines: string[], batchId?: string) {
  const text = [header, ...lines].join('\n') + '\n'
  return pipeline.run({
    kind: 'transactions',
    format: 'csv',
    source: 'test',
    body: (async function* () {
      yield Buffer.from(text)
    })(),
    gzip: false,
    batchId,
    scope: '',
    allowedMerchants: undefined,
  })
}

/** Each merchant's numbers in order, and how many keys hold them. */
const numbering = () =>
  rows<{ merchant: string; numbers: number[]; keys: number }>(
    db,
    `SELECT merchant_id AS merchant, arraySort(groupArray(customer_no)) AS numbers,
            uniqExact(customer_key) AS keys
     FROM customer_numbers GROUP BY merchant ORDER BY merchant`,
  )

const numberOf = async (merchant: string, customer: string) =>
  (
    await rows<{ no: number }>(
      db,
      `SELECT customer_no AS no FROM customer_numbers WHERE merchant_id = {m:String} AND customer_key = {k:String}`,
      { m: merchant, k: keyOf(customer) },
    )
  ).map((r) => r.no)

beforeAll(async () => {
  db = await createTestDb()
  pipeline = createPipeline({ db, pseudonymKey: testPseudonymKey, chunkBytes: 150 })
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: ['ma', 'mb'].map((m) => ({
      merchant_id: m,
      store_id: `${m}1`,
      name: m,
      lat: 0,
      lon: 0,
      timezone: 'America/New_York',
      country: 'US',
      city: '',
      currency: 'USD',
    })),
  })
})
afterAll(async () => {
  await db.cleanup()
})

describe('customer numbers', () => {
  it('numbers each merchant’s customers 1..n across chunks and batches, once per customer', async () => {
    const first = await load([
      't1,1,ma,ma1,2024-05-01 10:00:00,latte,1,3.00,alice,US',
      't2,1,ma,ma1,2024-05-01 11:00:00,latte,1,3.00,bob,FR',
      't3,1,ma,ma1,2024-05-01 12:00:00,latte,1,3.00,,',
      't4,1,ma,ma1,2024-05-02 10:00:00,latte,1,3.00,carol,US',
      't5,1,mb,mb1,2024-05-01 10:00:00,latte,1,3.00,alice,US',
      // Rejected (no quantity): dave gets no number.
      't6,1,ma,ma1,2024-05-02 11:00:00,latte,,3.00,dave,US',
      't7,1,ma,ma1,2024-05-02 09:00:00,scone,2,2.00,alice,US',
      't7,2,ma,ma1,2024-05-02 09:00:00,latte,1,3.00,alice,US',
    ])
    expect(first).toMatchObject({ received: 8, inserted: 7, rejected: 1 })
    expect(await numbering()).toEqual([
      { merchant: 'ma', numbers: [1, 2, 3], keys: 3 },
      { merchant: 'mb', numbers: [1], keys: 1 },
    ])
    const alice = await numberOf('ma', 'alice')
    expect(await numberOf('ma', 'dave')).toEqual([])

    // A later batch: bob and alice again, erin's late line (an earlier day), t1 replayed (a duplicate).
    const second = await load([
      't8,1,ma,ma1,2024-05-03 10:00:00,latte,1,3.00,bob,FR',
      't9,1,ma,ma1,2024-04-30 10:00:00,latte,1,3.00,erin,FR',
      't1,1,ma,ma1,2024-05-01 10:00:00,latte,1,3.00,alice,US',
      't10,1,mb,mb1,2024-05-02 10:00:00,latte,1,3.00,frank,DE',
      't11,1,ma,ma1,2024-05-03 11:00:00,latte,1,3.00,alice,US',
      't18,1,ma,ma1,2024-05-03 12:00:00,latte,1,3.00,erin,FR',
    ])
    expect(second).toMatchObject({ received: 6, inserted: 5, duplicates: 1 })
    expect(await numberOf('ma', 'alice')).toEqual(alice)
    expect(await numberOf('ma', 'erin')).toEqual([4])
    expect(await numberOf('mb', 'frank')).toEqual([2])

    // Two batches at once: the commit lock serialises their chunks, numbers stay dense and unique.
    await Promise.all([
      load([
        't12,1,ma,ma1,2024-05-01 13:00:00,latte,1,3.00,gina,JP',
        't13,1,ma,ma1,2024-05-01 14:00:00,latte,1,3.00,hank,JP',
        't14,1,ma,ma1,2024-05-01 15:00:00,latte,1,3.00,bob,FR',
      ]),
      load([
        't15,1,mb,mb1,2024-05-01 13:00:00,latte,1,3.00,ivan,US',
        't16,1,ma,ma1,2024-05-02 13:00:00,latte,1,3.00,gina,JP',
        't17,1,mb,mb1,2024-05-01 14:00:00,latte,1,3.00,alice,US',
      ]),
    ])
    // Lines inserted outside the pipeline (demo loader, fixtures) continue each merchant's numbers.
    await insertLines(db, [
      {
        merchant: 'ma',
        store: 'ma1',
        tx: 'f1',
        at: '2024-05-02 16:00:00',
        local: '2024-05-02 12:00:00',
        product: 'latte',
        qty: '1',
        amount: '3.00',
        customer: keyOf('judy'),
        home: 'US',
      },
    ])
    expect(await numberOf('ma', 'judy')).toEqual([7])
    expect(await numbering()).toEqual([
      { merchant: 'ma', numbers: [1, 2, 3, 4, 5, 6, 7], keys: 7 },
      { merchant: 'mb', numbers: [1, 2, 3], keys: 3 },
    ])

    // Every stored line carries its key's number (0 when the customer is unknown).
    expect(
      await rows(
        db,
        `SELECT t.merchant_id AS merchant, t.customer_key = '' AS unknown, count() AS lines,
                countIf(t.customer_no = if(t.customer_key = '', 0, n.customer_no)) AS agreeing
         FROM transactions AS t
         LEFT JOIN customer_numbers AS n ON n.merchant_id = t.merchant_id AND n.customer_key = t.customer_key
         GROUP BY merchant, unknown ORDER BY merchant, unknown`,
      ),
    ).toEqual([
      { merchant: 'ma', unknown: 0, lines: 14, agreeing: 14 },
      { merchant: 'ma', unknown: 1, lines: 1, agreeing: 1 },
      { merchant: 'mb', unknown: 0, lines: 4, agreeing: 4 },
    ])
  })

  it('gives the rollup the same customers as the raw lines', async () => {
    const expected: Record<string, { customers: number; origins: [string, number][] }> = {
      ma: {
        customers: 7,
        origins: [
          ['US', 3],
          ['FR', 2],
          ['JP', 2],
        ],
      },
      mb: {
        customers: 3,
        origins: [
          ['US', 2],
          ['DE', 1],
        ],
      },
    }
    for (const [merchant, want] of Object.entries(expected)) {
      const scope = await resolveInsightsScope(
        db,
        merchant,
        { from: '2024-04-30', to: '2024-05-03' },
        { rangeDays: 1100 },
      )
      expect(pickCustomerSource(scope)).toBe('customerRollup')
      const people = async (customerSource: CustomerSource) =>
        (await summary(db, scope, { customerSource })).customers
      expect(await people('customerRollup')).toBe(want.customers)
      expect(await people('raw')).toBe(want.customers)
      const origins = (source: CustomerSource) =>
        customerOrigins(db, scope, { limit: 100, threshold: 1, source })
      const raw = await origins('raw')
      expect(raw.map((r) => [r.homeCountry, r.customers])).toEqual(want.origins)
      expect(await origins('customerRollup')).toEqual(raw)
    }
    // Whole months come from the monthly rollup, the days around them from the daily one: erin (April 30
    // and May 3) counts once.
    for (const [from, to, want] of [
      ['2024-04-30', '2024-05-31', 7],
      ['2024-05-01', '2024-05-31', 7],
      ['2024-04-01', '2024-05-02', 7],
      ['2024-04-01', '2024-04-30', 1],
      ['2024-05-03', '2024-06-30', 3],
    ] as const) {
      // All stores read the merchant's monthly bitmaps, a chosen store the store's.
      for (const store of [[], ['ma1']]) {
        const range = await resolveInsightsScope(db, 'ma', { from, to, store }, { rangeDays: 1100 })
        expect((await summary(db, range, { customerSource: 'customerRollup' })).customers).toBe(want)
        expect((await summary(db, range, { customerSource: 'raw' })).customers).toBe(want)
        const origins = (source: CustomerSource) =>
          customerOrigins(db, range, { limit: 100, threshold: 1, source })
        expect(await origins('customerRollup')).toEqual(await origins('raw'))
      }
    }
    // One day: alice (twice), carol and gina on 2024-05-02 (local), judy from the fixture insert.
    const day = await resolveInsightsScope(
      db,
      'ma',
      { from: '2024-05-02', to: '2024-05-02' },
      { rangeDays: 1100 },
    )
    expect((await summary(db, day, { customerSource: 'customerRollup' })).customers).toBe(4)
    expect((await summary(db, day, { customerSource: 'raw' })).customers).toBe(4)
  })
})

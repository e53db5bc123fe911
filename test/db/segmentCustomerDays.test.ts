import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SegmentRules } from '../../server/contract.ts'
import { segmentCounts } from '../../server/queries/segmentPreview.ts'
import { resolveSegmentScope } from '../../server/queries/segmentScope.ts'
import { derivedMismatches } from '../support/derivedConsistency.ts'
import { insertLines, type LineInput } from '../support/insightsFixture.ts'
import { createTestDb } from '../support/testDb.ts'

/**
 * The customer rollup the segment rules read (customer_days) against edge cases of the lines: a local day
 * that spans two UTC days (two rates), lines of one customer and day arriving in separate inserts (rollup
 * rows not merged), refunded and voided lines, and a second currency.
 */
let db: Awaited<ReturnType<typeof createTestDb>>
const asOf = '2026-01-10'

const line = (
  overrides: Partial<LineInput> & Pick<LineInput, 'tx' | 'at' | 'local' | 'amount'>,
): LineInput => ({
  merchant: 'hk',
  store: 'hk1',
  product: 'p1',
  qty: '1',
  currency: 'HKD',
  customer: 'cust-a',
  home: 'HK',
  storeCountry: 'HK',
  ...overrides,
})

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'merchants',
    format: 'JSONEachRow',
    values: [{ merchant_id: 'hk', name: 'HK', currency: 'HKD', timezone: 'Asia/Hong_Kong' }],
  })
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: [
      {
        merchant_id: 'hk',
        store_id: 'hk1',
        name: 'hk1',
        lat: 0,
        lon: 0,
        timezone: 'Asia/Hong_Kong',
        country: 'HK',
        city: '',
        currency: 'HKD',
      },
    ],
  })
  await db.client.insert({
    table: 'fx_rates',
    format: 'JSONEachRow',
    values: [
      { date: '2026-01-09', base: 'HKD', quote: 'USD', rate: '0.1', batch_id: 'fx' },
      { date: '2026-01-10', base: 'HKD', quote: 'USD', rate: '0.2', batch_id: 'fx' },
      { date: '2026-01-09', base: 'EUR', quote: 'USD', rate: '1', batch_id: 'fx' },
      { date: '2026-01-10', base: 'EUR', quote: 'USD', rate: '1.5', batch_id: 'fx' },
    ],
  })
  // Local 10 January 07:30 in Hong Kong is 9 January in UTC (rate 0.1): 100 HKD = 10 USD.
  await insertLines(db, [
    line({ tx: 't1', at: '2026-01-09 23:30:00', local: '2026-01-10 07:30:00', amount: '100' }),
    line({
      tx: 't2',
      at: '2026-01-09 23:40:00',
      local: '2026-01-10 07:40:00',
      amount: '900',
      status: 'refunded',
    }),
  ])
  // Arriving later, the same customer and local day: 50 HKD at 0.2 = 10 USD, 4 EUR at 1.5 = 6 USD.
  await insertLines(db, [
    line({ tx: 't3', at: '2026-01-10 12:00:00', local: '2026-01-10 20:00:00', amount: '50' }),
    line({ tx: 't4', at: '2026-01-10 12:05:00', local: '2026-01-10 20:05:00', amount: '4', currency: 'EUR' }),
    line({
      tx: 't5',
      at: '2026-01-10 12:10:00',
      local: '2026-01-10 20:10:00',
      amount: '700',
      status: 'voided',
    }),
  ])
})
afterAll(() => db.cleanup())

async function size(rules: SegmentRules): Promise<number> {
  const scope = await resolveSegmentScope(db, ['hk'], rules, asOf, { rangeDays: 1100 })
  return (await segmentCounts(db, scope)).total
}

describe('segment rules over customer_days', () => {
  it('agrees with the lines row for row', async () => {
    expect(await derivedMismatches(db, 'hk', { from: '2026-01-01', to: asOf })).toEqual([])
  })

  it('sums spend at each line’s UTC-day rate, without refunded or voided lines', async () => {
    expect(await size({ spend: { min: 26, max: 26, currency: 'USD', days: 1 } })).toBe(1)
    expect(await size({ spend: { min: 26.01, currency: 'USD', days: 1 } })).toBe(0)
    expect(
      await size({ spendRank: { topPercent: 1, days: 1 }, spend: { min: 26, currency: 'USD', days: 1 } }),
    ).toBe(1)
  })

  it('counts one visit for a local day spanning two UTC days and two inserts', async () => {
    expect(await size({ visits: { min: 1, max: 1, days: 1 } })).toBe(1)
    expect(await size({ visits: { min: 2, days: 30 } })).toBe(0)
    expect(await size({ lastSeenWithinDays: 1, visitor: 'local', homeCountries: ['HK'] })).toBe(1)
    expect(await size({ categories: ['none-such'] })).toBe(0)
  })
})

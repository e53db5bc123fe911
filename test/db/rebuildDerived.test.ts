import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rollupTables } from '../../server/db/derivedTables.ts'
import { rebuildDerived, viewsOnTransactions } from '../../server/db/rebuildDerived.ts'
import { derivedMismatches } from '../support/derivedConsistency.ts'
import { insertLines, type LineInput } from '../support/insightsFixture.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
const range = { from: '2024-01-01', to: '2024-04-30' }

/** Lines of one merchant in New York over January to March, some near month ends in UTC and local time. */
function linesOf(merchant: string): LineInput[] {
  const at = [
    ['2024-01-15 15:00:00', '2024-01-15 10:00:00'],
    ['2024-02-01 03:30:00', '2024-01-31 22:30:00'], // February in UTC, January locally
    ['2024-02-10 18:00:00', '2024-02-10 13:00:00'],
    ['2024-02-29 23:00:00', '2024-02-29 18:00:00'],
    ['2024-03-01 02:00:00', '2024-02-29 21:00:00'], // March in UTC, February locally
    ['2024-03-20 14:00:00', '2024-03-20 10:00:00'],
  ]
  return at.flatMap(([utc = '', local = ''], i) => [
    {
      merchant,
      store: 's1',
      tx: `${merchant}-t${i}`,
      at: utc,
      local,
      product: 'latte',
      qty: '1',
      amount: '3.50',
      customer: `k${i % 3}`,
      home: i % 2 ? 'JP' : 'US',
    },
    {
      merchant,
      store: 's2',
      tx: `${merchant}-t${i}`,
      line: 2,
      at: utc,
      local,
      product: 'muffin',
      category: 'Food',
      qty: '2',
      amount: '6.25',
      customer: `k${i % 3}`,
      home: i % 2 ? 'JP' : 'US',
    },
    {
      merchant,
      store: 's1',
      tx: `${merchant}-r${i}`,
      at: utc,
      local,
      product: 'mocha',
      qty: '1',
      amount: '4.10',
      status: 'refunded',
    },
  ])
}

/** Every rollup row of a merchant, finalised, to see that a rebuild elsewhere leaves them alone. */
const snapshot = async (merchant: string) =>
  Promise.all(
    rollupTables.map((table) =>
      rows(
        db,
        `SELECT * ${
          table === 'product_names'
            ? 'REPLACE (finalizeAggregation(name) AS name)'
            : table.startsWith('customers_') || table.startsWith('merchant_customers_')
              ? 'REPLACE (bitmapToArray(customers) AS customers)'
              : ''
        } FROM ${table} FINAL WHERE merchant_id = {m:String} ORDER BY ALL`,
        { m: merchant },
      ),
    ),
  )

beforeAll(async () => {
  db = await createTestDb()
  for (const merchant of ['cafe', 'other']) {
    await db.client.insert({
      table: 'stores',
      format: 'JSONEachRow',
      values: ['s1', 's2'].map((store_id) => ({
        merchant_id: merchant,
        store_id,
        name: store_id,
        lat: 40.7,
        lon: -74,
        timezone: 'America/New_York',
        country: 'US',
        city: 'New York',
        currency: 'USD',
      })),
    })
    // Two inserts, so rows of one key lie in separate parts.
    const lines = linesOf(merchant)
    await insertLines(db, lines.slice(0, 9))
    await insertLines(db, lines.slice(9))
  }
})

afterAll(async () => {
  await db.cleanup()
})

describe('rebuildDerived', () => {
  it('starts consistent: the checker finds nothing on freshly inserted lines', async () => {
    expect(await derivedMismatches(db, 'cafe', range)).toEqual([])
    expect(await derivedMismatches(db, 'other', range)).toEqual([])
  })

  it('repairs missing, doubled and foreign rows of the chosen months, and only those', async () => {
    const other = await snapshot('other')
    // Rows lost (as when a crash falls between the lines and a rollup), rows doubled, a month of
    // bitmaps gone, a bitmap holding a number no line has, and a customer-number top that fell back.
    await db.client.command({
      query: `DELETE FROM sales_product_daily WHERE merchant_id = 'cafe' AND toMonth(local_day) = 2`,
    })
    await db.client.command({
      query: `INSERT INTO sales_store_hourly SELECT * FROM sales_store_hourly WHERE merchant_id = 'cafe'`,
    })
    await db.client.command({ query: `DELETE FROM customers_monthly_bitmap WHERE merchant_id = 'cafe'` })
    await db.client.command({
      query: `INSERT INTO customers_daily_bitmap (merchant_id, local_day, store_id, home_country, known, tourist, currency, utc_day, customers, amount)
              SELECT 'cafe', '2024-03-20', 's1', 'US', true, false, 'USD', '2024-03-20', groupBitmapState(toUInt32(999)), 0`,
    })
    await db.client.command({ query: `DELETE FROM customer_number_tops WHERE merchant_id = 'cafe'` })
    const broken = await derivedMismatches(db, 'cafe', range)
    for (const table of [
      'sales_product_daily',
      'sales_store_hourly',
      // Filled from the hourly rollup's rows, so the doubled rows reached it too.
      'sales_store_daily',
      'customers_monthly_bitmap',
      'customers_daily_bitmap',
      'summary',
      'summaryDaily',
      'origins',
    ])
      expect(broken.join('\n')).toContain(`${table}:`)
    expect(broken).toContain('customer numbers: topBelowNumbers = 1')

    // February alone: January and March stay broken.
    await rebuildDerived(db, [{ merchantId: 'cafe', localMonths: ['2024-02-01'] }])
    const partly = await derivedMismatches(db, 'cafe', range)
    expect(partly.join('\n')).toContain('sales_store_hourly:')
    expect(partly.join('\n')).not.toContain('sales_product_daily:')
    expect(partly).not.toContain('customer numbers: topBelowNumbers = 1')

    await rebuildDerived(db, [{ merchantId: 'cafe', localMonths: ['2024-01-01', '2024-03-01'] }])
    expect(await derivedMismatches(db, 'cafe', range)).toEqual([])
    expect(await snapshot('other')).toEqual(other)
    expect(await derivedMismatches(db, 'other', range)).toEqual([])
  })

  it('is idempotent, and a month without lines is left empty', async () => {
    const cafe = await snapshot('cafe')
    await rebuildDerived(db, [
      { merchantId: 'cafe', localMonths: ['2024-01-01', '2024-02-01', '2024-03-01', '2024-07-01'] },
    ])
    await rebuildDerived(db, [{ merchantId: 'cafe', localMonths: ['2024-02-01'] }])
    expect(await snapshot('cafe')).toEqual(cafe)
    expect(await derivedMismatches(db, 'cafe', range)).toEqual([])
    const summary = await rows(
      db,
      `SELECT toString(sum(amount)) AS revenue FROM sales_store_hourly WHERE merchant_id = 'cafe'`,
    )
    expect(summary).toEqual([{ revenue: '58.5' }])
  })

  it('repairs several merchants in one pass, basket flags too, and leaves their other months alone', async () => {
    // cafe loses February's product rows; other has March's hourly rows doubled and a basket of February
    // without its first line (as an insert that stored only some of its lines leaves it).
    await db.client.command({
      query: `DELETE FROM sales_product_daily WHERE merchant_id = 'cafe' AND toMonth(local_day) = 2`,
    })
    await db.client.command({
      query: `INSERT INTO sales_store_hourly SELECT * FROM sales_store_hourly
              WHERE merchant_id = 'other' AND toMonth(local_hour) = 3`,
    })
    await db.client.command({
      query: `ALTER TABLE transactions UPDATE basket_first = 0
              WHERE merchant_id = 'other' AND transaction_id = 'other-t2' AND store_id = 's1'`,
      clickhouse_settings: { mutations_sync: '2' },
    })
    await db.client.command({
      query: `DELETE FROM sales_store_hourly WHERE merchant_id = 'other' AND toMonth(local_hour) = 1`,
    })
    expect((await derivedMismatches(db, 'cafe', range)).join('\n')).toContain('sales_product_daily:')
    expect((await derivedMismatches(db, 'other', range)).join('\n')).toContain('basket flags:')

    await rebuildDerived(db, [
      { merchantId: 'cafe', localMonths: ['2024-02-01'] },
      { merchantId: 'other', localMonths: ['2024-02-01', '2024-03-01'] },
    ])
    expect(await derivedMismatches(db, 'cafe', range)).toEqual([])
    // January of other was not asked for: its hourly rows are still missing (and the reports read from them
    // are off), the rest is right.
    const january = (await derivedMismatches(db, 'other', range)).join('\n')
    expect(january).toContain('sales_store_hourly: 4 rows missing or wrong')
    expect(january).not.toContain('basket flags')
    expect(january).toContain(', 0 not from the lines')
    await rebuildDerived(db, [{ merchantId: 'other', localMonths: ['2024-01-01'] }])
    expect(await derivedMismatches(db, 'other', range)).toEqual([])
  })

  it('knows every view that reads transactions: each fills a rollup it rebuilds', async () => {
    const views = await viewsOnTransactions(db)
    expect(
      views.map((v) => v.target).filter((t) => !(rollupTables as readonly string[]).includes(t)),
    ).toEqual([])
    expect(views.map((v) => v.target)).toEqual([
      'customer_days',
      'customers_daily_bitmap',
      'merchant_customers_hourly',
      'product_names',
      'sales_product_daily',
      'sales_store_hourly',
    ])
    for (const view of views) expect(view.select('(SELECT 1)')).not.toContain('.transactions')
  })
})

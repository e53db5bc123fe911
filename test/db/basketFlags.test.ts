import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPipeline, type Pipeline } from '../../pipelines/createPipeline.ts'
import { resolveInsightsScope } from '../../server/queries/insightsScope.ts'
import { salesByProduct } from '../../server/queries/salesByProduct.ts'
import { summary } from '../../server/queries/summary.ts'
import { derivedMismatches } from '../support/derivedConsistency.ts'
import { insertLines } from '../support/insightsFixture.ts'
import { testPseudonymKey } from '../support/testApp.ts'
import { createTestDb, rows } from '../support/testDb.ts'

// Basket flags (migration 0130) set by the ingest pipeline and the staged insert, against the lines
// already stored: every basket counts once whichever way its lines arrive.
let db: Awaited<ReturnType<typeof createTestDb>>
let pipeline: Pipeline
const range = { from: '2024-05-01', to: '2024-05-31' }

const line = (tx: string, lineNo: number, fields: Partial<Record<string, unknown>> = {}) =>
  JSON.stringify({
    transaction_id: tx,
    line_no: lineNo,
    merchant_id: 'cafe',
    store_id: 's1',
    occurred_at: '2024-05-02 09:15:00',
    product_id: 'latte',
    quantity: 1,
    unit_price: '3.50',
    ...fields,
  })

async function* bodyOf(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text)
}

const load = (lines: string[], batchId: string) =>
  pipeline.run({
    kind: 'transactions',
    format: 'ndjson',
    source: 'test',
    body: bodyOf(lines.join('\n') + '\n'),
    gzip: false,
    batchId,
    scope: '',
    allowedMerchants: undefined,
  })

/** Baskets and baskets per product as the lines say, counted distinct by hand. */
async function byHand(merchant: string) {
  const [total] = await rows<{ baskets: number }>(
    db,
    `SELECT uniqExact(store_id, transaction_id) AS baskets FROM transactions
     WHERE merchant_id = {m:String} AND status = 'completed'`,
    { m: merchant },
  )
  const products = await rows<{ productId: string; transactions: number }>(
    db,
    `SELECT product_id AS productId, uniqExact(store_id, transaction_id) AS transactions FROM transactions
     WHERE merchant_id = {m:String} AND status = 'completed' GROUP BY product_id ORDER BY product_id`,
    { m: merchant },
  )
  return { baskets: total?.baskets, products }
}

/** Every route's baskets from every source equal the hand count, and every rollup equals the lines. */
async function expectExact(merchant: string) {
  expect(await derivedMismatches(db, merchant, range)).toEqual([])
  const scope = await resolveInsightsScope(db, merchant, range, { rangeDays: 1100 })
  const hand = await byHand(merchant)
  for (const source of ['raw', 'storeRollup'] as const)
    expect((await summary(db, scope, { source })).transactions).toBe(hand.baskets)
  for (const source of ['raw', 'productDailyRollup'] as const) {
    const products = await salesByProduct(db, scope, { limit: 100, source })
    expect(
      products
        .map((p) => ({ productId: p.productId, transactions: p.transactions }))
        .sort((a, b) => a.productId.localeCompare(b.productId)),
    ).toEqual(hand.products)
  }
  // By store: the picker sends per-product questions for chosen stores to the lines.
  const s1 = { ...scope, stores: ['s1'] }
  const [s1Baskets] = await rows<{ n: number }>(
    db,
    `SELECT uniqExact(transaction_id) AS n FROM transactions
     WHERE merchant_id = {m:String} AND store_id = 's1' AND status = 'completed'`,
    { m: merchant },
  )
  expect((await summary(db, s1)).transactions).toBe(s1Baskets?.n)
}

beforeAll(async () => {
  db = await createTestDb()
  await db.client.command({
    query: `INSERT INTO stores (merchant_id, store_id, name, lat, lon, timezone, country, city, currency)
            VALUES ('cafe', 's1', 'One', 40.7, -74, 'America/New_York', 'US', 'New York', 'USD'),
                   ('cafe', 's2', 'Two', 40.7, -74, 'America/New_York', 'US', 'New York', 'USD'),
                   ('deli', 's1', 'One', 40.7, -74, 'America/New_York', 'US', 'New York', 'USD')`,
  })
  // Small chunks: a basket's lines fall into several chunks of one batch.
  pipeline = createPipeline({ db, pseudonymKey: testPseudonymKey, chunkBytes: 600 })
})
afterAll(() => db.cleanup())

describe('basket flags', () => {
  it('flags one line per basket and per basket and product within a batch, duplicates left out', async () => {
    const ledger = await load(
      [
        line('a', 1),
        line('a', 2, { product_id: 'mocha', unit_price: '4.10' }),
        line('a', 3),
        // The same key again inside the batch: a duplicate, stored once.
        line('a', 2, { product_id: 'mocha', unit_price: '4.10' }),
        // The same transaction id at another store is another basket; at the same key it is a duplicate.
        line('a', 4, { store_id: 's2' }),
        line('a', 4, { store_id: 's1', product_id: 'muffin' }),
        line('b', 1, { status: 'refunded' }),
        line('b', 2),
      ],
      'first',
    )
    expect(ledger).toMatchObject({ received: 8, inserted: 6, duplicates: 2 })
    expect(
      await rows(
        db,
        `SELECT transaction_id AS tx, store_id AS store, line_no AS n, toString(status) AS status,
                basket_first AS b, product_first AS p
         FROM transactions WHERE merchant_id = 'cafe' ORDER BY tx, store, n`,
      ),
    ).toEqual([
      { tx: 'a', store: 's1', n: 1, status: 'completed', b: 1, p: 1 },
      { tx: 'a', store: 's1', n: 2, status: 'completed', b: 0, p: 1 },
      { tx: 'a', store: 's1', n: 3, status: 'completed', b: 0, p: 0 },
      { tx: 'a', store: 's2', n: 4, status: 'completed', b: 1, p: 1 },
      // A basket's refunded lines are a basket of their own for the flags: reports count completed lines.
      { tx: 'b', store: 's1', n: 1, status: 'refunded', b: 1, p: 1 },
      { tx: 'b', store: 's1', n: 2, status: 'completed', b: 1, p: 1 },
    ])
    await expectExact('cafe')
  })

  it('counts a basket once when its lines arrive in later batches, replayed or not', async () => {
    // Late lines of stored baskets (one with a product the basket already holds, one with a new one),
    // a new basket, and lines already stored, in a batch of their own.
    const late = [
      line('a', 5),
      line('a', 6, { product_id: 'scone', unit_price: '2.75' }),
      line('a', 1),
      line('c', 1, { occurred_at: '2024-05-03 10:00:00' }),
      line('b', 3, { product_id: 'mocha', unit_price: '4.10' }),
    ]
    expect(await load(late, 'late')).toMatchObject({ received: 5, inserted: 4, duplicates: 1 })
    await expectExact('cafe')
    // The same batch again (same id), and the same lines under another id: nothing more is stored.
    expect(await load(late, 'late')).toMatchObject({ inserted: 4, duplicates: 1 })
    expect(await load(late, 'late-again')).toMatchObject({ received: 5, inserted: 0, duplicates: 5 })
    const [flags] = await rows<{ baskets: number; products: number }>(
      db,
      `SELECT sum(basket_first) AS baskets, sum(product_first) AS products FROM transactions
       WHERE merchant_id = 'cafe' AND status = 'completed'`,
    )
    // Baskets a@s1, a@s2, b, c; baskets and products a@s1 latte, mocha, scone; a@s2; b latte, mocha; c.
    expect(flags).toEqual({ baskets: 4, products: 7 })
    await expectExact('cafe')
  })

  it('compares stored baskets by their keys, not only their hashes', async () => {
    // deli's basket a at s1 has the basket_hash of cafe's (the hash leaves the merchant out): it is
    // still deli's first line of it.
    expect(await load([line('a', 1, { merchant_id: 'deli' })], 'deli')).toMatchObject({ inserted: 1 })
    expect(
      await rows(
        db,
        `SELECT basket_first AS b, product_first AS p FROM transactions WHERE merchant_id = 'deli'`,
      ),
    ).toEqual([{ b: 1, p: 1 }])
    await expectExact('deli')
    await expectExact('cafe')
  })

  it('sets the flags of staged inserts (demo, fixtures) against the stored lines too', async () => {
    const at = { at: '2024-05-04 14:00:00', local: '2024-05-04 10:00:00', category: '' }
    await insertLines(db, [
      { store: 's1', tx: 'a', line: 7, product: 'latte', qty: '1', amount: '3.50', ...at },
      { store: 's2', tx: 'staged', line: 2, product: 'latte', qty: '1', amount: '3.50', ...at },
      { store: 's2', tx: 'staged', line: 1, product: 'latte', qty: '1', amount: '3.50', ...at },
    ])
    await insertLines(db, [
      { store: 's2', tx: 'staged', line: 3, product: 'tea', qty: '1', amount: '2', ...at },
    ])
    expect(
      await rows(
        db,
        `SELECT line_no AS n, basket_first AS b, product_first AS p FROM transactions
         WHERE merchant_id = 'cafe' AND transaction_id = 'staged' ORDER BY n`,
      ),
    ).toEqual([
      { n: 1, b: 1, p: 1 },
      { n: 2, b: 0, p: 0 },
      { n: 3, b: 0, p: 1 },
    ])
    await expectExact('cafe')
  })
})

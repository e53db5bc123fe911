import { tableFromArrays, tableToIPC } from 'apache-arrow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BatchError, createPipeline, type Pipeline } from '../../pipelines/createPipeline.ts'
import { testPseudonymKey } from '../support/testApp.ts'
import { createTestDb, rows } from '../support/testDb.ts'

// Many small chunks: each is staged while the one before it is checked and stored, on another connection.
let db: Awaited<ReturnType<typeof createTestDb>>
let pipeline: Pipeline

const line = (i: number, fields: Partial<Record<string, unknown>> = {}) =>
  JSON.stringify({
    transaction_id: `c${i}`,
    merchant_id: 'cafe',
    store_id: 's1',
    occurred_at: `2024-05-01 ${String(8 + (i % 10)).padStart(2, '0')}:00:00`,
    product_id: 'latte',
    quantity: 1,
    unit_price: '3.50',
    ...fields,
  })

async function* bodyOf(text: string): AsyncGenerator<Buffer> {
  // Uneven pieces, as a socket delivers them.
  for (let at = 0; at < text.length; at += 777) yield Buffer.from(text.slice(at, at + 777))
}

const load = (text: string, batchId: string, format: 'ndjson' | 'csv' = 'ndjson') =>
  pipeline.run({
    kind: 'transactions',
    format,
    source: 'test',
    body: bodyOf(text),
    gzip: false,
    batchId,
    scope: '',
    allowedMerchants: undefined,
  })

beforeAll(async () => {
  db = await createTestDb()
  await db.client.command({
    query: `INSERT INTO stores (merchant_id, store_id, name, lat, lon, timezone, country, city, currency)
            VALUES ('cafe', 's1', 'One', 40.7, -74, 'America/New_York', 'US', 'New York', 'USD')`,
  })
  pipeline = createPipeline({ db, pseudonymKey: testPseudonymKey, chunkBytes: 4096, sliceRows: 3 })
})
afterAll(() => db.cleanup())

describe('a batch of many chunks', () => {
  it('numbers lines across chunks, keeps every good row and quarantines each bad one by its line', async () => {
    const bad = new Map([
      [7, { quantity: -1 }],
      [180, { currency: 'XXX', store_id: 'nowhere' }],
      [399, { occurred_at: 'yesterday' }],
    ])
    const text = Array.from({ length: 400 }, (_, i) => line(i + 1, bad.get(i + 1))).join('\n') + '\n'
    expect(text.length).toBeGreaterThan(10 * 4096)
    const ledger = await load(text, 'many')
    expect(ledger).toMatchObject({ status: 'done', received: 400, inserted: 397, duplicates: 0, rejected: 3 })
    for (const at of [ledger.startedAt, ledger.finishedAt]) {
      expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    }
    expect(
      await rows(
        db,
        `SELECT line_no, reason, field FROM ingest_rejects WHERE batch_id = 'many' ORDER BY line_no`,
      ),
    ).toEqual([
      { line_no: 7, reason: 'negative_quantity', field: 'quantity' },
      { line_no: 180, reason: 'unknown_store', field: 'store_id' },
      { line_no: 399, reason: 'bad_timestamp', field: 'occurred_at' },
    ])
    const [stored] = await rows<{ n: number; first: string; last: string }>(
      db,
      `SELECT count() AS n, min(toUInt32(substring(transaction_id, 2))) AS first,
              max(toUInt32(substring(transaction_id, 2))) AS last
       FROM transactions WHERE batch_id = 'many'`,
    )
    expect(stored).toEqual({ n: 397, first: 1, last: 400 })

    // The same lines again, as CSV (a header line first): every one is a duplicate or the same reject.
    const csvText =
      'transaction_id,merchant_id,store_id,occurred_at,product_id,quantity,unit_price\n' +
      text
        .trim()
        .split('\n')
        .map((l) => {
          const r = JSON.parse(l) as Record<string, string | number>
          return [
            r.transaction_id,
            r.merchant_id,
            r.store_id,
            r.occurred_at,
            r.product_id,
            r.quantity,
            r.unit_price,
          ]
            .map(String)
            .join(',')
        })
        .join('\n')
    const again = await load(csvText, 'many-again', 'csv')
    expect(again).toMatchObject({ status: 'done', received: 400, inserted: 0, duplicates: 397, rejected: 3 })
    expect(
      await rows(db, `SELECT line_no FROM ingest_rejects WHERE batch_id = 'many-again' ORDER BY line_no`),
    ).toEqual([{ line_no: 8 }, { line_no: 181 }, { line_no: 400 }])
  })

  it('stores every chunk before a broken line in a later chunk and names that line', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => line(1000 + i))
    lines.splice(250, 0, '{"transaction_id": "broken", ')
    const error = await load(lines.join('\n') + '\n', 'broken').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BatchError)
    expect((error as BatchError).message).toMatch(/^batch broken: line 251: /)
    expect((error as BatchError).ledger).toMatchObject({ status: 'failed', received: 250, inserted: 250 })
    const [stored] = await rows(db, `SELECT count() AS n FROM transactions WHERE batch_id = 'broken'`)
    expect(stored).toEqual({ n: 250 })
  })

  it('checks and stores an Arrow body in slices of rows, numbering lines across them', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `a${i + 1}`)
    const table = tableFromArrays({
      transaction_id: ids,
      merchant_id: ids.map(() => 'cafe'),
      store_id: ids.map(() => 's1'),
      occurred_at: ids.map(() => '2024-06-01 12:00:00'),
      product_id: ids.map(() => 'latte'),
      quantity: ids.map((_, i) => (i === 4 || i === 9 ? '-2' : '1')),
      unit_price: ids.map(() => '3.50'),
    })
    async function* arrowBody(): AsyncGenerator<Buffer> {
      yield Buffer.from(tableToIPC(table, 'stream'))
    }
    const ledger = await pipeline.run({
      kind: 'transactions',
      format: 'arrow',
      source: 'test',
      body: arrowBody(),
      gzip: false,
      batchId: 'sliced',
      scope: '',
      allowedMerchants: undefined,
    })
    expect(ledger).toMatchObject({ status: 'done', received: 10, inserted: 8, duplicates: 0, rejected: 2 })
    expect(
      await rows(db, `SELECT line_no, reason FROM ingest_rejects WHERE batch_id = 'sliced' ORDER BY line_no`),
    ).toEqual([
      { line_no: 5, reason: 'negative_quantity' },
      { line_no: 10, reason: 'negative_quantity' },
    ])
    expect(
      await rows(
        db,
        `SELECT groupArray(transaction_id) AS ids FROM (SELECT transaction_id FROM transactions WHERE batch_id = 'sliced' ORDER BY toUInt32(substring(transaction_id, 2)))`,
      ),
    ).toEqual([{ ids: ['a1', 'a2', 'a3', 'a4', 'a6', 'a7', 'a8', 'a9'] }])
  })
})

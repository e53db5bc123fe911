import { tableFromArrays, tableToIPC } from 'apache-arrow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchLedger, ErrorBody, RejectList } from '../../server/contract.ts'
import { startTestApp, type TestApp } from '../support/testApp.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
let app: TestApp
let admin: string

/** The server's defaults except a short line limit, so a line over it is cheap to send. */
const limits = { fieldChars: 500, lineBytes: 3_000_000, columns: 40 }

function post(kind: string, body: string, type = 'application/x-ndjson') {
  return app.call(`/api/v1/ingest/${kind}`, {
    method: 'POST',
    key: admin,
    body,
    headers: { 'content-type': type },
  })
}

const line = (id: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    transaction_id: id,
    merchant_id: 'cafe',
    store_id: 's1',
    occurred_at: '2024-05-01T10:00:00Z',
    product_id: 'latte',
    quantity: 1,
    unit_price: 3,
    currency: 'USD',
    ...fields,
  })

async function rejectsOf(batchId: string) {
  return ((await app.call(`/api/v1/ingest/batches/${batchId}/rejects`, { key: admin })).body as RejectList)
    .rows
}

beforeAll(async () => {
  db = await createTestDb()
  app = await startTestApp(db, { input: limits })
  admin = await app.key({ role: 'admin' })
})
afterAll(async () => {
  await app.close()
  await db.cleanup()
})

describe('field length', () => {
  it('quarantines a 2,000,000-character product_name as field_too_long and stores its neighbours', async () => {
    const huge = 'x'.repeat(2_000_000)
    const body = [line('t1'), line('t2', { product_name: huge }), line('t3', { product_name: 'Latte' })].join(
      '\n',
    )
    const response = await post('transactions', body)
    expect(response.status).toBe(200)
    const ledger = response.body as BatchLedger
    expect(ledger).toMatchObject({ received: 3, inserted: 2, rejected: 1, duplicates: 0, status: 'done' })
    expect(
      await rows(db, 'SELECT transaction_id, product_name FROM transactions ORDER BY transaction_id'),
    ).toEqual([
      { transaction_id: 't1', product_name: '' },
      { transaction_id: 't3', product_name: 'Latte' },
    ])
    const [reject, ...others] = await rejectsOf(ledger.batchId)
    expect(others).toEqual([])
    expect(reject).toMatchObject({
      lineNo: 2,
      reason: 'field_too_long',
      field: 'product_name',
      message: 'product_name is longer than the limit of 500 characters (MAX_FIELD_CHARS)',
    })
    // Quarantine keeps the row, with the long value cut at the limit.
    const raw = JSON.parse(reject?.raw ?? '{}') as Record<string, string>
    expect(raw.product_name).toBe('x'.repeat(500) + '…')
    expect(raw.transaction_id).toBe('t2')
  })

  it('counts characters, not bytes, and holds for ids, categories and every kind', async () => {
    const accented = 'é'.repeat(500)
    const body = [
      line('a1', { product_name: accented }),
      line('a2', { category: accented + 'é' }),
      line('i'.repeat(501)),
    ].join('\n')
    const ledger = (await post('transactions', body)).body as BatchLedger
    expect(ledger).toMatchObject({ received: 3, inserted: 1, rejected: 2 })
    expect((await rejectsOf(ledger.batchId)).map((r) => [r.lineNo, r.reason, r.field])).toEqual([
      [2, 'field_too_long', 'category'],
      [3, 'field_too_long', 'transaction_id'],
    ])
    expect(
      await rows(db, `SELECT lengthUTF8(product_name) AS n FROM transactions WHERE transaction_id = 'a1'`),
    ).toEqual([{ n: 500 }])

    const stores = [
      'merchant_id,store_id,name,lat,lon,timezone,country,city,currency',
      `cafe,s9,${'n'.repeat(600)},40.7,-74,America/New_York,US,New York,USD`,
      'cafe,s8,Eight,40.7,-74,America/New_York,US,New York,USD',
    ].join('\n')
    const storeLedger = (await post('stores', stores, 'text/csv')).body as BatchLedger
    expect(storeLedger).toMatchObject({ received: 2, inserted: 1, rejected: 1 })
    expect((await rejectsOf(storeLedger.batchId)).map((r) => [r.reason, r.field])).toEqual([
      ['field_too_long', 'name'],
    ])
    const weather = `station_id,lat,lon,observed_at,temperature_c,condition\nKJFK,40.6,-73.8,2024-05-01T10:00:00Z,12,${'r'.repeat(501)}\n`
    const weatherLedger = (await post('weather', weather, 'text/csv')).body as BatchLedger
    expect((await rejectsOf(weatherLedger.batchId)).map((r) => [r.reason, r.field])).toEqual([
      ['field_too_long', 'condition'],
    ])
  })
})

describe('line length and columns', () => {
  it('stops at a line over MAX_LINE_BYTES, naming it, after storing the lines before it', async () => {
    const long = line('L2', { note: 'y'.repeat(limits.lineBytes) })
    const response = await post('transactions', [line('L1'), long, line('L3')].join('\n'))
    expect(response.status).toBe(400)
    const { error } = response.body as ErrorBody
    expect(error.code).toBe('malformed_stream')
    expect(error.message).toMatch(
      /^batch \S+: line 2: longer than the limit of 3000000 bytes \(MAX_LINE_BYTES\)$/,
    )
    expect(
      await rows(db, `SELECT transaction_id FROM transactions WHERE transaction_id LIKE 'L%' ORDER BY 1`),
    ).toEqual([{ transaction_id: 'L1' }])
  })

  it('refuses a CSV header naming more columns than MAX_COLUMNS', async () => {
    const columns = Array.from({ length: 41 }, (_, i) => `c${i}`)
    const response = await post('transactions', `${columns.join(',')}\n${columns.join(',')}\n`, 'text/csv')
    expect(response.status).toBe(400)
    expect((response.body as ErrorBody).error.message).toMatch(
      /^batch \S+: line 1: the header names 41 columns; the limit is 40 \(MAX_COLUMNS\)$/,
    )
  })
})

describe('columnar bodies', () => {
  // Arrow and Parquet are staged whole on disk and checked a slice at a time, so a body larger than a
  // text chunk loads; the body limit (MAX_INGEST_BYTES) still bounds it.
  const arrowBody = (prefix: string, n: number) =>
    Buffer.from(
      tableToIPC(
        tableFromArrays({
          transaction_id: Array.from({ length: n }, (_, i) => `${prefix}-${i}`),
          merchant_id: Array.from({ length: n }, () => 'cafe'),
          store_id: Array.from({ length: n }, () => 's1'),
          occurred_at: Array.from({ length: n }, () => '2025-03-01T10:00:00Z'),
          product_id: Array.from({ length: n }, () => 'p1'),
          quantity: Array.from({ length: n }, () => '1'),
          unit_price: Array.from({ length: n }, () => '2.5'),
          currency: Array.from({ length: n }, () => 'USD'),
        }),
        'stream',
      ),
    )

  it('loads an Arrow body larger than INGEST_CHUNK_BYTES whole, and refuses one over MAX_INGEST_BYTES', async () => {
    const body = arrowBody('arrow-big', 2000)
    const small = await startTestApp(db, { ingestChunkBytes: 4096, ingestBytes: body.length })
    try {
      expect(body.length).toBeGreaterThan(4096)
      const send = (payload: ReturnType<typeof arrowBody>) =>
        small.call('/api/v1/ingest/transactions', {
          method: 'POST',
          key: admin,
          body: payload,
          headers: { 'content-type': 'application/vnd.apache.arrow.stream' },
        })
      const loaded = await send(body)
      expect(loaded).toMatchObject({ status: 200, body: { status: 'done', received: 2000, inserted: 2000 } })
      expect(
        await rows(db, `SELECT count() AS n FROM transactions WHERE transaction_id LIKE 'arrow-big-%'`),
      ).toEqual([{ n: 2000 }])

      const over = arrowBody('arrow-over', 2100)
      expect(await send(over)).toMatchObject({
        status: 413,
        body: {
          error: { code: 'too_large', message: `the body is larger than the limit of ${body.length} bytes` },
        },
      })
      expect(
        await rows(db, `SELECT count() AS n FROM transactions WHERE transaction_id LIKE 'arrow-over-%'`),
      ).toEqual([{ n: 0 }])
    } finally {
      await small.close()
    }
  })
})

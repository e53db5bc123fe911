import { createHmac } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { tableFromArrays, tableToIPC } from 'apache-arrow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchLedger, RejectList } from '../../server/contract.ts'
import { startTestApp, testPseudonymKey, type TestApp } from '../support/testApp.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
let app: TestApp
let admin: string
let cafeKey: string

const header =
  'transaction_id,line_no,merchant_id,store_id,occurred_at,product_id,quantity,unit_price,currency,customer_id'
const good = [
  't1,1,cafe,s1,2023-03-12 02:30:00,latte,2,3.50,,alice',
  't1,2,cafe,s1,2023-03-12 02:30:00,scone,1,2.25,,alice',
  't2,1,cafe,s1,2023-11-05 01:30:00,mocha,1,4.10,,',
  't3,1,cafe,s1,2023-06-01T10:00:00+02:00,latte,3,3.50,USD,bob',
]

function post(
  kind: string,
  body: BodyInit,
  init: { type?: string; key?: string; headers?: HeadersInit } = {},
) {
  const headers = new Headers(init.headers)
  headers.set('content-type', init.type ?? 'text/csv')
  return app.call(`/api/v1/ingest/${kind}`, { method: 'POST', key: init.key ?? admin, body, headers })
}

const csv = (lines: string[]) => [header, ...lines].join('\n') + '\n'

async function ledgerOf(response: { status: number; body: unknown }): Promise<BatchLedger> {
  expect(response.status, JSON.stringify(response.body)).toBe(200)
  const ledger = response.body as BatchLedger
  expect(ledger.received).toBe(ledger.inserted + ledger.duplicates + ledger.rejected)
  return ledger
}

beforeAll(async () => {
  db = await createTestDb()
  app = await startTestApp(db)
  admin = await app.key({ role: 'admin' })
  cafeKey = await app.key({ role: 'merchant', merchantId: 'cafe' })
  const stores = [
    'merchant_id,store_id,name,lat,lon,timezone,country,city,currency',
    'cafe,s1,One,40.7,-74,America/New_York,US,New York,USD',
    'shop,p1,Paris,48.8,2.3,Europe/Paris,FR,Paris,EUR',
  ].join('\n')
  await ledgerOf(await post('stores', stores))
})
afterAll(async () => {
  await app.close()
  await db.cleanup()
})

describe('POST /api/v1/ingest/transactions', () => {
  it('stores good rows in UTC with the store wall clock, resolving the DST gap and overlap', async () => {
    const ledger = await ledgerOf(
      await post('transactions', csv(good), { headers: { 'idempotency-key': 'b1' } }),
    )
    expect(ledger).toMatchObject({ batchId: 'b1', status: 'done', received: 4, inserted: 4, duplicates: 0 })
    expect(
      await rows(
        db,
        `SELECT transaction_id, line_no, toString(occurred_at) AS at, toString(local_at) AS local,
                toString(amount) AS amount, currency, store_country, customer_key, batch_id
         FROM transactions ORDER BY transaction_id, line_no`,
      ),
    ).toEqual([
      // 02:30 does not exist on 2023-03-12 in New York: read with the offset before the gap (EST) = 03:30 EDT.
      {
        transaction_id: 't1',
        line_no: 1,
        at: '2023-03-12 07:30:00.000',
        local: '2023-03-12 03:30:00',
        amount: '7',
        currency: 'USD',
        store_country: 'US',
        customer_key: createHmac('sha256', testPseudonymKey).update('alice').digest('hex').slice(0, 32),
        batch_id: 'b1',
      },
      {
        transaction_id: 't1',
        line_no: 2,
        at: '2023-03-12 07:30:00.000',
        local: '2023-03-12 03:30:00',
        amount: '2.25',
        currency: 'USD',
        store_country: 'US',
        customer_key: createHmac('sha256', testPseudonymKey).update('alice').digest('hex').slice(0, 32),
        batch_id: 'b1',
      },
      // 01:30 happens twice on 2023-11-05: the first (EDT, UTC-4) is taken.
      {
        transaction_id: 't2',
        line_no: 1,
        at: '2023-11-05 05:30:00.000',
        local: '2023-11-05 01:30:00',
        amount: '4.1',
        currency: 'USD',
        store_country: 'US',
        customer_key: '',
        batch_id: 'b1',
      },
      // An explicit offset wins over the store's zone; local_at is the store's wall clock of that instant.
      {
        transaction_id: 't3',
        line_no: 1,
        at: '2023-06-01 08:00:00.000',
        local: '2023-06-01 04:00:00',
        amount: '10.5',
        currency: 'USD',
        store_country: 'US',
        customer_key: createHmac('sha256', testPseudonymKey).update('bob').digest('hex').slice(0, 32),
        batch_id: 'b1',
      },
    ])
  })

  it('is idempotent: the same lines again, split, reordered and repeated, insert nothing', async () => {
    const replay = await ledgerOf(
      await post('transactions', csv(good), { headers: { 'idempotency-key': 'b1' } }),
    )
    expect(replay).toMatchObject({ batchId: 'b1', received: 4, inserted: 4 })
    const reordered = [good[3]!, good[0]!, good[0]!]
    const again = await ledgerOf(await post('transactions', csv(reordered)))
    expect(again).toMatchObject({ received: 3, inserted: 0, duplicates: 3, rejected: 0 })
    const asNdjson = [good[2]!, good[1]!]
      .map((line) => {
        const [
          transaction_id,
          line_no,
          merchant_id,
          store_id,
          occurred_at,
          product_id,
          quantity,
          unit_price,
        ] = line.split(',')
        return JSON.stringify({
          transaction_id,
          line_no: Number(line_no),
          merchant_id,
          store_id,
          occurred_at,
          product_id,
          quantity: Number(quantity),
          unit_price: Number(unit_price),
        })
      })
      .join('\n')
    const json = await ledgerOf(await post('transactions', asNdjson, { type: 'application/x-ndjson' }))
    expect(json).toMatchObject({ received: 2, inserted: 0, duplicates: 2 })
    const repeatedWithin = [
      'n1,1,cafe,s1,2023-05-01 10:00:00,latte,1,3,,',
      'n1,1,cafe,s1,2023-05-01 10:00:00,mocha,1,9,,',
    ]
    const within = await ledgerOf(await post('transactions', csv(repeatedWithin)))
    expect(within).toMatchObject({ received: 2, inserted: 1, duplicates: 1 })
    // The first of two lines with the same key wins.
    expect(await rows(db, "SELECT product_id FROM transactions WHERE transaction_id = 'n1'")).toEqual([
      { product_id: 'latte' },
    ])
    expect(await rows(db, 'SELECT count() AS n FROM transactions')).toEqual([{ n: 5 }])
  })

  it('answers 409 when a batch id is reused with different content', async () => {
    const conflict = await post('transactions', csv([good[0]!]), { headers: { 'idempotency-key': 'b1' } })
    expect(conflict).toMatchObject({ status: 409, body: { error: { code: 'batch_conflict' } } })
  })

  it('quarantines each bad row with its reason, field, line and raw text; stores the rest', async () => {
    const lines = [
      'r1,1,cafe,s1,yesterday,latte,1,3,,',
      'r2,1,cafe,s1,2023-06-01 10:00:00,,1,3,,',
      'r3,1,cafe,s1,2023-06-01 10:00:00,latte,1,3,XXX,',
      'r4,1,cafe,s1,2023-06-01 10:00:00,latte,-2,3,,',
      'r5,1,cafe,nowhere,2023-06-01 10:00:00,latte,1,3,USD,',
      'r6,1,cafe,s1,2023-06-01 10:00:00,latte,1,3,,4111 1111 1111 1111',
      'r7,1,cafe,s1,2023-06-01 10:00:00,latte,1,3,,',
      'r8,1,cafe,nowhere,2023-06-01T10:00:00Z,latte,1,3,USD,',
      'r9,1,cafe,s1,2023-06-01 10:00:00,latte,1,3,,id-4111111111111111',
      'r10,1,cafe,s1,2023-06-01 10:00:00,latte,1,3,,ab4111111111111111cd',
      // A barcode (EAN-13) as product id that passes the Luhn check too: a product, not a card.
      'r11,1,cafe,s1,2023-06-01 10:00:00,4006381333023,1,3,,',
      'r12,1,cafe,s1,2023-06-01 10:00:00,latte,abc,3,,',
    ]
    const ledger = await ledgerOf(
      await post('transactions', csv(lines), { headers: { 'idempotency-key': 'bad' } }),
    )
    expect(ledger).toMatchObject({ received: 12, inserted: 4, duplicates: 0, rejected: 8 })
    const rejects = await app.call('/api/v1/ingest/batches/bad/rejects', { key: admin })
    expect(rejects.status).toBe(200)
    const list = rejects.body as RejectList
    expect(list.rows.map((r) => [r.lineNo, r.reason, r.field])).toEqual([
      [2, 'bad_timestamp', 'occurred_at'],
      [3, 'missing_field', 'product_id'],
      [4, 'unknown_currency', 'currency'],
      [5, 'negative_quantity', 'quantity'],
      [6, 'unknown_store', 'store_id'],
      [7, 'card_number', 'customer_id'],
      [10, 'card_number', 'customer_id'],
      [13, 'bad_number', 'quantity'],
    ])
    // Each message says what was wrong, quoting the value where it helps.
    expect(list.rows.map((r) => r.message)).toEqual([
      'not a timestamp (RFC 3339 with offset, or local YYYY-MM-DD HH:MM:SS): yesterday',
      'product_id is required',
      'not an ISO 4217 currency: XXX',
      'quantity must be greater than 0; refunds use status = refunded',
      'store nowhere of cafe is not known and the time has no offset: load the store first or send times with an offset',
      'a full card number is never stored; the row is kept here with it masked',
      'a full card number is never stored; the row is kept here with it masked',
      'not a number: abc',
    ])
    expect(JSON.parse(list.rows[0]!.raw)).toEqual({
      transaction_id: 'r1',
      line_no: '1',
      merchant_id: 'cafe',
      store_id: 's1',
      occurred_at: 'yesterday',
      product_id: 'latte',
      quantity: '1',
      unit_price: '3',
    })
    expect(list.rows[5]!.raw).toContain('"customer_id":"[card number removed]"')
    expect(JSON.stringify(list)).not.toContain('4111')
    expect(
      await rows(
        db,
        "SELECT transaction_id, store_country FROM transactions WHERE batch_id = 'bad' ORDER BY 1",
      ),
    ).toEqual([
      { transaction_id: 'r10', store_country: 'US' },
      { transaction_id: 'r11', store_country: 'US' },
      { transaction_id: 'r7', store_country: 'US' },
      { transaction_id: 'r8', store_country: '' },
    ])
    const stored = await rows<{ n: number }>(
      db,
      "SELECT count() AS n FROM transactions WHERE position(customer_key, '4111') > 0 OR transaction_id = 'r6'",
    )
    expect(stored).toEqual([{ n: 0 }])
  })

  it('names the broken line of a malformed stream and keeps what came before it', async () => {
    const ndjson = [
      JSON.stringify({
        transaction_id: 'j1',
        merchant_id: 'cafe',
        store_id: 's1',
        occurred_at: '2023-07-01T09:00:00Z',
        product_id: 'latte',
        quantity: 1,
        unit_price: 3,
      }),
      JSON.stringify({
        transaction_id: 'j2',
        merchant_id: 'cafe',
        store_id: 's1',
        occurred_at: '2023-07-01T09:01:00Z',
        product_id: 'latte',
        quantity: 1,
        unit_price: 3,
      }),
      '{"transaction_id": "j3", "merchant_id": ',
      JSON.stringify({
        transaction_id: 'j4',
        merchant_id: 'cafe',
        store_id: 's1',
        occurred_at: '2023-07-01T09:02:00Z',
        product_id: 'latte',
        quantity: 1,
        unit_price: 3,
      }),
    ].join('\n')
    const broken = await post('transactions', ndjson, {
      type: 'application/x-ndjson',
      headers: { 'idempotency-key': 'broken' },
    })
    expect(broken.status).toBe(400)
    expect(broken.body).toMatchObject({ error: { code: 'malformed_stream' } })
    expect((broken.body as { error: { message: string } }).error.message).toMatch(/^batch broken: line 3: /)
    expect(
      await rows(db, "SELECT transaction_id FROM transactions WHERE batch_id = 'broken' ORDER BY 1"),
    ).toEqual([{ transaction_id: 'j1' }, { transaction_id: 'j2' }])
    const batches = await app.call('/api/v1/ingest/batches', { key: admin })
    const ledger = (batches.body as { rows: BatchLedger[] }).rows.find((b) => b.batchId === 'broken')
    expect(ledger).toMatchObject({ status: 'failed', received: 2, inserted: 2, duplicates: 0, rejected: 0 })

    const wrongColumns = await post(
      'transactions',
      csv([...good, 'x,1,cafe,s1,2023-01-01 10:00:00,latte,1,3,,,extra']),
    )
    expect(wrongColumns.status).toBe(400)
    expect((wrongColumns.body as { error: { message: string } }).error.message).toMatch(/line 6: /)
  })

  it('reads gzip and reports a truncated gzip stream', async () => {
    const line = 'g1,1,cafe,s1,2023-08-01 12:00:00,latte,1,3,,'
    const zipped = gzipSync(csv([line]))
    const ok = await ledgerOf(
      await post('transactions', zipped, {
        headers: { 'content-encoding': 'gzip', 'idempotency-key': 'gz' },
      }),
    )
    expect(ok).toMatchObject({ received: 1, inserted: 1 })
    const truncated = await post('transactions', zipped.subarray(0, zipped.length - 12), {
      headers: { 'content-encoding': 'gzip' },
    })
    expect(truncated.status).toBe(400)
    expect((truncated.body as { error: { message: string } }).error.message).toMatch(
      /gzip stream is truncated/,
    )
  })

  it('loads Arrow IPC streams', async () => {
    const table = tableFromArrays({
      transaction_id: ['a1', 'a2'],
      merchant_id: ['cafe', 'cafe'],
      store_id: ['s1', 's1'],
      occurred_at: ['2023-09-01 08:00:00', '2023-09-01 08:05:00'],
      product_id: ['latte', 'mocha'],
      quantity: Float64Array.from([1, 2]),
      unit_price: Float64Array.from([3.5, 4]),
    })
    const ledger = await ledgerOf(
      await post('transactions', Buffer.from(tableToIPC(table, 'stream')), {
        type: 'application/vnd.apache.arrow.stream',
      }),
    )
    expect(ledger).toMatchObject({ format: 'arrow', received: 2, inserted: 2 })
    expect(
      await rows(
        db,
        "SELECT transaction_id, toString(amount) AS amount FROM transactions WHERE transaction_id LIKE 'a%' ORDER BY 1",
      ),
    ).toEqual([
      { transaction_id: 'a1', amount: '3.5' },
      { transaction_id: 'a2', amount: '8' },
    ])
  })

  it('loads Parquet', async () => {
    const result = await db.client.exec({
      query: `SELECT concat('q', toString(number)) AS transaction_id, 'cafe' AS merchant_id, 's1' AS store_id,
                     '2023-09-02 08:00:00' AS occurred_at, 'latte' AS product_id, toFloat64(number + 1) AS quantity,
                     toDecimal64(3.25, 2) AS unit_price
              FROM numbers(3) FORMAT Parquet`,
    })
    const parts: Buffer[] = []
    for await (const part of result.stream) parts.push(Buffer.from(part as Uint8Array))
    const ledger = await ledgerOf(
      await post('transactions', Buffer.concat(parts), { type: 'application/vnd.apache.parquet' }),
    )
    expect(ledger).toMatchObject({ format: 'parquet', received: 3, inserted: 3 })
    expect(
      await rows(
        db,
        "SELECT transaction_id, toString(amount) AS amount FROM transactions WHERE transaction_id LIKE 'q%' ORDER BY 1",
      ),
    ).toEqual([
      { transaction_id: 'q0', amount: '3.25' },
      { transaction_id: 'q1', amount: '6.5' },
      { transaction_id: 'q2', amount: '9.75' },
    ])
  })

  it('numbers the lines of a Parquet body of many row groups in file order, read on every core', async () => {
    // 200,000 rows in row groups of 10,000, which the engine's reader may hand on out of order when it reads
    // on two threads (a plain SELECT of such a file did in four runs of five; this test did not catch it in
    // three runs with rows numbered by arrival). Lines 150,138 and 190,846 have a negative quantity; line
    // 195,001 repeats line 5,001's key at another price, so the earlier line must win.
    const result = await db.client.exec({
      query: `SELECT concat('rg', toString(if(number = 195000, 5000, number))) AS transaction_id,
                     'shop' AS merchant_id, 'p1' AS store_id, '2023-09-03 08:00:00' AS occurred_at,
                     'latte' AS product_id, if(number IN (150137, 190845), -1, 1) AS quantity,
                     if(number = 195000, toDecimal64(99, 2), toDecimal64(number % 1000 + 1, 2)) AS unit_price
              FROM numbers(200000) FORMAT Parquet`,
      clickhouse_settings: { output_format_parquet_row_group_size: '10000' },
    })
    const parts: Buffer[] = []
    for await (const part of result.stream) parts.push(Buffer.from(part as Uint8Array))
    const ledger = await ledgerOf(
      await post('transactions', Buffer.concat(parts), {
        type: 'application/vnd.apache.parquet',
        headers: { 'idempotency-key': 'rg-1' },
      }),
    )
    expect(ledger).toMatchObject({ received: 200_000, inserted: 199_997, duplicates: 1, rejected: 2 })
    const rejects = await app.call('/api/v1/ingest/batches/rg-1/rejects', { key: admin })
    expect((rejects.body as RejectList).rows.map((r) => [r.lineNo, r.reason, r.raw.slice(0, 26)])).toEqual([
      [150_138, 'negative_quantity', '{"transaction_id":"rg15013'],
      [190_846, 'negative_quantity', '{"transaction_id":"rg19084'],
    ])
    expect(
      await rows(
        db,
        `SELECT transaction_id, toString(amount) AS amount FROM transactions
         WHERE transaction_id IN ('rg5000', 'rg194999', 'rg199999') ORDER BY 1`,
      ),
    ).toEqual([
      { transaction_id: 'rg194999', amount: '1000' },
      { transaction_id: 'rg199999', amount: '1000' },
      { transaction_id: 'rg5000', amount: '1' },
    ])
  })

  it('lets a merchant key load only its own merchant and see only its own batches', async () => {
    const lines = [
      'm1,1,cafe,s1,2023-10-01 10:00:00,latte,1,3,,',
      'm2,1,shop,p1,2023-10-01 10:00:00,latte,1,3,,',
    ]
    const ledger = await ledgerOf(
      await post('transactions', csv(lines), { key: cafeKey, headers: { 'idempotency-key': 'mine' } }),
    )
    expect(ledger).toMatchObject({ received: 2, inserted: 1, rejected: 1 })
    const rejects = await app.call('/api/v1/ingest/batches/mine/rejects', { key: cafeKey })
    expect((rejects.body as RejectList).rows.map((r) => r.reason)).toEqual(['forbidden_merchant'])
    const named = await app.call('/api/v1/ingest/transactions?source=october%20sales.csv', {
      method: 'POST',
      key: cafeKey,
      body: csv([lines[0] ?? '']),
      headers: { 'content-type': 'text/csv', 'idempotency-key': 'named' },
    })
    expect(named.body).toMatchObject({ source: 'october sales.csv', duplicates: 1 })
    const visible = await app.call('/api/v1/ingest/batches', { key: cafeKey })
    expect((visible.body as { rows: BatchLedger[] }).rows.map((b) => [b.batchId, b.source]).sort()).toEqual([
      ['mine', 'http'],
      ['named', 'october sales.csv'],
    ])
    expect((await app.call('/api/v1/ingest/batches/b1/rejects', { key: cafeKey })).status).toBe(404)
    expect((await post('weather', 'station_id\n', { key: cafeKey })).status).toBe(403)
  })

  it('refuses unknown media types, bodies over the limit and unknown mappings', async () => {
    expect((await post('transactions', '{}', { type: 'application/json' })).status).toBe(415)
    const small = await startTestApp(db, { ingestBytes: 1024 })
    try {
      const big = await small.call('/api/v1/ingest/transactions', {
        method: 'POST',
        key: admin,
        body: csv(Array.from({ length: 40 }, (_, i) => `big${i},1,cafe,s1,2023-01-01 10:00:00,latte,1,3,,`)),
        headers: { 'content-type': 'text/csv' },
      })
      expect(big).toMatchObject({ status: 413, body: { error: { code: 'too_large' } } })
    } finally {
      await small.close()
    }
    const unknown = await app.call('/api/v1/ingest/transactions?mapping=nope', {
      method: 'POST',
      key: admin,
      body: csv(good),
      headers: { 'content-type': 'text/csv' },
    })
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: 'unknown_mapping' } } })
    const badSource = await app.call('/api/v1/ingest/transactions?source=a%0Ab', {
      method: 'POST',
      key: admin,
      body: csv(good),
      headers: { 'content-type': 'text/csv' },
    })
    expect(badSource).toMatchObject({
      status: 400,
      body: { error: { message: 'source: must not hold control characters' } },
    })
  })
})

describe('reference data and the Data page', () => {
  it('loads weather through a preset with unit conversion, and FX rates', async () => {
    const asos = [
      'origin,temp,precip,time_hour,wind_dir',
      'JFK,32,0.1,2023-01-01T05:00:00Z,90',
      'EWR,50,,2023-01-01T05:00:00Z,',
    ]
    const response = await app.call('/api/v1/ingest/weather?mapping=asos-airports-hourly', {
      method: 'POST',
      key: admin,
      body: asos.join('\n'),
      headers: { 'content-type': 'text/csv' },
    })
    expect(await ledgerOf(response)).toMatchObject({ received: 2, inserted: 2 })
    expect(
      await rows(
        db,
        'SELECT station_id, lat, lon, toString(observed_at) AS at, temperature_c, precipitation_mm FROM weather_observations ORDER BY 1',
      ),
    ).toEqual([
      {
        station_id: 'EWR',
        lat: 40.6925,
        lon: -74.1687,
        at: '2023-01-01 05:00:00',
        temperature_c: 10,
        precipitation_mm: 0,
      },
      {
        station_id: 'JFK',
        lat: 40.6398,
        lon: -73.7789,
        at: '2023-01-01 05:00:00',
        temperature_c: 0,
        precipitation_mm: 2.54,
      },
    ])
    const fx = await ledgerOf(
      await post('fx-rates', 'date,base,quote,rate\n2023-01-02,EUR,USD,1.0683\n2023-01-02,EUR,ZZZ,1\n'),
    )
    expect(fx).toMatchObject({ received: 2, inserted: 1, rejected: 1 })
    expect(
      await rows(db, 'SELECT toString(date) AS d, base, quote, toString(rate) AS r FROM fx_rates'),
    ).toEqual([{ d: '2023-01-02', base: 'EUR', quote: 'USD', r: '1.0683' }])
  })

  it('reads the public layouts with their presets', async () => {
    const load = async (kind: string, mapping: string, body: string) =>
      ledgerOf(
        await app.call(`/api/v1/ingest/${kind}?mapping=${mapping}`, {
          method: 'POST',
          key: admin,
          body,
          headers: { 'content-type': 'text/csv' },
        }),
      )
    const maven = [
      'transaction_id,transaction_date,transaction_time,transaction_qty,store_id,store_location,product_id,unit_price,product_category,product_type,product_detail',
      "7,2023-01-01,07:06:11,2,8,Hell's Kitchen,32,3,Coffee,Gourmet brewed coffee,Ethiopia Rg",
      '8,2023-07-01,07:08:56,1,5,Lower Manhattan,57,3.1,Tea,Brewed Chai tea,Spicy Eye Opener Chai Lg',
    ]
    expect(await load('transactions', 'maven-coffee', maven.join('\n'))).toMatchObject({
      received: 2,
      inserted: 2,
    })
    expect(
      await rows(
        db,
        `SELECT store_id, toString(occurred_at) AS at, toString(local_at) AS local, product_name, toString(amount) AS amount,
                currency, store_country FROM transactions WHERE merchant_id = 'maven-roasters' ORDER BY at`,
      ),
    ).toEqual([
      {
        store_id: '8',
        at: '2023-01-01 12:06:11.000',
        local: '2023-01-01 07:06:11',
        product_name: 'Ethiopia Rg',
        amount: '6',
        currency: 'USD',
        store_country: 'US',
      },
      {
        store_id: '5',
        at: '2023-07-01 11:08:56.000',
        local: '2023-07-01 07:08:56',
        product_name: 'Spicy Eye Opener Chai Lg',
        amount: '3.1',
        currency: 'USD',
        store_country: 'US',
      },
    ])
    expect(
      await rows(
        db,
        "SELECT store_id, name FROM stores FINAL WHERE merchant_id = 'maven-roasters' ORDER BY 1",
      ),
    ).toEqual([
      { store_id: '3', name: 'Astoria' },
      { store_id: '5', name: 'Lower Manhattan' },
      { store_id: '8', name: "Hell's Kitchen" },
    ])

    const card = [
      ',trans_date_trans_time,cc_num,merchant,category,amt,first,last,gender,street,city,state,zip,lat,long,city_pop,job,dob,trans_num,unix_time,merch_lat,merch_long,is_fraud',
      '0,2019-01-01 00:00:18,2703186189652095,"fraud_Rippin, Kub and Mann",misc_net,4.97,Jennifer,Banks,F,561 Perry Cove,Moravian Falls,NC,28654,36.0788,-81.1781,3495,"Psychologist, counselling",1988-03-09,0b242abb623afc578575680df30655b9,1325376018,36.011293,-82.048315,0',
    ]
    expect(await load('transactions', 'card-transactions', card.join('\n'))).toMatchObject({
      received: 1,
      inserted: 1,
    })
    const [stored] = await rows<Record<string, unknown>>(
      db,
      "SELECT * EXCEPT (ingested_at, batch_id) FROM transactions WHERE merchant_id = 'card-demo'",
    )
    expect(stored).toMatchObject({
      store_id: 'fraud-rippin-kub-and-mann',
      transaction_id: '0b242abb623afc578575680df30655b9',
      occurred_at: '2019-01-01 05:00:18.000',
      category: 'misc_net',
      amount: 4.97,
      payment_method: 'card',
      customer_key: createHmac('sha256', testPseudonymKey)
        .update('Jennifer Banks 1988-03-09')
        .digest('hex')
        .slice(0, 32),
    })
    expect(JSON.stringify(stored)).not.toContain('2703186189652095')
    expect(JSON.stringify(stored)).not.toContain('36.0788')

    const meteo =
      'time,temperature_2m (°C),precipitation (mm),rain (mm),snowfall (cm)\n2023-01-01T00:00,9.7,0.4,0.4,0.00\n'
    expect(await load('weather', 'open-meteo-hourly', meteo)).toMatchObject({ received: 1, inserted: 1 })
    expect(
      await rows(
        db,
        "SELECT toString(observed_at) AS at, temperature_c, precipitation_mm FROM weather_observations WHERE station_id = 'open-meteo-nyc'",
      ),
    ).toEqual([{ at: '2023-01-01 00:00:00', temperature_c: 9.7, precipitation_mm: 0.4 }])
  })

  it('lists presets and freshness per source', async () => {
    const mappings = await app.call('/api/v1/ingest/mappings', { key: cafeKey })
    expect((mappings.body as { rows: { name: string }[] }).rows.map((m) => m.name)).toEqual([
      'asos-airports-hourly',
      'card-transactions',
      'maven-coffee',
      'open-meteo-hourly',
    ])
    const fresh = await app.call('/api/v1/ingest/freshness', { key: cafeKey })
    const byKey = (
      fresh.body as {
        rows: { source: string; merchantId: string | null; rows: number; newestEventAt: string | null }[]
      }
    ).rows
    expect(byKey.map((r) => [r.source, r.merchantId, r.rows])).toEqual([
      ['fx-rates', null, 1],
      ['stores', 'cafe', 1],
      ['transactions', 'cafe', 18],
      ['weather', null, 3],
    ])
    expect(byKey.find((r) => r.source === 'transactions')?.newestEventAt).toBe('2023-11-05T05:30:00Z')
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BatchError, createPipeline, type Pipeline } from '../../pipelines/createPipeline.ts'
import { repairDerived } from '../../server/db/derivedRepairs.ts'
import { derivedMismatches } from '../support/derivedConsistency.ts'
import { testPseudonymKey } from '../support/testApp.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
let pipeline: Pipeline
const range = { from: '2024-01-01', to: '2024-03-31' }

/**
 * NDJSON lines of baskets of two; line `boomAt` sells the product the armed view below refuses. A basket's
 * two lines lie a month apart, so every chunk's insert writes two monthly parts, and a failed insert that
 * stored one of them (the stand-in server does, under load) leaves baskets whose first line it never
 * stored: the repair sets their flags (repairBasketFlags).
 */
function body(count: number, boomAt: number): string {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      transaction_id: `t${Math.floor(i / 2)}`,
      line_no: (i % 2) + 1,
      merchant_id: 'cafe',
      store_id: 's1',
      occurred_at: `2024-0${1 + (i % 2)}-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:10:00Z`,
      product_id: i === boomAt ? 'boom' : `p${i % 5}`,
      quantity: 1,
      unit_price: 1.5,
      customer_id: `c${i % 13}`,
      customer_home_country: i % 3 ? 'US' : 'JP',
    }),
  ).join('\n')
}

const load = (text: string, batchId = 'live-1') =>
  pipeline.run({
    kind: 'transactions',
    format: 'ndjson',
    source: 'test',
    body: (async function* () {
      // Small pieces, so the chunks of chunkBytes are cut as the body arrives.
      for (let i = 0; i < text.length; i += 2000) yield Buffer.from(text.slice(i, i + 2000))
      yield Buffer.from('\n')
    })(),
    gzip: false,
    batchId,
    scope: '',
    allowedMerchants: undefined,
  })

beforeAll(async () => {
  db = await createTestDb()
  pipeline = createPipeline({ db, pseudonymKey: testPseudonymKey, chunkBytes: 8 << 10 })
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: [
      {
        merchant_id: 'cafe',
        store_id: 's1',
        name: 'One',
        lat: 40.7,
        lon: -74,
        timezone: 'America/New_York',
        country: 'US',
        city: 'New York',
        currency: 'USD',
      },
    ],
  })
  // An engine error in the middle of an insert, after transactions took the lines: one more view on
  // transactions that throws on the product 'boom' while `armed` holds a row.
  await db.client.command({ query: `CREATE TABLE armed (on UInt8) ENGINE = Memory` })
  await db.client.command({
    query: `CREATE TABLE boom (merchant_id String) ENGINE = MergeTree ORDER BY merchant_id`,
  })
  await db.client.command({
    query: `CREATE MATERIALIZED VIEW boom_mv TO boom AS
            SELECT merchant_id FROM transactions
            WHERE throwIf(product_id = 'boom' AND (SELECT count() FROM armed) > 0, 'injected failure') = 0`,
  })
})

afterAll(async () => {
  await db.cleanup()
})

describe('a batch whose insert fails in a live server', () => {
  it('rebuilds what the failed insert touched before anything else stores, without a restart', async () => {
    await db.client.command({ query: `INSERT INTO armed VALUES (1)` })
    const text = body(400, 250)
    const failed = await load(text).catch((err: unknown) => err)
    expect(failed).toBeInstanceOf(BatchError)
    expect((failed as BatchError).message).toContain('injected failure')
    const ledger = (failed as BatchError).ledger
    // The chunk of line 250 failed; the lines before it were committed and counted.
    expect(ledger?.status).toBe('failed')
    expect(ledger?.inserted).toBeGreaterThan(0)
    expect(ledger?.inserted).toBeLessThan(250)
    // The failed insert left its lines in transactions (beyond what the ledger counts) ...
    const [stored] = await rows<{ n: string }>(db, `SELECT count() AS n FROM transactions`)
    expect(Number(stored?.n)).toBeGreaterThan(ledger?.inserted ?? 0)
    // ... and the marks of the run were rebuilt and closed, so every rollup and report equals the lines.
    expect(await rows(db, `SELECT count() AS open FROM derived_repairs FINAL WHERE NOT repaired`)).toEqual([
      { open: 0 },
    ])
    expect(await derivedMismatches(db, 'cafe', range)).toEqual([])

    // Sent again once the failure is gone: the stored lines are duplicates, the rest goes in, still exact.
    await db.client.command({ query: `TRUNCATE TABLE armed` })
    const done = await load(text)
    expect(done).toMatchObject({ status: 'done', received: 400, rejected: 0 })
    expect(done.inserted + done.duplicates).toBe(400)
    expect(await rows(db, `SELECT count() AS n FROM transactions`)).toEqual([{ n: 400 }])
    expect(await derivedMismatches(db, 'cafe', range)).toEqual([])
  })

  it('sets basket flags right when an insert stored only one month of a basket, and keeps them on re-send', async () => {
    // Baskets of two lines, 31 January and 1 February (UTC and New York): one insert, two monthly parts.
    const split = Array.from({ length: 60 }, (_, i) =>
      JSON.stringify({
        transaction_id: `split${Math.floor(i / 2)}`,
        line_no: (i % 2) + 1,
        merchant_id: 'cafe',
        store_id: 's1',
        occurred_at: i % 2 ? '2024-02-01T15:00:00Z' : '2024-01-31T15:00:00Z',
        product_id: `p${i % 3}`,
        quantity: 1,
        unit_price: 2,
        customer_id: `c${i % 7}`,
      }),
    ).join('\n')
    expect(await load(split, 'split-1')).toMatchObject({ status: 'done', inserted: 60 })
    // The state an insert leaves when a view fails after February's part was stored and before January's
    // (seen on a server under load): February's lines, flagged "not first" because their first lines were
    // in the same insert, without those first lines; the run's months marked and never closed.
    await db.client.command({
      query: `ALTER TABLE transactions DELETE WHERE transaction_id LIKE 'split%' AND line_no = 1`,
      clickhouse_settings: { mutations_sync: '2' },
    })
    await db.client.command({
      query: `INSERT INTO derived_repairs (run_id, merchant_id, local_month)
              VALUES ('died', 'cafe', '2024-01-01'), ('died', 'cafe', '2024-02-01')`,
    })
    expect((await derivedMismatches(db, 'cafe', range)).join('\n')).toContain(
      'basketsWithoutOneFirstLine = 30',
    )

    expect(await repairDerived(db)).toBe(2)
    expect(await derivedMismatches(db, 'cafe', range)).toEqual([])
    // Sent again: the February lines are duplicates, January's arrive and are not first any more.
    expect(await load(split, 'split-2')).toMatchObject({ status: 'done', inserted: 30, duplicates: 30 })
    expect(await derivedMismatches(db, 'cafe', range)).toEqual([])
    expect(
      await rows(
        db,
        `SELECT sum(basket_first) AS baskets, sum(line_no = 2 AND basket_first) AS februaryFirst
         FROM transactions WHERE transaction_id LIKE 'split%'`,
      ),
    ).toEqual([{ baskets: 30, februaryFirst: 30 }])
  })
})

describe('a batch of many inserts', () => {
  it('keeps open only the months of the insert in flight: each completed insert closes its marks', async () => {
    // 84 lines, April to June, 28 a month, in slices of 28 rows: one month per insert.
    const result = await db.client.exec({
      query: `SELECT concat('m', toString(number)) AS transaction_id, 'cafe' AS merchant_id, 's1' AS store_id,
                     formatDateTime(toDateTime('2024-04-01 15:00:00', 'UTC') + toIntervalMonth(intDiv(number, 28))
                                    + toIntervalDay(number % 28), '%Y-%m-%d %H:%i:%S') AS occurred_at,
                     concat('p', toString(number % 5)) AS product_id, 1.0 AS quantity,
                     toDecimal64(1.5, 2) AS unit_price, concat('c', toString(number % 13)) AS customer_id
              FROM numbers(84) FORMAT Parquet`,
    })
    const parts: Buffer[] = []
    for await (const part of result.stream) parts.push(Buffer.from(part as Uint8Array))
    // What a crash right before each insert would leave to rebuild: the months still marked open.
    const openAtInsert: string[][] = []
    const client = new Proxy(db.client, {
      get(target, name, receiver) {
        const member: unknown = Reflect.get(target, name, receiver)
        if (name !== 'command' || typeof member !== 'function') return member
        return async (params: { clickhouse_settings?: { log_comment?: string } }) => {
          if (params.clickhouse_settings?.log_comment === 'ingestInsert_transactions') {
            const open = await rows<{ month: string }>(
              db,
              `SELECT DISTINCT toString(local_month) AS month FROM derived_repairs FINAL
               WHERE NOT repaired AND startsWith(run_id, 'months-1:') ORDER BY month`,
            )
            openAtInsert.push(open.map((o) => o.month))
          }
          return (member as (p: unknown) => Promise<unknown>).call(target, params)
        }
      },
    })
    const sliced = createPipeline({ db: { ...db, client }, pseudonymKey: testPseudonymKey, sliceRows: 28 })
    const done = await sliced.run({
      kind: 'transactions',
      format: 'parquet',
      source: 'test',
      body: (async function* () {
        yield Buffer.concat(parts)
      })(),
      gzip: false,
      batchId: 'months-1',
      scope: '',
      allowedMerchants: undefined,
    })
    expect(done).toMatchObject({ status: 'done', inserted: 84 })
    expect(openAtInsert).toEqual([['2024-04-01'], ['2024-05-01'], ['2024-06-01']])
    expect(await rows(db, `SELECT count() AS open FROM derived_repairs FINAL WHERE NOT repaired`)).toEqual([
      { open: 0 },
    ])
    expect(await derivedMismatches(db, 'cafe', { from: '2024-04-01', to: '2024-06-30' })).toEqual([])
  })
})

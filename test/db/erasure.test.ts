import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { customerKeyOf } from '../../server/db/customerKeyOf.ts'
import { derivedMismatches } from '../support/derivedConsistency.ts'
import { startTestApp, testPseudonymKey, type TestApp } from '../support/testApp.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
let app: TestApp
let admin: string
const range = { from: '2024-01-01', to: '2024-03-31' }
const alice = 'alice-4711'
const aliceKey = customerKeyOf(testPseudonymKey, alice)

const header =
  'transaction_id,line_no,merchant_id,store_id,occurred_at,product_id,quantity,unit_price,customer_id,customer_home_country'
/** Alice's baskets over three months (one across a local month end), others' around them, one of hers refused. */
const csv = [
  header,
  `a1,1,cafe,s1,2024-01-10T15:00:00Z,latte,1,3.50,${alice},JP`,
  `a1,2,cafe,s1,2024-01-10T15:00:00Z,muffin,2,2.25,${alice},JP`,
  `a2,1,cafe,s1,2024-02-01T02:00:00Z,latte,1,3.50,${alice},JP`,
  `a3,1,cafe,s1,2024-03-05T12:00:00Z,mocha,1,4.10,${alice},JP`,
  `a4,1,cafe,s1,2024-03-06T12:00:00Z,mocha,-1,4.10,${alice},JP`,
  ...Array.from(
    { length: 30 },
    (_, i) =>
      `o${i},1,cafe,s1,2024-0${1 + (i % 3)}-1${i % 10}T1${i % 10}:00:00Z,latte,1,3.50,guest-${i % 12},${i % 2 ? 'US' : 'FR'}`,
  ),
  `x1,1,other,s1,2024-02-10T12:00:00Z,latte,1,3.50,guest-1,US`,
].join('\n')

/** Every stored table of the database with its columns and types. */
const storedColumns = () =>
  rows<{ table: string; column: string; type: string; scoped: number }>(
    db,
    `SELECT c.table AS table, c.name AS column, c.type AS type,
            has(groupArray(c.name) OVER (PARTITION BY c.table), 'merchant_id') AS scoped
     FROM system.columns AS c INNER JOIN system.tables AS t ON t.database = c.database AND t.name = c.table
     WHERE c.database = currentDatabase() AND t.engine LIKE '%MergeTree'`,
  )

/** Where a value of the person is still stored: the pseudonym or raw id in any text, the number in any number or bitmap column. */
async function traces(customerNo: number): Promise<string[]> {
  const found: string[] = []
  for (const { table, column, type, scoped } of await storedColumns()) {
    const cafe = scoped ? `merchant_id = 'cafe' AND` : ''
    const checks = type.includes('String')
      ? [`position(toString(${column}), {key:String}) > 0 OR position(toString(${column}), {raw:String}) > 0`]
      : column === 'customer_no'
        ? [`${cafe} ${column} = {no:UInt32}`]
        : type === 'AggregateFunction(groupBitmap, UInt32)'
          ? [`${cafe} bitmapContains(${column}, {no:UInt32})`]
          : []
    for (const check of checks) {
      const [hit] = await rows<{ n: number }>(db, `SELECT count() AS n FROM ${table} WHERE ${check}`, {
        key: aliceKey,
        raw: alice,
        no: customerNo,
      })
      if (hit?.n) found.push(`${table}.${column}`)
    }
  }
  return found
}

const reports = async () => ({
  summary:
    (
      (await app.call(`/api/v1/merchants/cafe/summary?from=${range.from}&to=${range.to}`, { key: admin }))
        .body as { rows: Record<string, unknown>[] }
    ).rows[0] ?? {},
  products: (
    await app.call(`/api/v1/merchants/cafe/sales/by-product?from=${range.from}&to=${range.to}`, {
      key: admin,
    })
  ).body,
  days: (
    await app.call(`/api/v1/merchants/cafe/sales/by-time?grain=day&from=${range.from}&to=${range.to}`, {
      key: admin,
    })
  ).body,
})

beforeAll(async () => {
  db = await createTestDb()
  app = await startTestApp(db)
  admin = await app.key({ role: 'admin' })
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: ['cafe', 'other'].map((merchant_id) => ({
      merchant_id,
      store_id: 's1',
      name: 'One',
      lat: 40.7,
      lon: -74,
      timezone: 'America/New_York',
      country: 'US',
      city: 'New York',
      currency: 'USD',
    })),
  })
  const loaded = await app.call('/api/v1/ingest/transactions', {
    method: 'POST',
    key: admin,
    headers: { 'content-type': 'text/csv' },
    body: csv,
  })
  expect(loaded.body).toMatchObject({ received: 36, inserted: 35, rejected: 1 })
  // Tables teammates add that hold people: a segment's members as a bitmap of numbers, wallet events by pseudonym.
  await db.client.command({
    query: `CREATE TABLE segment_members_probe (merchant_id String, segment_id String, members AggregateFunction(groupBitmap, UInt32))
            ENGINE = ReplacingMergeTree ORDER BY (merchant_id, segment_id)`,
  })
  await db.client.command({
    query: `INSERT INTO segment_members_probe SELECT 'cafe', 'tourists', groupBitmapState(customer_no)
            FROM customer_numbers WHERE merchant_id = 'cafe'`,
  })
  await db.client.command({
    query: `CREATE TABLE wallet_events_probe (merchant_id String, event_id String, customer_key String, type String)
            ENGINE = MergeTree ORDER BY (merchant_id, event_id)`,
  })
  await db.client.insert({
    table: 'wallet_events_probe',
    format: 'JSONEachRow',
    values: [
      { merchant_id: 'cafe', event_id: 'e1', customer_key: aliceKey, type: 'opened' },
      {
        merchant_id: 'cafe',
        event_id: 'e2',
        customer_key: customerKeyOf(testPseudonymKey, 'guest-1'),
        type: 'opened',
      },
    ],
  })
})

afterAll(async () => {
  await app.close()
  await db.cleanup()
})

describe('erasure', () => {
  it('removes every link to the person from every table while sales totals stay exactly as they were', async () => {
    const [numbered] = await rows<{ no: number }>(
      db,
      `SELECT customer_no AS no FROM customer_numbers WHERE merchant_id = 'cafe' AND customer_key = {k:String}`,
      { k: aliceKey },
    )
    const aliceNo = numbered?.no ?? 0
    expect(aliceNo).toBeGreaterThan(0)
    expect(await traces(aliceNo)).toEqual(
      expect.arrayContaining([
        'transactions.customer_key',
        'customer_numbers.customer_no',
        'customers_daily_bitmap.customers',
        'segment_members_probe.members',
        'wallet_events_probe.customer_key',
        'ingest_rejects.raw',
      ]),
    )
    const before = await reports()
    const otherBefore = await rows(
      db,
      `SELECT * EXCEPT (ingested_at) FROM transactions WHERE merchant_id = 'other' ORDER BY ALL`,
    )

    const erased = await app.call('/api/v1/admin/erasures', {
      method: 'POST',
      key: admin,
      json: { merchantId: 'cafe', customerId: alice },
    })
    expect(erased.status).toBe(200)
    expect(erased.body).toMatchObject({
      merchantId: 'cafe',
      linesAnonymised: 4,
      localMonths: 2,
      tables: [
        'customer_days',
        'customer_numbers',
        'ingest_rejects',
        'segment_members_probe',
        'wallet_events_probe',
      ],
    })

    expect(await traces(aliceNo)).toEqual([])
    const after = await reports()
    expect(after.products).toEqual(before.products)
    expect(after.days).toEqual(before.days)
    for (const field of ['revenue', 'transactions', 'items', 'averageTicket', 'touristShare'] as const)
      expect(after.summary[field], field).toEqual(before.summary[field])
    expect(after.summary.customers).toBe(Number(before.summary.customers) - 1)
    // The lines stay, anonymised; the segment keeps its other members; the other merchant is untouched.
    expect(
      await rows(
        db,
        `SELECT count() AS n FROM transactions WHERE merchant_id = 'cafe' AND transaction_id LIKE 'a%' AND customer_key = '' AND customer_no = 0`,
      ),
    ).toEqual([{ n: 4 }])
    expect(
      await rows(
        db,
        `SELECT bitmapCardinality(groupBitmapMergeState(members)) AS n FROM segment_members_probe`,
      ),
    ).toEqual([{ n: 12 }])
    expect(
      await rows(
        db,
        `SELECT event_id, customer_key = '' AS anonymous FROM wallet_events_probe ORDER BY event_id`,
      ),
    ).toEqual([
      { event_id: 'e1', anonymous: 1 },
      { event_id: 'e2', anonymous: 0 },
    ])
    expect(
      await rows(
        db,
        `SELECT * EXCEPT (ingested_at) FROM transactions WHERE merchant_id = 'other' ORDER BY ALL`,
      ),
    ).toEqual(otherBefore)
    expect(await derivedMismatches(db, 'cafe', range)).toEqual([])
    expect(await derivedMismatches(db, 'other', range)).toEqual([])

    // Audited with who and what, holding no id of the person.
    const audit = await app.call('/api/v1/audit?action=customer.erased', { key: admin })
    const entries = (audit.body as { rows: Record<string, unknown>[] }).rows
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'customer.erased',
        merchantId: 'cafe',
        target: (erased.body as { erasureId: string }).erasureId,
      }),
    ])
    expect(JSON.stringify(entries)).not.toMatch(new RegExp(`${alice}|${aliceKey}|"${aliceNo}"`))

    // Erasing again finds nothing and changes nothing.
    const again = await app.call('/api/v1/admin/erasures', {
      method: 'POST',
      key: admin,
      json: { merchantId: 'cafe', customerId: alice },
    })
    expect(again.body).toMatchObject({ linesAnonymised: 0, localMonths: 0, tables: [] })
    expect((await reports()).summary).toEqual(after.summary)
  })

  it('answers 400 naming the field, 404 for an unknown merchant, and refuses keys that are not admin', async () => {
    const bad = await app.call('/api/v1/admin/erasures', {
      method: 'POST',
      key: admin,
      json: { merchantId: 'cafe' },
    })
    expect(bad.status).toBe(400)
    expect((bad.body as { error: { message: string } }).error.message).toMatch(/^customerId: /)
    const unknown = await app.call('/api/v1/admin/erasures', {
      method: 'POST',
      key: admin,
      json: { merchantId: 'nope', customerId: 'x' },
    })
    expect(unknown.status).toBe(404)
    const merchant = await app.key({ role: 'merchant', merchantId: 'cafe' })
    const refused = await app.call('/api/v1/admin/erasures', {
      method: 'POST',
      key: merchant,
      json: { merchantId: 'cafe', customerId: 'x' },
    })
    expect(refused.status).toBe(403)
  })
})

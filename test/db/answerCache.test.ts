import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataVersion } from '../../server/queries/dataVersion.ts'
import { insertLines } from '../support/insightsFixture.ts'
import { startTestApp, type TestApp } from '../support/testApp.ts'
import { createTestDb } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
let app: TestApp
let admin: string

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: [
      {
        merchant_id: 'cafe',
        store_id: 's1',
        name: 's1',
        lat: 40.71,
        lon: -74.0,
        timezone: 'America/New_York',
        country: 'US',
        city: 'New York',
        currency: 'USD',
      },
    ],
  })
  app = await startTestApp(db)
  admin = await app.key({ role: 'admin' })
})

afterAll(async () => {
  await app.close()
  await db.cleanup()
})

const line = (tx: string, amount: string) => ({
  store: 's1',
  tx,
  at: '2025-03-03 15:00:00',
  local: '2025-03-03 10:00:00',
  product: 'latte',
  qty: '1',
  amount,
})

const summaryUrl = '/api/v1/merchants/cafe/summary?from=2025-03-01&to=2025-03-31'
type SummaryBody = { rows: { revenue: number; transactions: number }[] }

describe('kept insights answers', () => {
  it('answer anew once lines are inserted, and share one answer among concurrent requests', async () => {
    await insertLines(db, [line('t1', '4.50')])
    const first = await app.call(summaryUrl, { key: admin })
    expect((first.body as SummaryBody).rows[0]).toMatchObject({ revenue: 4.5, transactions: 1 })

    // Same data: ten requests at once answer the same.
    const together = await Promise.all(Array.from({ length: 10 }, () => app.call(summaryUrl, { key: admin })))
    for (const r of together) expect(r.body).toEqual(first.body)

    await insertLines(db, [line('t2', '3.00')])
    const afterInsert = await app.call(summaryUrl, { key: admin })
    expect((afterInsert.body as SummaryBody).rows[0]).toMatchObject({ revenue: 7.5, transactions: 2 })
  })

  it('are keyed by a data version that every insert and delete changes, and a merge does not', async () => {
    const before = await dataVersion(db)
    expect(await dataVersion(db)).toBe(before)
    await insertLines(db, [line('t3', '1.00')])
    const inserted = await dataVersion(db)
    expect(inserted).not.toBe(before)
    await db.client.command({ query: 'OPTIMIZE TABLE transactions FINAL' })
    expect(await dataVersion(db)).toBe(inserted)
    await db.client.command({
      query: `ALTER TABLE transactions DELETE WHERE transaction_id = 't3'`,
      clickhouse_settings: { mutations_sync: '2' },
    })
    expect(await dataVersion(db)).not.toBe(inserted)
  })

  it('read the data version once for an answer they compute (the merchant facts take the same)', async () => {
    await insertLines(db, [line('t4', '2.00')])
    const comments: string[] = []
    const query = db.client.query.bind(db.client)
    db.client.query = ((params: Parameters<typeof query>[0]) => {
      comments.push(String(params.clickhouse_settings?.log_comment ?? ''))
      return query(params)
    }) as typeof db.client.query
    try {
      const response = await app.call(summaryUrl, { key: admin })
      expect(response.status).toBe(200)
    } finally {
      db.client.query = query
    }
    expect(comments).toContain('summary')
    expect(comments.filter((c) => c === 'dataVersion')).toHaveLength(1)
  })

  it('still checks the key on every request', async () => {
    const other = await app.key({ role: 'merchant', merchantIds: ['shop'] })
    const response = await app.call(summaryUrl, { key: other })
    expect(response.status).toBe(404)
  })
})

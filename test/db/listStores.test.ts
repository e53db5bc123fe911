import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../support/testApp.ts'
import { createTestDb } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
let app: TestApp

const store = (merchant_id: string, store_id: string, name: string, updated_at: string) => ({
  merchant_id,
  store_id,
  name,
  lat: 1,
  lon: 2,
  timezone: 'Europe/Paris',
  country: 'FR',
  city: 'Paris',
  currency: 'EUR',
  updated_at,
})

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: [
      store('cafe', 's2', 'Gare', '2026-01-01 00:00:00.000'),
      store('cafe', 's1', 'Old name', '2026-01-01 00:00:00.000'),
      store('cafe', 's1', 'Opéra', '2026-02-01 00:00:00.000'),
      store('shop', 'p1', 'Other tenant', '2026-01-01 00:00:00.000'),
    ],
  })
  app = await startTestApp(db)
})

afterAll(async () => {
  await app.close()
  await db.cleanup()
})

describe('GET /api/v1/merchants/{merchantId}/stores', () => {
  it('lists the newest version of each store, ordered by id', async () => {
    const key = await app.key({ role: 'merchant', merchantId: 'cafe' })
    const response = await app.call('/api/v1/merchants/cafe/stores', { key })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({
      rows: [
        {
          storeId: 's1',
          name: 'Opéra',
          city: 'Paris',
          country: 'FR',
          timezone: 'Europe/Paris',
          currency: 'EUR',
          lat: 1,
          lon: 2,
        },
        {
          storeId: 's2',
          name: 'Gare',
          city: 'Paris',
          country: 'FR',
          timezone: 'Europe/Paris',
          currency: 'EUR',
          lat: 1,
          lon: 2,
        },
      ],
    })
  })

  it("answers 404 for another merchant's stores, like a merchant that does not exist", async () => {
    const key = await app.key({ role: 'merchant', merchantId: 'cafe' })
    const response = await app.call('/api/v1/merchants/shop/stores', { key })
    expect(response.status).toBe(404)
    expect(response.body).toEqual({ error: { code: 'not_found', message: 'merchant shop not found' } })
  })

  it('rejects a malformed merchant id', async () => {
    const key = await app.key({ role: 'admin' })
    const response = await app.call('/api/v1/merchants/Bad%20Id/stores', { key })
    expect(response.status).toBe(400)
  })
})

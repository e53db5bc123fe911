import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../support/testApp.ts'
import { createTestDb, rows } from '../support/testDb.ts'

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
        name: 'One',
        lat: 40.7,
        lon: -74,
        timezone: 'America/New_York',
        country: 'US',
        city: 'New York',
        currency: 'USD',
      },
      {
        merchant_id: 'shop',
        store_id: 'p1',
        name: 'Paris',
        lat: 48.8,
        lon: 2.3,
        timezone: 'Europe/Paris',
        country: 'FR',
        city: 'Paris',
        currency: 'EUR',
      },
    ],
  })
  await db.client.insert({
    table: 'merchants',
    format: 'JSONEachRow',
    values: [{ merchant_id: 'cafe', name: 'Cafe Co', currency: 'USD', timezone: 'America/New_York' }],
  })
  app = await startTestApp(db)
  admin = await app.key({ role: 'admin' })
})
afterAll(async () => {
  await app.close()
  await db.cleanup()
})

describe('health and errors', () => {
  it('answers liveness and readiness without a key, naming the engine mode', async () => {
    expect(await app.call('/healthz')).toMatchObject({
      status: 200,
      body: { status: 'ok', mode: db.mode },
    })
    expect(await app.call('/readyz')).toMatchObject({ status: 200, body: { status: 'ok' } })
  })

  it('answers unknown routes and missing keys with the error shape and no stack', async () => {
    expect(await app.call('/api/v1/nope', { key: admin })).toEqual(
      expect.objectContaining({
        status: 404,
        body: { error: { code: 'not_found', message: 'no route GET /api/v1/nope' } },
      }),
    )
    const anonymous = await app.call('/api/v1/merchants')
    expect(anonymous.status).toBe(401)
    expect(anonymous.body).toEqual({
      error: { code: 'unauthorized', message: 'send an API key as "Authorization: Bearer <key>"' },
    })
    expect(
      (await app.call('/api/v1/merchants', { key: 'ts_000000000000_wrongwrongwrongwrongwrongwrongwrong' }))
        .status,
    ).toBe(401)
  })

  it('rejects malformed JSON and names the bad field', async () => {
    const broken = await app.call('/api/v1/keys', {
      key: admin,
      method: 'POST',
      body: '{',
      headers: { 'content-type': 'application/json' },
    })
    expect(broken).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } })
    const bad = await app.call('/api/v1/keys', { key: admin, method: 'POST', json: { role: 'merchant' } })
    expect(bad).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: 'merchantId: a merchant key needs merchantId' } },
    })
    const badRole = await app.call('/api/v1/keys', { key: admin, method: 'POST', json: { role: 'root' } })
    expect(badRole.status).toBe(400)
    expect((badRole.body as { error: { message: string } }).error.message).toMatch(/^role: /)
  })

  it('sets security headers', async () => {
    const { headers } = await app.call('/healthz')
    expect(headers.get('x-content-type-options')).toBe('nosniff')
    expect(headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(headers.get('x-powered-by')).toBeNull()
  })
})

describe('API keys', () => {
  it('creates a key once, stores only its hash, and lets it in with its role', async () => {
    const created = await app.call('/api/v1/keys', {
      key: admin,
      method: 'POST',
      json: { role: 'merchant', merchantId: 'cafe', name: 'till' },
    })
    expect(created.status).toBe(201)
    const { key, keyId } = created.body as { key: string; keyId: string }
    expect(key).toMatch(/^ts_[0-9a-f]{12}_/)
    const stored = await rows<{ key_hash: string }>(
      db,
      'SELECT key_hash FROM api_keys WHERE key_id = {id:String}',
      { id: keyId },
    )
    expect(stored).toHaveLength(1)
    expect(stored[0]?.key_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(await rows(db, 'SELECT * FROM api_keys'))).not.toContain(key)
    expect((await app.call('/api/v1/whoami', { key })).body).toEqual({
      keyId,
      role: 'merchant',
      merchantIds: ['cafe'],
    })
    const listed = await app.call('/api/v1/keys', { key: admin })
    expect(JSON.stringify(listed.body)).not.toContain(key)
  })

  it('keeps key management to admins', async () => {
    const merchant = await app.key({ role: 'merchant', merchantId: 'cafe' })
    expect((await app.call('/api/v1/keys', { key: merchant })).status).toBe(403)
    expect(
      (await app.call('/api/v1/keys', { key: merchant, method: 'POST', json: { role: 'admin' } })).status,
    ).toBe(403)
  })

  it('revokes a key', async () => {
    const created = await app.call('/api/v1/keys', { key: admin, method: 'POST', json: { role: 'wallet' } })
    const { key, keyId } = created.body as { key: string; keyId: string }
    expect((await app.call(`/api/v1/keys/${keyId}`, { key: admin, method: 'DELETE' })).body).toMatchObject({
      keyId,
      revoked: true,
    })
    expect((await app.call(`/api/v1/keys/unknown`, { key: admin, method: 'DELETE' })).status).toBe(404)
    await new Promise((r) => setTimeout(r, 5_100))
    expect((await app.call('/api/v1/whoami', { key })).status).toBe(401)
  })
})

describe('merchants', () => {
  it('lists every merchant for an admin and only its own for a merchant key', async () => {
    const all = await app.call('/api/v1/merchants', { key: admin })
    expect(all.body).toEqual({
      rows: [
        {
          merchantId: 'cafe',
          name: 'Cafe Co',
          currency: 'USD',
          timezone: 'America/New_York',
          stores: 1,
          cities: ['New York'],
          lastSaleAt: null,
        },
        {
          merchantId: 'shop',
          name: 'shop',
          currency: 'EUR',
          timezone: 'Europe/Paris',
          stores: 1,
          cities: ['Paris'],
          lastSaleAt: null,
        },
      ],
    })
    const shop = await app.key({ role: 'merchant', merchantId: 'shop' })
    expect((await app.call('/api/v1/merchants', { key: shop })).body).toMatchObject({
      rows: [{ merchantId: 'shop' }],
    })
    const wallet = await app.key({ role: 'wallet' })
    expect((await app.call('/api/v1/merchants', { key: wallet })).status).toBe(403)
  })
})

describe('openapi', () => {
  it('describes every route with its schemas', async () => {
    const { body } = await app.call('/api/v1/openapi.json')
    const doc = body as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> }
    expect(doc.openapi).toBe('3.0.3')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/keys', '/api/v1/merchants', '/api/v1/keys/{keyId}']),
    )
    expect(JSON.stringify(doc.paths['/api/v1/keys']?.post?.requestBody)).toContain(
      '"enum":["admin","merchant","marketer","wallet"]',
    )
  })
})

describe('size and rate limits', () => {
  it('answers 429 with the error shape past the per-minute budget', async () => {
    const limited = await (
      await import('../support/testApp.ts')
    ).startTestApp(db, { ratePerMinute: 2, jsonBytes: 1024 })
    try {
      const statuses = []
      for (let i = 0; i < 3; i++) statuses.push((await limited.call('/api/v1/whoami', { key: admin })).status)
      expect(statuses).toEqual([200, 200, 429])
      const big = await limited.call('/api/v1/keys', {
        method: 'POST',
        key: 'another',
        json: { name: 'x'.repeat(2000) },
      })
      expect(big).toMatchObject({ status: 413, body: { error: { code: 'too_large' } } })
    } finally {
      await limited.close()
    }
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Offer, OfferList } from '../../server/contract.ts'
import { rows, createTestDb, storeRow } from '../support/testDb.ts'
import { startWalletApp, type TestDb } from '../support/walletFixture.ts'

let db: TestDb
let fx: Awaited<ReturnType<typeof startWalletApp>>
let cafeKey: string
let shopKey: string
let marketerKey: string
let adminKey: string

const offerBody = (over: Record<string, unknown> = {}) => ({
  merchantId: 'cafe',
  name: 'Morning mocha',
  text: '10% off any mocha',
  value: { kind: 'percent', amount: 10 },
  schedule: { from: '2026-11-01', to: '2026-12-31' },
  cap: { count: 2, days: 7 },
  ...over,
})

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: [
      storeRow('cafe', 's1', 48.8566, 2.3522),
      storeRow('cafe', 's2', 48.87, 2.33),
      storeRow('shop', 'p1', 48.85, 2.35),
    ],
  })
  fx = await startWalletApp(db)
  cafeKey = await fx.app.key({ role: 'merchant', merchantId: 'cafe' })
  shopKey = await fx.app.key({ role: 'merchant', merchantId: 'shop' })
  marketerKey = await fx.app.key({ role: 'marketer', merchantIds: ['cafe'] })
  adminKey = await fx.app.key({ role: 'admin' })
})

afterAll(async () => {
  await fx.close()
  await db.cleanup()
})

describe('offers CRUD', () => {
  it('creates an offer with the defaults of the issue and reads it back', async () => {
    const created = await fx.app.call('/api/v1/offers', { method: 'POST', key: cafeKey, json: offerBody() })
    expect(created.status).toBe(201)
    const offer = created.body as Offer
    expect(offer).toMatchObject({
      merchantId: 'cafe',
      stores: [],
      radiusM: 300,
      segmentId: null,
      dailyBudget: null,
      holdoutPercent: 10,
      attributionDays: 7,
      status: 'active',
      value: { kind: 'percent', amount: 10 },
      schedule: { from: '2026-11-01', to: '2026-12-31' },
      cap: { count: 2, days: 7 },
    })
    expect(offer.offerId).toMatch(/^off_[0-9a-f]{16}$/)
    const read = await fx.app.call(`/api/v1/offers/${offer.offerId}`, { key: marketerKey })
    expect(read.status).toBe(200)
    expect(read.body).toEqual(offer)
  })

  it('fills an amount offer’s currency from the merchant and keeps hours, days and budget', async () => {
    const created = await fx.app.call('/api/v1/offers', {
      method: 'POST',
      key: adminKey,
      json: offerBody({
        value: { kind: 'amount', amount: 2.5 },
        stores: ['s2'],
        radiusM: 25,
        dailyBudget: 100,
        holdoutPercent: 0,
        attributionDays: 30,
        schedule: {
          from: '2026-11-01',
          to: '2026-11-30',
          days: [1, 2, 3],
          hours: { from: '22:00', to: '02:00' },
        },
      }),
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      value: { kind: 'amount', amount: 2.5, currency: 'EUR' },
      stores: ['s2'],
      radiusM: 25,
      dailyBudget: 100,
      holdoutPercent: 0,
      attributionDays: 30,
      schedule: { days: [1, 2, 3], hours: { from: '22:00', to: '02:00' } },
    })
  })

  it('patches, lists per merchant, and ends an offer on delete while keeping it readable', async () => {
    const { body } = await fx.app.call('/api/v1/offers', {
      method: 'POST',
      key: cafeKey,
      json: offerBody({ name: 'To end' }),
    })
    const id = (body as Offer).offerId
    const patched = await fx.app.call(`/api/v1/offers/${id}`, {
      method: 'PATCH',
      key: marketerKey,
      json: { status: 'paused', radiusM: 500, dailyBudget: 5 },
    })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ status: 'paused', radiusM: 500, dailyBudget: 5, name: 'To end' })
    const cleared = await fx.app.call(`/api/v1/offers/${id}`, {
      method: 'PATCH',
      key: cafeKey,
      json: { dailyBudget: null },
    })
    expect(cleared.body).toMatchObject({ dailyBudget: null, status: 'paused' })
    const ended = await fx.app.call(`/api/v1/offers/${id}`, { method: 'DELETE', key: cafeKey })
    expect(ended.status).toBe(200)
    expect(ended.body).toMatchObject({ status: 'ended' })
    expect((await fx.app.call(`/api/v1/offers/${id}`, { key: cafeKey })).body).toMatchObject({
      status: 'ended',
    })
    const again = await fx.app.call(`/api/v1/offers/${id}`, {
      method: 'PATCH',
      key: cafeKey,
      json: { name: 'x' },
    })
    expect(again.status).toBe(409)
    // Every change is audited: who (the key's id, never its secret), which offer, what changed.
    const audit = await db.client.query({
      query: `SELECT key_id AS keyId, action, merchant_id AS merchantId, details FROM audit_log
              WHERE target = {id:String} ORDER BY at`,
      query_params: { id },
      format: 'JSONEachRow',
    })
    const keyIdOf = (secret: string) => secret.split('_')[1]
    expect(await audit.json()).toEqual([
      {
        keyId: keyIdOf(cafeKey),
        action: 'offer.created',
        merchantId: 'cafe',
        details: '{"status":"active","name":"To end"}',
      },
      {
        keyId: keyIdOf(marketerKey),
        action: 'offer.updated',
        merchantId: 'cafe',
        details: '{"status":"paused","fields":["dailyBudget","radiusM","status"]}',
      },
      {
        keyId: keyIdOf(cafeKey),
        action: 'offer.updated',
        merchantId: 'cafe',
        details: '{"status":"paused","fields":["dailyBudget"]}',
      },
      { keyId: keyIdOf(cafeKey), action: 'offer.deleted', merchantId: 'cafe', details: '{"status":"ended"}' },
    ])
    const list = await fx.app.call('/api/v1/offers?merchantId=cafe&status=ended', { key: cafeKey })
    expect((list.body as OfferList).rows.map((r) => [r.offerId, r.impressions, r.exposedCustomers])).toEqual([
      [id, 0, null],
    ])
    expect((list.body as OfferList).privacyThreshold).toBe(50)
    const all = await fx.app.call('/api/v1/offers', { key: cafeKey })
    expect((all.body as OfferList).rows).toHaveLength(3)
  })

  it('keeps tenants apart: another merchant gets 404 for the offer and an empty list', async () => {
    const { body } = await fx.app.call('/api/v1/offers?merchantId=cafe', { key: cafeKey })
    const id = (body as OfferList).rows[0]?.offerId ?? ''
    expect((await fx.app.call(`/api/v1/offers/${id}`, { key: shopKey })).status).toBe(404)
    expect((await fx.app.call(`/api/v1/offers/${id}`, { method: 'DELETE', key: shopKey })).status).toBe(404)
    expect((await fx.app.call(`/api/v1/offers/${id}/performance`, { key: shopKey })).status).toBe(404)
    expect((await fx.app.call('/api/v1/offers?merchantId=cafe', { key: shopKey })).status).toBe(404)
    expect(((await fx.app.call('/api/v1/offers', { key: shopKey })).body as OfferList).rows).toEqual([])
    expect(
      (await fx.app.call('/api/v1/offers', { method: 'POST', key: shopKey, json: offerBody() })).status,
    ).toBe(404)
    const walletKey = await fx.app.key({ role: 'wallet' })
    expect((await fx.app.call('/api/v1/offers', { key: walletKey })).status).toBe(403)
  })

  it.each([
    [{ radiusM: 24 }, 'radiusM'],
    [{ radiusM: 5001 }, 'radiusM'],
    [{ holdoutPercent: 51 }, 'holdoutPercent'],
    [{ holdoutPercent: -1 }, 'holdoutPercent'],
    [{ attributionDays: 31 }, 'attributionDays'],
    [{ schedule: { from: '2026-12-02', to: '2026-12-01' } }, 'schedule.to'],
    [{ schedule: { from: '2026-12-01', to: '2026-12-02', days: [0] } }, 'schedule.days.0'],
    [
      { schedule: { from: '2026-12-01', to: '2026-12-02', hours: { from: '25:00', to: '02:00' } } },
      'schedule.hours.from',
    ],
    [{ value: { kind: 'percent', amount: 120 } }, 'value.amount'],
    [{ cap: { count: 0, days: 1 } }, 'cap.count'],
    [{ stores: ['s1', 'nope'] }, 'stores.1'],
    [{ segmentId: 'no-such-segment' }, 'segmentId'],
    [{ surprise: 1 }, 'body'],
  ])('refuses %j with 400 naming %s, saving nothing', async (over, field) => {
    const before = await rows<{ n: number }>(db, 'SELECT count() AS n FROM offers')
    const response = await fx.app.call('/api/v1/offers', {
      method: 'POST',
      key: cafeKey,
      json: offerBody(over),
    })
    expect(response.status).toBe(400)
    const message = (response.body as { error: { message: string } }).error.message
    if (field === 'body') expect(message).toMatch(/surprise|Unrecognized/)
    else expect(message.startsWith(`${field}:`)).toBe(true)
    expect(await rows(db, 'SELECT count() AS n FROM offers')).toEqual(before)
  })
})

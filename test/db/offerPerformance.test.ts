import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Offer, OfferPerformance } from '../../server/contract.ts'
import { createTestDb, storeRow } from '../support/testDb.ts'
import { startWalletApp, type TestDb } from '../support/walletFixture.ts'

let db: TestDb
let fx: Awaited<ReturnType<typeof startWalletApp>>
let marketerKey: string
let offer: Offer
let small: Offer

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
const event = (
  offerId: string,
  customer: string,
  type: string,
  at: string,
  eventId = `${type}-${customer}-${at}`,
) => ({
  merchant_id: 'cafe',
  offer_id: offerId,
  event_id: eventId,
  type,
  customer_key: customer,
  store_id: 's1',
  cell: '48.85,2.35',
  local_date: at.slice(0, 10),
  at,
})
const line = (customer: string, at: string, amount: number, over: Record<string, unknown> = {}) => ({
  merchant_id: 'cafe',
  store_id: 's1',
  transaction_id: `t-${customer}-${at}`,
  occurred_at: at,
  local_at: at,
  product_id: 'mocha',
  quantity: 1,
  unit_price: amount,
  amount,
  currency: 'EUR',
  customer_key: customer,
  ...over,
})

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: [storeRow('cafe', 's1', 48.8566, 2.3522), storeRow('shop', 'p1', 48.85, 2.35)],
  })
  fx = await startWalletApp(db)
  const admin = await fx.app.key({ role: 'admin' })
  marketerKey = await fx.app.key({ role: 'marketer', merchantIds: ['cafe'] })
  const create = async (name: string) =>
    (
      await fx.app.call('/api/v1/offers', {
        method: 'POST',
        key: admin,
        json: {
          merchantId: 'cafe',
          name,
          text: 'x',
          value: { kind: 'percent', amount: 10 },
          schedule: { from: '2026-10-01', to: '2026-12-31' },
          cap: { count: 5, days: 7 },
          attributionDays: 7,
        },
      })
    ).body as Offer
  offer = await create('Measured')
  small = await create('Small')
  const exposed = range('e', 120)
  const held = range('h', 110)
  const events = [
    ...exposed.map((c) => event(offer.offerId, c, 'impression', '2026-11-01 10:00:00.000')),
    // Later impressions of the first ten: counted as impressions, but the window starts at the first.
    ...exposed.slice(0, 10).map((c) => event(offer.offerId, c, 'impression', '2026-11-02 09:00:00.000')),
    ...held.map((c) => event(offer.offerId, c, 'would_have_seen', '2026-11-01 10:00:00.000')),
    // A replayed journal row: the same event twice counts once.
    event(offer.offerId, 'e0', 'impression', '2026-11-01 10:00:00.000'),
    ...range('s', 30).map((c) => event(small.offerId, c, 'impression', '2026-11-01 10:00:00.000')),
    ...range('s', 30).map((c) => event(small.offerId, `${c}x`, 'would_have_seen', '2026-11-01 10:00:00.000')),
  ]
  await db.client.insert({ table: 'offer_events', format: 'JSONEachRow', values: events })
  await db.client.insert({
    table: 'transactions',
    format: 'JSONEachRow',
    values: [
      ...exposed.slice(0, 70).map((c) => line(c, '2026-11-03 12:00:00.000', 10)),
      // A second purchase of e0 in the window adds revenue, not a converter.
      line('e0', '2026-11-04 12:00:00.000', 5),
      // Outside the window (7 days and a second), before the first impression, at another merchant,
      // refunded, or in another currency: none converts.
      line('e70', '2026-11-08 10:00:01.000', 10),
      line('e71', '2026-10-31 12:00:00.000', 10),
      line('e72', '2026-11-03 12:00:00.000', 10, { merchant_id: 'shop', store_id: 'p1' }),
      line('e73', '2026-11-03 12:00:00.000', 10, { status: 'refunded' }),
      ...held.slice(0, 55).map((c) => line(c, '2026-11-02 12:00:00.000', 8)),
      ...range('s', 30).map((c) => line(c, '2026-11-02 12:00:00.000', 8)),
    ],
  })
})

afterAll(async () => {
  await fx.close()
  await db.cleanup()
})

describe('GET /api/v1/offers/{id}/performance', () => {
  it('compares exposed and held-out conversion at the till with the Newcombe interval', async () => {
    const response = await fx.app.call(`/api/v1/offers/${offer.offerId}/performance`, { key: marketerKey })
    expect(response.status).toBe(200)
    const body = response.body as OfferPerformance
    expect(body).toMatchObject({
      offerId: offer.offerId,
      merchantId: 'cafe',
      currency: 'EUR',
      attributionDays: 7,
      holdoutPercent: 10,
      firstSeen: '2026-11-01T10:00:00.000Z',
      privacyThreshold: 50,
      exposed: { customers: 120, converters: 70, revenue: 705, revenuePerCustomer: 5.88, suppressed: false },
      heldOut: { customers: 110, converters: 55, revenue: 440, revenuePerCustomer: 4, suppressed: false },
    })
    expect(body.exposed.conversionRate).toBeCloseTo(70 / 120, 12)
    expect(body.heldOut.conversionRate).toBe(0.5)
    expect(body.uplift.method).toBe('newcombe_hybrid_score')
    expect(body.uplift.absolute).toBeCloseTo(70 / 120 - 0.5, 12)
    expect(body.uplift.relative).toBeCloseTo((70 / 120 - 0.5) / 0.5, 12)
    // Computed by hand from the two Wilson intervals (z = 1.959964).
    expect(body.uplift.ci95?.[0]).toBeCloseTo(-0.044877, 6)
    expect(body.uplift.ci95?.[1]).toBeCloseTo(0.207991, 6)
    expect(body.daily).toEqual([
      { date: '2026-11-01', impressions: 120, heldOut: 110, conversions: null },
      { date: '2026-11-02', impressions: null, heldOut: null, conversions: null },
      { date: '2026-11-03', impressions: null, heldOut: null, conversions: 70 },
    ])
  })

  it('suppresses groups of fewer than K customers and answers no uplift', async () => {
    const response = await fx.app.call(`/api/v1/offers/${small.offerId}/performance`, { key: marketerKey })
    const body = response.body as OfferPerformance
    const none = {
      customers: null,
      converters: null,
      conversionRate: null,
      revenue: null,
      revenuePerCustomer: null,
      suppressed: true,
    }
    expect(body.exposed).toEqual(none)
    expect(body.heldOut).toEqual(none)
    expect(body.uplift).toEqual({
      absolute: null,
      relative: null,
      ci95: null,
      method: 'newcombe_hybrid_score',
    })
    expect(body.daily).toEqual([
      { date: '2026-11-01', impressions: null, heldOut: null, conversions: null },
      { date: '2026-11-02', impressions: null, heldOut: null, conversions: null },
    ])
  })

  it('lists the exposed customer count only at K or more', async () => {
    const list = await fx.app.call('/api/v1/offers?merchantId=cafe', { key: marketerKey })
    const rows = (
      list.body as { rows: { name: string; impressions: number; exposedCustomers: number | null }[] }
    ).rows
    expect(rows.map((r) => [r.name, r.impressions, r.exposedCustomers]).sort()).toEqual([
      ['Measured', 130, 120],
      ['Small', 30, null],
    ])
  })

  // Last: it gives the merchant a currency of its own, which the tests above do not expect.
  it("reports revenue in the merchant's currency, converted at each sale's day's rate, never silently short", async () => {
    await db.client.insert({
      table: 'merchants',
      format: 'JSONEachRow',
      values: [{ merchant_id: 'cafe', name: 'Cafe', currency: 'USD', timezone: 'Europe/Paris' }],
    })
    const url = `/api/v1/offers/${offer.offerId}/performance`
    const missing = await fx.app.call(url, { key: marketerKey })
    expect(missing.status).toBe(422)
    expect(missing.body).toMatchObject({ error: { code: 'fx_rate_missing' } })

    // EUR -> USD: 1.1 on the held-out purchases' day, 1.2 on the exposed ones' (the 4th carries the 3rd).
    await db.client.insert({
      table: 'fx_rates',
      format: 'JSONEachRow',
      values: [
        { date: '2026-11-02', base: 'EUR', quote: 'USD', rate: 1.1 },
        { date: '2026-11-03', base: 'EUR', quote: 'USD', rate: 1.2 },
      ],
    })
    const body = (await fx.app.call(url, { key: marketerKey })).body as OfferPerformance
    expect(body.currency).toBe('USD')
    // Exposed: 70 x 10 EUR on the 3rd and e0's 5 EUR on the 4th, all at 1.2; held out: 55 x 8 EUR at 1.1.
    expect(body.exposed).toMatchObject({ customers: 120, converters: 70, revenue: 846 })
    expect(body.heldOut).toMatchObject({ customers: 110, converters: 55, revenue: 484 })
  })
})

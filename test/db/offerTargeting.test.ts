import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Offer, OfferPreview, WalletOffers } from '../../server/contract.ts'
import { createSegmentMembership } from '../../server/segments/segmentMembership.ts'
import { createTestDb, storeRow } from '../support/testDb.ts'
import { startWalletApp, type TestDb } from '../support/walletFixture.ts'

let db: TestDb
let fx: Awaited<ReturnType<typeof startWalletApp>>
let admin: string
let walletKey: string
let segmentId: string
const offers: Record<string, Offer> = {}

const R = 6_371_008.8
const northOf = (lat: number, metres: number) => lat + ((metres / R) * 180) / Math.PI
const paris = { lat: 48.8566, lon: 2.3522 }
const wide = { from: '2026-01-01', to: '2027-12-31' }
const walletNow = Date.parse('2026-11-20T12:00:00Z')

async function createOffer(name: string, over: Record<string, unknown> = {}) {
  const response = await fx.app.call('/api/v1/offers', {
    method: 'POST',
    key: admin,
    json: {
      merchantId: 'cafe',
      name,
      text: name,
      value: { kind: 'percent', amount: 10 },
      schedule: wide,
      cap: { count: 100, days: 1 },
      holdoutPercent: 0,
      ...over,
    },
  })
  return response
}

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: [
      storeRow('cafe', 's1', paris.lat, paris.lon),
      storeRow('cafe', 's2', 48.8, 2.2),
      storeRow('shop', 'p1', 48.85, 2.35),
    ],
  })
  const membership = createSegmentMembership(db, { limits: { rangeDays: 1100 } })
  // The wallet's clock is fixed on a day other than the preview's (2026-12-01 in Paris): with the real clock,
  // the wallet calls of the first tests spent Budget's one impression for that day whenever the suite ran on
  // it, and the preview then left Budget out.
  fx = await startWalletApp(db, { membership, service: { now: () => walletNow } })
  admin = await fx.app.key({ role: 'admin' })
  walletKey = await fx.app.key({ role: 'wallet' })
  // Lines through the real pipeline, so customer ids are pseudonymised exactly as in production.
  const lines = [
    { customer_id: 'traveller-cn', home: 'CN' },
    { customer_id: 'neighbour-fr', home: 'FR' },
  ].map((c, i) =>
    JSON.stringify({
      transaction_id: `t${i}`,
      merchant_id: 'cafe',
      store_id: 's1',
      occurred_at: '2026-11-20T10:00:00Z',
      product_id: 'mocha',
      quantity: 1,
      unit_price: 4.5,
      customer_id: c.customer_id,
      customer_home_country: c.home,
    }),
  )
  const ingest = await fx.app.call('/api/v1/ingest/transactions', {
    method: 'POST',
    key: admin,
    headers: { 'content-type': 'application/x-ndjson' },
    body: lines.join('\n') + '\n',
  })
  expect(ingest.status).toBe(200)
  const segment = await fx.app.call('/api/v1/segments', {
    method: 'POST',
    key: admin,
    json: { merchantIds: ['cafe'], name: 'Tourists', rules: { visitor: 'tourist' } },
  })
  expect(segment.status).toBe(201)
  segmentId = (segment.body as { id: string }).id
  const shopSegment = await fx.app.call('/api/v1/segments', {
    method: 'POST',
    key: admin,
    json: { merchantIds: ['shop'], name: 'Shop tourists', rules: { visitor: 'tourist' } },
  })
  offers.targeted = (await createOffer('Tourists only', { segmentId, stores: ['s1'] })).body as Offer
  offers.everyone = (await createOffer('Everyone', { stores: ['s1'] })).body as Offer
  offers.paused = (await createOffer('Paused', { stores: ['s1'], status: 'paused' })).body as Offer
  offers.evening = (
    await createOffer('Evening', {
      stores: ['s1'],
      schedule: { ...wide, hours: { from: '23:59', to: '00:00' } },
    })
  ).body as Offer
  offers.far = (await createOffer('Far', { stores: ['s2'] })).body as Offer
  offers.held = (await createOffer('Held', { stores: ['s1'], holdoutPercent: 50 })).body as Offer
  offers.budget = (await createOffer('Budget', { stores: ['s1'], dailyBudget: 1 })).body as Offer
  offers.capped = (await createOffer('Capped', { stores: ['s1'], cap: { count: 1, days: 1 } })).body as Offer
  offers.otherSegment = (await createOffer('Other', { segmentId: (shopSegment.body as { id: string }).id }))
    .body as unknown as Offer
})

afterAll(async () => {
  await fx.close()
  await db.cleanup()
})

describe('segment targeting', () => {
  it('refuses a segment that is not a saved segment of the offer’s merchant', () => {
    expect(offers.otherSegment).toMatchObject({ error: { code: 'bad_request' } })
    expect((offers.otherSegment as unknown as { error: { message: string } }).error.message).toMatch(
      /^segmentId:/,
    )
  })

  it('serves a targeted offer to a member, ranked first, and not to a non-member', async () => {
    const ask = async (customer: string) =>
      (
        (
          await fx.app.call(
            `/api/v1/wallet/offers?lat=${paris.lat}&lon=${paris.lon}&customer=${customer}&limit=10`,
            {
              key: walletKey,
            },
          )
        ).body as WalletOffers
      ).offers.map((o) => o.offerId)
    const traveller = await ask('traveller-cn')
    expect(traveller[0]).toBe(offers.targeted?.offerId)
    expect(await ask('neighbour-fr')).not.toContain(offers.targeted?.offerId)
    expect(await ask('neighbour-fr')).toContain(offers.everyone?.offerId)
  })
})

describe('GET /api/v1/offers/preview', () => {
  it('explains every offer left out, counts nothing, and never holds out a new customer', async () => {
    const at = northOf(paris.lat, 100)
    await fx.wallet.flush()
    const shownBefore = await fx.app.call(`/api/v1/offers?merchantId=cafe`, { key: admin })
    const url = (customer: string) =>
      `/api/v1/offers/preview?merchantId=cafe&lat=${at}&lon=${paris.lon}&customer=${customer}&limit=10&at=2026-12-01T12:00:00%2B01:00`
    const preview = (await fx.app.call(url('new'), { key: admin })).body as OfferPreview
    const reasons = Object.fromEntries(preview.excluded.map((e) => [e.name, e.reason]))
    const shown = preview.offers.map((o) => o.name).sort()
    expect(preview.at).toBe('2026-12-01T11:00:00.000Z')
    expect(reasons).toMatchObject({
      'Tourists only': 'not_in_segment',
      Paused: 'paused',
      Evening: 'outside_schedule',
      Far: 'too_far',
    })
    expect(shown).toEqual(['Budget', 'Capped', 'Everyone', 'Held'])
    expect(preview.excluded.find((e) => e.name === 'Far')).toMatchObject({
      storeId: 's2',
      detail: expect.stringMatching(/^nearest store \d+ m away, radius 300 m$/),
    })
    const member = (await fx.app.call(url(`in_segment:${segmentId}`), { key: admin })).body as OfferPreview
    expect(member.offers[0]?.name).toBe('Tourists only')
    const held = (await fx.app.call(url('held_out'), { key: admin })).body as OfferPreview
    expect(held.excluded.find((e) => e.name === 'Held')?.reason).toBe('held_out')
    const capped = (await fx.app.call(url('capped'), { key: admin })).body as OfferPreview
    expect(capped.offers).toEqual([])
    expect(capped.excluded.find((e) => e.name === 'Everyone')?.reason).toBe('capped')
    const limited = (await fx.app.call(url('new').replace('limit=10', 'limit=1'), { key: admin }))
      .body as OfferPreview
    expect(limited.offers).toHaveLength(1)
    expect(limited.excluded.filter((e) => e.reason === 'outranked')).toHaveLength(3)
    await fx.wallet.flush()
    expect((await fx.app.call(`/api/v1/offers?merchantId=cafe`, { key: admin })).body).toEqual(
      shownBefore.body,
    )
  })

  it('sees the day’s budget once it is spent', async () => {
    const ask = (customer: string) =>
      fx.app.call(`/api/v1/wallet/offers?lat=${paris.lat}&lon=${paris.lon}&customer=${customer}&limit=10`, {
        key: walletKey,
      })
    await ask('budget-a')
    const preview = (
      await fx.app.call(`/api/v1/offers/preview?merchantId=cafe&lat=${paris.lat}&lon=${paris.lon}`, {
        key: admin,
      })
    ).body as OfferPreview
    expect(preview.excluded.find((e) => e.name === 'Budget')?.reason).toBe('budget_spent')
  })

  it.each([
    ['merchantId=cafe&lat=91&lon=2', 400, 'lat'],
    ['merchantId=cafe&lat=48&lon=2&customer=somebody', 400, 'customer'],
    ['merchantId=cafe&lat=48&lon=2&at=tomorrow', 400, 'at'],
    ['lat=48&lon=2', 400, 'merchantId'],
  ])('refuses %s with %i naming %s', async (query, status, field) => {
    const response = await fx.app.call(`/api/v1/offers/preview?${query}`, { key: admin })
    expect(response.status).toBe(status)
    expect((response.body as { error: { message: string } }).error.message.startsWith(`${field}:`)).toBe(true)
  })

  it('answers 404 for a merchant the key may not see', async () => {
    const shopKey = await fx.app.key({ role: 'merchant', merchantId: 'shop' })
    const response = await fx.app.call(`/api/v1/offers/preview?merchantId=cafe&lat=48&lon=2`, {
      key: shopKey,
    })
    expect(response.status).toBe(404)
  })
})

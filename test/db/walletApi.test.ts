import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Offer, WalletEventsResponse, WalletOffers } from '../../server/contract.ts'
import { customerKey } from '../../server/wallet/customerKey.ts'
import { isHeldOut } from '../../server/wallet/holdout.ts'
import { startTestApp, testPseudonymKey } from '../support/testApp.ts'
import { createTestDb, rows, storeRow } from '../support/testDb.ts'
import { startWalletApp, type TestDb } from '../support/walletFixture.ts'

let db: TestDb
let fx: Awaited<ReturnType<typeof startWalletApp>>
let merchantKey: string
let walletKey: string

const R = 6_371_008.8
const northOf = (lat: number, metres: number) => lat + ((metres / R) * 180) / Math.PI
const store = { lat: 48.8566, lon: 2.3522 }
const wide = { from: '2026-01-01', to: '2027-12-31' }

async function createOffer(over: Record<string, unknown>): Promise<Offer> {
  const response = await fx.app.call('/api/v1/offers', {
    method: 'POST',
    key: merchantKey,
    json: {
      merchantId: 'cafe',
      name: 'Offer',
      text: 'A treat',
      value: { kind: 'percent', amount: 10 },
      schedule: wide,
      cap: { count: 100, days: 1 },
      holdoutPercent: 0,
      ...over,
    },
  })
  expect(response.status).toBe(201)
  return response.body as Offer
}

const ask = (lat: number, lon: number, customer: string, key = walletKey, limit = 3) =>
  fx.app.call(
    `/api/v1/wallet/offers?lat=${lat}&lon=${lon}&customer=${encodeURIComponent(customer)}&limit=${limit}`,
    {
      key,
    },
  )
const offerIds = (body: unknown) => (body as WalletOffers).offers.map((o) => o.offerId)

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: [
      storeRow('cafe', 's1', store.lat, store.lon),
      storeRow('cafe', 's2', 48.9, 2.4),
      storeRow('shop', 'p1', 40.7128, -74.006, 'America/New_York', 'USD'),
    ],
  })
  fx = await startWalletApp(db)
  merchantKey = await fx.app.key({ role: 'admin' })
  walletKey = await fx.app.key({ role: 'wallet' })
})

afterAll(async () => {
  await fx.close()
  await db.cleanup()
})

describe('GET /api/v1/wallet/offers', () => {
  it('serves an offer just inside its radius and not just outside, with distance and validity', async () => {
    const offer = await createOffer({ name: 'Edge', stores: ['s1'], radiusM: 300 })
    const inside = await ask(northOf(store.lat, 299.4), store.lon, 'edge-customer')
    expect(inside.status).toBe(200)
    expect(inside.body).toEqual({
      offers: [
        {
          offerId: offer.offerId,
          merchantId: 'cafe',
          storeId: 's1',
          storeName: 'Store s1',
          distanceM: 299,
          text: 'A treat',
          value: { kind: 'percent', amount: 10 },
          validUntil: '2027-12-31T23:00:00.000Z',
        },
      ],
    })
    const outside = await ask(northOf(store.lat, 300.6), store.lon, 'edge-customer')
    expect(outside.body).toEqual({ offers: [] })
    await fx.app.call(`/api/v1/offers/${offer.offerId}`, { method: 'DELETE', key: merchantKey })
    expect((await ask(store.lat, store.lon, 'edge-customer')).body).toEqual({ offers: [] })
  })

  it('ranks by score, the nearest winning ties, and honours limit', async () => {
    const far = await createOffer({ name: 'Far', stores: ['s1'], radiusM: 1000 })
    const near = await createOffer({ name: 'Near', stores: ['s1'], radiusM: 1000 })
    const big = await createOffer({
      name: 'Big',
      stores: ['s1'],
      radiusM: 1000,
      value: { kind: 'percent', amount: 60 },
    })
    const at = northOf(store.lat, 100)
    const answer = await ask(at, store.lon, 'rank-customer', walletKey, 2)
    // Same store and radius: Far and Near tie; the bigger value wins; ids break the last tie.
    const [first, second] = offerIds(answer.body)
    expect(first).toBe(big.offerId)
    expect([far.offerId, near.offerId]).toContain(second)
    expect(offerIds(answer.body)).toHaveLength(2)
    for (const o of [far, near, big])
      await fx.app.call(`/api/v1/offers/${o.offerId}`, { method: 'DELETE', key: merchantKey })
  })

  it('counts impressions against the customer’s cap, and the cap holds across a restart', async () => {
    const offer = await createOffer({ name: 'Capped', stores: ['s1'], cap: { count: 2, days: 1 } })
    expect(offerIds((await ask(store.lat, store.lon, 'cap-customer')).body)).toEqual([offer.offerId])
    expect(offerIds((await ask(store.lat, store.lon, 'cap-customer')).body)).toEqual([offer.offerId])
    expect(offerIds((await ask(store.lat, store.lon, 'cap-customer')).body)).toEqual([])
    expect(offerIds((await ask(store.lat, store.lon, 'another-customer')).body)).toEqual([offer.offerId])
    await fx.restart()
    expect(offerIds((await ask(store.lat, store.lon, 'cap-customer')).body)).toEqual([])
    expect(offerIds((await ask(store.lat, store.lon, 'another-customer')).body)).toEqual([offer.offerId])
    expect(offerIds((await ask(store.lat, store.lon, 'another-customer')).body)).toEqual([])
    await fx.wallet.flush()
    const [stored] = await rows<{ n: number }>(
      db,
      `SELECT uniqExact(event_id) AS n FROM offer_events WHERE offer_id = {id:String} AND type = 'impression'`,
      { id: offer.offerId },
    )
    expect(stored?.n).toBe(4)
    await fx.app.call(`/api/v1/offers/${offer.offerId}`, { method: 'DELETE', key: merchantKey })
  })

  it('keeps a cap whose impressions were journaled but never flushed when the process dies', async () => {
    const offer = await createOffer({ name: 'Crash', stores: ['s1'], cap: { count: 1, days: 1 } })
    expect(offerIds((await ask(store.lat, store.lon, 'crash-customer')).body)).toEqual([offer.offerId])
    // A crash: the journal stays on disk unflushed; a new service on the same dir replays it at start.
    const journalFiles = fs
      .readdirSync(fx.journalDir)
      .filter((f) => fs.statSync(`${fx.journalDir}/${f}`).size > 0)
    expect(journalFiles.length).toBeGreaterThan(0)
    const copies = journalFiles.map((f) => [f, fs.readFileSync(`${fx.journalDir}/${f}`)] as const)
    await fx.app.close()
    await fx.wallet.close()
    await db.client.command({
      query: `DELETE FROM offer_events WHERE offer_id = {id:String}`,
      query_params: { id: offer.offerId },
    })
    for (const [f, bytes] of copies) fs.writeFileSync(`${fx.journalDir}/${f}`, bytes)
    await fx.restart()
    expect(offerIds((await ask(store.lat, store.lon, 'crash-customer')).body)).toEqual([])
    await fx.app.call(`/api/v1/offers/${offer.offerId}`, { method: 'DELETE', key: merchantKey })
  })

  it('stops at the daily budget across customers', async () => {
    const offer = await createOffer({ name: 'Budget', stores: ['s2'], dailyBudget: 2 })
    const served = []
    for (const c of ['b1', 'b2', 'b3', 'b4']) served.push(offerIds((await ask(48.9, 2.4, c)).body).length)
    expect(served).toEqual([1, 1, 0, 0])
    await fx.restart()
    expect(offerIds((await ask(48.9, 2.4, 'b5')).body)).toEqual([])
    await fx.app.call(`/api/v1/offers/${offer.offerId}`, { method: 'DELETE', key: merchantKey })
  })

  it('shows a held-out customer nothing, on every call, and records "would have seen"', async () => {
    const offer = await createOffer({
      name: 'Holdout',
      stores: ['s1'],
      holdoutPercent: 50,
      cap: { count: 5, days: 1 },
    })
    const customers = Array.from({ length: 40 }, (_, i) => `hold-${i}`)
    const held = customers.filter((c) => isHeldOut(offer.offerId, customerKey(testPseudonymKey, c), 50))
    const shown = customers.filter((c) => !held.includes(c))
    expect(held.length).toBeGreaterThan(5)
    for (const c of held.slice(0, 3)) {
      expect(offerIds((await ask(store.lat, store.lon, c)).body)).toEqual([])
      expect(offerIds((await ask(store.lat, store.lon, c)).body)).toEqual([])
    }
    for (const c of shown.slice(0, 2))
      expect(offerIds((await ask(store.lat, store.lon, c)).body)).toEqual([offer.offerId])
    await fx.wallet.flush()
    expect(
      await rows(
        db,
        `SELECT toString(type) AS type, uniqExact(customer_key) AS customers, uniqExact(event_id) AS events
         FROM offer_events WHERE offer_id = {id:String} GROUP BY type ORDER BY type`,
        { id: offer.offerId },
      ),
    ).toEqual([
      { type: 'impression', customers: 2, events: 2 },
      { type: 'would_have_seen', customers: 3, events: 6 },
    ])
    await fx.app.call(`/api/v1/offers/${offer.offerId}`, { method: 'DELETE', key: merchantKey })
  })

  it('serves only the merchants a wallet key lists', async () => {
    const offer = await createOffer({ name: 'Scoped', stores: ['s1'] })
    const shopOnly = await fx.app.key({ role: 'wallet', merchantIds: ['shop'] })
    expect(offerIds((await ask(store.lat, store.lon, 'scope-customer', shopOnly)).body)).toEqual([])
    const cafeToo = await fx.app.key({ role: 'wallet', merchantIds: ['shop', 'cafe'] })
    expect(offerIds((await ask(store.lat, store.lon, 'scope-customer', cafeToo)).body)).toEqual([
      offer.offerId,
    ])
    await fx.app.call(`/api/v1/offers/${offer.offerId}`, { method: 'DELETE', key: merchantKey })
  })

  it.each([
    ['lat=91&lon=2&customer=a', 'lat'],
    ['lat=48&lon=-181&customer=a', 'lon'],
    ['lat=48&lon=2', 'customer'],
    ['lat=48&lon=2&customer=', 'customer'],
    ['lat=x&lon=2&customer=a', 'lat'],
    ['lat=48&lon=2&customer=a&limit=11', 'limit'],
  ])('refuses %s with 400 naming %s', async (query, field) => {
    const response = await fx.app.call(`/api/v1/wallet/offers?${query}`, { key: walletKey })
    expect(response.status).toBe(400)
    expect((response.body as { error: { message: string } }).error.message.startsWith(`${field}:`)).toBe(true)
  })

  it('refuses other roles and missing keys', async () => {
    expect((await ask(store.lat, store.lon, 'x', merchantKey)).status).toBe(403)
    expect((await fx.app.call('/api/v1/wallet/offers?lat=1&lon=1&customer=x')).status).toBe(401)
  })
})

describe('index freshness', () => {
  it('serves an every-store offer at a store loaded after the offer, once the stores batch is stored', async () => {
    const offer = await createOffer({ name: 'Every store', stores: [], radiusM: 200 })
    const far = { lat: 45.764, lon: 4.8357 }
    expect(offerIds((await ask(far.lat, far.lon, 'lyon-customer')).body)).toEqual([])
    const body = JSON.stringify({
      merchant_id: 'cafe',
      store_id: 's9',
      name: 'Lyon',
      lat: far.lat,
      lon: far.lon,
      timezone: 'Europe/Paris',
      country: 'FR',
      city: 'Lyon',
      currency: 'EUR',
    })
    const ingest = await fx.app.call('/api/v1/ingest/stores', {
      method: 'POST',
      key: merchantKey,
      headers: { 'content-type': 'application/x-ndjson' },
      body: body + '\n',
    })
    expect(ingest.status).toBe(200)
    let served: string[] = []
    for (let i = 0; i < 50 && served.length === 0; i++) {
      served = offerIds((await ask(far.lat, far.lon, 'lyon-customer')).body)
      if (served.length === 0) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(served).toEqual([offer.offerId])
    await fx.app.call(`/api/v1/offers/${offer.offerId}`, { method: 'DELETE', key: merchantKey })
  })
})

describe('rate limit', () => {
  it('meets a burst from one key with 429 while another key is still served', async () => {
    const limited = await startTestApp(db, { walletRatePerSecond: 5 }, { wallet: fx.wallet })
    try {
      const burst = await Promise.all(
        Array.from({ length: 12 }, () =>
          limited.call('/api/v1/wallet/offers?lat=1&lon=1&customer=burst', { key: walletKey }),
        ),
      )
      const statuses = burst.map((r) => r.status).sort()
      expect(statuses.filter((s) => s === 200)).toHaveLength(5)
      expect(statuses.filter((s) => s === 429)).toHaveLength(7)
      expect(burst.find((r) => r.status === 429)?.body).toMatchObject({ error: { code: 'rate_limited' } })
      const other = await fx.app.key({ role: 'wallet' })
      expect(
        (await limited.call('/api/v1/wallet/offers?lat=1&lon=1&customer=burst', { key: other })).status,
      ).toBe(200)
    } finally {
      await limited.close()
    }
  })
})

describe('POST /api/v1/wallet/events', () => {
  it('records each event once by eventId and answers per-event verdicts (207 for a mixed batch)', async () => {
    const offer = await createOffer({ name: 'Events', stores: ['s1'] })
    const shopOffer = await fx.app.call('/api/v1/offers', {
      method: 'POST',
      key: merchantKey,
      json: {
        merchantId: 'shop',
        name: 'NY',
        text: 'x',
        value: { kind: 'percent', amount: 5 },
        schedule: wide,
        cap: { count: 1, days: 1 },
      },
    })
    const cafeWallet = await fx.app.key({ role: 'wallet', merchantIds: ['cafe'] })
    const now = new Date().toISOString()
    const event = (eventId: string, over: Record<string, unknown> = {}) => ({
      eventId,
      offerId: offer.offerId,
      customer: 'event-customer',
      type: 'opened',
      at: now,
      ...over,
    })
    const first = await fx.app.call('/api/v1/wallet/events', {
      method: 'POST',
      key: cafeWallet,
      json: [event('e1'), event('e2', { type: 'redeemed' })],
    })
    expect(first.status).toBe(200)
    expect(first.body).toEqual({
      recorded: 2,
      duplicates: 0,
      rejected: 0,
      results: [
        { index: 0, eventId: 'e1', status: 201 },
        { index: 1, eventId: 'e2', status: 201 },
      ],
    })
    const mixed = await fx.app.call('/api/v1/wallet/events', {
      method: 'POST',
      key: cafeWallet,
      json: [
        event('e1'),
        event('e3', { type: 'dismissed' }),
        event('e4', { offerId: 'off_ffffffffffffffff' }),
        event('e5', { at: new Date(Date.now() + 3_600_000).toISOString() }),
        event('e6', { offerId: (shopOffer.body as Offer).offerId }),
        event('e7', { type: 'clicked' }),
        event('e3'),
      ],
    })
    expect(mixed.status).toBe(207)
    const body = mixed.body as WalletEventsResponse
    expect([body.recorded, body.duplicates, body.rejected]).toEqual([1, 2, 4])
    expect(body.results.map((r) => [r.eventId, r.status, r.error?.message.split(':')[0]])).toEqual([
      ['e1', 200, undefined],
      ['e3', 201, undefined],
      ['e4', 400, '2.offerId'],
      ['e5', 400, '3.at'],
      ['e6', 404, '4.offerId'],
      ['e7', 400, '5.type'],
      ['e3', 200, undefined],
    ])
    const allBad = await fx.app.call('/api/v1/wallet/events', {
      method: 'POST',
      key: cafeWallet,
      json: [event('e8', { at: 'yesterday' })],
    })
    expect(allBad.status).toBe(400)
    expect((allBad.body as { error: { message: string } }).error.message.startsWith('0.at:')).toBe(true)
    expect(
      (await fx.app.call('/api/v1/wallet/events', { method: 'POST', key: cafeWallet, json: [] })).status,
    ).toBe(400)
    await fx.restart()
    const repeat = await fx.app.call('/api/v1/wallet/events', {
      method: 'POST',
      key: cafeWallet,
      json: [event('e2')],
    })
    expect(repeat.body).toMatchObject({ recorded: 0, duplicates: 1 })
    await fx.wallet.flush()
    expect(
      await rows(
        db,
        `SELECT event_id, toString(type) AS type FROM offer_events FINAL WHERE offer_id = {id:String} ORDER BY event_id`,
        { id: offer.offerId },
      ),
    ).toEqual([
      { event_id: 'e1', type: 'opened' },
      { event_id: 'e2', type: 'redeemed' },
      { event_id: 'e3', type: 'dismissed' },
    ])
  })
})

describe('privacy of positions and customers', () => {
  it('keeps no precise position and no raw customer id in any table or the journal', async () => {
    const offer = await createOffer({ name: 'Private', stores: ['s1'] })
    const lat = 48.857123
    const lon = 2.351987
    await ask(lat, lon, 'raw-customer-4711')
    await fx.app.call('/api/v1/wallet/events', {
      method: 'POST',
      key: walletKey,
      json: [
        {
          eventId: 'p1',
          offerId: offer.offerId,
          customer: 'raw-customer-4711',
          type: 'opened',
          at: new Date().toISOString(),
        },
      ],
    })
    const journal = fs
      .readdirSync(fx.journalDir)
      .map((f) => fs.readFileSync(`${fx.journalDir}/${f}`, 'utf8'))
      .join('')
    expect(journal).toContain(customerKey(testPseudonymKey, 'raw-customer-4711'))
    expect(journal).toContain('48.85,2.35')
    for (const needle of ['raw-customer-4711', '48.857123', '2.351987']) expect(journal).not.toContain(needle)
    await fx.wallet.flush()
    const tables = await rows<{ name: string }>(
      db,
      `SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree%'`,
    )
    expect(tables.map((t) => t.name)).toContain('offer_events')
    for (const { name } of tables) {
      for (const needle of ['raw-customer-4711', '48.857123', '2.351987']) {
        const [hit] = await rows<{ n: number }>(
          db,
          `SELECT countIf(position(formatRow('TSV', *), {needle:String}) > 0) AS n FROM {table:Identifier}`,
          { table: name, needle },
        )
        expect({ table: name, needle, n: hit?.n }).toEqual({ table: name, needle, n: 0 })
      }
    }
    const [cell] = await rows(
      db,
      `SELECT cell, customer_key FROM offer_events WHERE offer_id = {id:String} AND type = 'impression'`,
      {
        id: offer.offerId,
      },
    )
    expect(cell).toEqual({
      cell: '48.85,2.35',
      customer_key: customerKey(testPseudonymKey, 'raw-customer-4711'),
    })
  })
})

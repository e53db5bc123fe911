import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKey, createKeyVerifier, revokeKey } from '../../server/auth/apiKeys.ts'
import { createReferenceCache } from '../../server/referenceCache.ts'
import { insertLines } from '../support/insightsFixture.ts'
import { startTestApp, type TestApp } from '../support/testApp.ts'
import { createTestDb } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
let app: TestApp
let admin: string

const storeRow = (merchant_id: string, store_id = 's1') => ({
  merchant_id,
  store_id,
  name: store_id,
  lat: 40.7,
  lon: -74,
  timezone: 'America/New_York',
  country: 'US',
  city: 'New York',
  currency: 'USD',
})
const merchantIds = async (key = admin) =>
  ((await app.call('/api/v1/merchants', { key })).body as { rows: { merchantId: string }[] }).rows.map(
    (m) => m.merchantId,
  )

beforeAll(async () => {
  db = await createTestDb()
  app = await startTestApp(db)
  admin = await app.key({ role: 'admin' })
  await db.client.insert({ table: 'stores', format: 'JSONEachRow', values: [storeRow('cafe')] })
})

afterAll(async () => {
  await app.close()
  await db.cleanup()
})

describe('reference reads from memory', () => {
  it('answers merchants and stores without asking the database again until this process writes', async () => {
    expect(await merchantIds()).toEqual(['cafe'])
    // Written behind the app's back (as another process would): the cached answers stand.
    await db.client.insert({
      table: 'stores',
      format: 'JSONEachRow',
      values: [storeRow('ghost'), storeRow('cafe', 's2')],
    })
    expect(await merchantIds()).toEqual(['cafe'])
    const stores = await app.call('/api/v1/merchants/cafe/stores', { key: admin })
    expect((stores.body as { rows: unknown[] }).rows).toHaveLength(2)
    expect(
      ((await app.call('/api/v1/merchants/cafe/stores', { key: admin })).body as { rows: unknown[] }).rows,
    ).toHaveLength(2)

    // An ingest through this app invalidates: every answer is read afresh.
    const loaded = await app.call('/api/v1/ingest/stores', {
      method: 'POST',
      key: admin,
      headers: { 'content-type': 'application/x-ndjson' },
      body: JSON.stringify(storeRow('bakery')),
    })
    expect(loaded.status).toBe(200)
    expect(await merchantIds()).toEqual(['bakery', 'cafe', 'ghost'])
    // A merchant key sees its own merchant only, from the same cached list.
    expect(await merchantIds(await app.key({ role: 'merchant', merchantId: 'bakery' }))).toEqual(['bakery'])
  })

  it('lists a key created or revoked through the API at once', async () => {
    const created = await app.call('/api/v1/keys', {
      method: 'POST',
      key: admin,
      json: { role: 'wallet', name: 'w' },
    })
    const keyId = (created.body as { keyId: string }).keyId
    const listed = async () =>
      (
        (await app.call('/api/v1/keys', { key: admin })).body as {
          rows: { keyId: string }[]
        }
      ).rows.find((k) => k.keyId === keyId)
    const fresh = await listed()
    expect(fresh).toMatchObject({ keyId, name: 'w' })
    await app.call(`/api/v1/keys/${keyId}`, { method: 'DELETE', key: admin })
    expect(await listed()).not.toEqual(fresh)
  })

  it('reads again once the answer is older than its time to live', async () => {
    const cache = createReferenceCache(db, { ttlMs: 3000 })
    const before = (await cache.merchants(undefined)).map((m) => m.merchantId)
    await db.client.insert({ table: 'stores', format: 'JSONEachRow', values: [storeRow('late')] })
    expect((await cache.merchants(undefined)).map((m) => m.merchantId)).toEqual(before)
    await sleep(3100)
    expect((await cache.merchants(undefined)).map((m) => m.merchantId)).toEqual([...before, 'late'].sort())
  })

  /** Asks until `done` holds; the time it first held. */
  async function whenTrue(done: () => Promise<boolean>): Promise<number> {
    for (;;) {
      if (await done()) return performance.now()
      await sleep(50)
    }
  }

  it('reads again in the background past half its time to live, so no request waits for it', async () => {
    const cache = createReferenceCache(db, { ttlMs: 6000 })
    const read = async () => (await cache.merchants(undefined)).map((m) => m.merchantId)
    const readAt = performance.now()
    const before = await read()
    await db.client.insert({ table: 'stores', format: 'JSONEachRow', values: [storeRow('early')] })
    await sleep(3100)
    // Past half its life: this request gets the kept answer at once and starts the read behind it.
    expect(await read()).toEqual(before)
    const seen = await whenTrue(async () => (await read()).includes('early'))
    // The new answer arrived before the kept one would have expired.
    expect(seen - readAt).toBeLessThan(6000)
  })

  it('looks a key in use up again ahead of expiry; a revoked key stops within the cache time', async () => {
    const verify = createKeyVerifier(db, 6000)
    const { key, keyId } = await createKey(db, { role: 'wallet', name: 'ahead' })
    const lookedUpAt = performance.now()
    expect(await verify(key)).toMatchObject({ keyId, role: 'wallet' })
    await revokeKey(db, keyId)
    expect(await verify(key)).toMatchObject({ keyId })
    await sleep(3100)
    // Past half the cache time: answered from the cache, looked up again behind it.
    expect(await verify(key)).toMatchObject({ keyId })
    const refused = await whenTrue(async () => (await verify(key)) === undefined)
    expect(refused - lookedUpAt).toBeLessThan(6000)
  })

  it("keeps a merchant's insights facts while nothing stored changes, and reads them again after any write", async () => {
    const cache = createReferenceCache(db)
    const line = (tx: string, currency: string) => ({
      merchant: 'cafe',
      store: 's1',
      tx,
      at: '2024-05-01 15:00:00',
      local: '2024-05-01 11:00:00',
      product: 'latte',
      qty: '1',
      amount: '4.00',
      currency,
    })
    await insertLines(db, [line('t1', 'USD')])
    const summary = () =>
      app.call('/api/v1/merchants/cafe/summary?from=2024-05-01&to=2024-05-01', { key: admin })
    const before = await summary()
    expect(before.status).toBe(200)
    expect(before.body).toMatchObject({ rows: [{ revenue: 4 }] })
    const first = await cache.merchantFacts('cafe')
    expect(first?.saleCurrencies).toEqual(['USD'])
    expect(await cache.merchantFacts('cafe')).toBe(first)
    // Written behind the cache's back (another process, no invalidation): the data version tells.
    await insertLines(db, [line('t2', 'EUR')])
    expect((await cache.merchantFacts('cafe'))?.saleCurrencies.sort()).toEqual(['EUR', 'USD'])
    expect(await cache.merchantFacts('nobody')).toBeUndefined()
    // Values derived from the facts (the stores' weather stations) are kept while the facts are.
    let loads = 0
    const derived = () =>
      cache.keptWithFacts('cafe', 'storeCount', async (f) => {
        loads++
        return f.stores.length
      })
    expect(await derived()).toBe(2)
    expect(await derived()).toBe(2)
    expect(loads).toBe(1)
    await db.client.insert({ table: 'stores', format: 'JSONEachRow', values: [storeRow('cafe', 's3')] })
    await cache.merchantFacts('cafe')
    expect(await derived()).toBe(3)
    expect(loads).toBe(2)
    expect(await cache.keptWithFacts('nobody', 'storeCount', async () => 0)).toBeUndefined()
    // Through the app: the euro line has no rate into USD, so the summary still answers 400.
    const after = await summary()
    expect(after.status).toBe(400)
    expect(JSON.stringify(after.body)).toContain('no FX rate into USD')
  })
})

import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../server/app.ts'
import { createKey } from '../../server/auth/apiKeys.ts'
import { createWalletService } from '../../server/wallet/walletService.ts'
import { createTestDb, storeRow } from '../support/testDb.ts'
import { testPseudonymKey } from '../support/testApp.ts'
import type { TestDb } from '../support/walletFixture.ts'

let db: TestDb
const logged: string[] = []

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: [storeRow('cafe', 's1', 48.8566, 2.3522)],
  })
})
afterAll(async () => {
  await db.cleanup()
})

describe('logs', () => {
  it('hold no position and no raw customer id, whatever the wallet and preview routes are asked', async () => {
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logged.push(chunk.toString())
          done()
        },
      }),
    )
    const wallet = createWalletService({
      db,
      pseudonymKey: testPseudonymKey,
      journalDir: path.join(db.dir, 'journal'),
    })
    await wallet.start()
    const app = createApp({
      db,
      logger,
      limits: { ratePerMinute: 1000, jsonBytes: 65_536, ingestBytes: 1 << 20, rangeDays: 1100 },
      pseudonymKey: testPseudonymKey,
      wallet,
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const admin = (await createKey(db, { role: 'admin', name: '' })).key
      const walletKey = (await createKey(db, { role: 'wallet', name: '' })).key
      const call = (p: string, key: string, init: RequestInit = {}) =>
        fetch(base + p, {
          ...init,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        })
      const created = await call('/api/v1/offers', admin, {
        method: 'POST',
        body: JSON.stringify({
          merchantId: 'cafe',
          name: 'Logged',
          text: 'x',
          value: { kind: 'percent', amount: 5 },
          schedule: { from: '2026-01-01', to: '2027-12-31' },
          cap: { count: 9, days: 1 },
        }),
      })
      const offerId = ((await created.json()) as { offerId: string }).offerId
      const position = 'lat=48.857123&lon=2.351987'
      await call(`/api/v1/wallet/offers?${position}&customer=secret-traveller-77`, walletKey)
      await call(`/api/v1/wallet/offers?lat=99&lon=2.351987&customer=secret-traveller-77`, walletKey)
      await call(`/api/v1/offers/preview?merchantId=cafe&${position}`, admin)
      await call('/api/v1/wallet/events', walletKey, {
        method: 'POST',
        body: JSON.stringify([
          {
            eventId: 'l1',
            offerId,
            customer: 'secret-traveller-77',
            type: 'opened',
            at: new Date().toISOString(),
          },
          { eventId: 'l2', offerId, customer: 'secret-traveller-77', type: 'opened', at: 'not a time' },
        ]),
      })
      await call('/api/v1/wallet/events', walletKey, { method: 'POST', body: '{not json' })
      const text = logged.join('')
      expect(text).toContain('/api/v1/offers/preview')
      for (const needle of ['secret-traveller-77', '48.857123', '2.351987'])
        expect(text).not.toContain(needle)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await wallet.close()
    }
  })
})

import { createHmac } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { customerKeySql, hmacPads, loadPseudonymKey } from '../../pipelines/pseudonymKey.ts'
import { customerKey } from '../../server/wallet/customerKey.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
beforeAll(async () => {
  db = await createTestDb()
})
afterAll(async () => {
  await db.cleanup()
})

describe('customer pseudonyms', () => {
  it.each([
    ['a-sixteen-char-k', 'alice'],
    ['k'.repeat(100), 'bob@example.com'],
    ['ключ-с-юникодом-0123', 'Ünïcode ☕ customer'],
  ])('SQL HMAC-SHA256 with key %s equals node:crypto', async (key, customer) => {
    const pads = hmacPads(key)
    const [row] = await rows<{ k: string }>(db, `SELECT ${customerKeySql('toNullable({c:String})')} AS k`, {
      c: customer,
      ...pads,
    })
    expect(row?.k).toBe(createHmac('sha256', key).update(customer).digest('hex').slice(0, 32))
  })

  it('gives a wallet customer the same pseudonym in JS as ingest gives the payer in SQL', async () => {
    const key = 'wallet-and-till-key-0123'
    const [row] = await rows<{ k: string }>(db, `SELECT ${customerKeySql('toNullable({c:String})')} AS k`, {
      c: 'traveller-42',
      ...hmacPads(key),
    })
    expect(customerKey(key, 'traveller-42')).toBe(row?.k)
    expect(row?.k).toMatch(/^[0-9a-f]{32}$/)
  })

  it('keeps an unknown customer empty', async () => {
    expect(
      await rows(
        db,
        `SELECT ${customerKeySql("CAST(NULL, 'Nullable(String)')")} AS k`,
        hmacPads('x'.repeat(16)),
      ),
    ).toEqual([{ k: '' }])
  })

  it('generates the key once into the data dir, readable by the owner only', () => {
    const key = loadPseudonymKey(undefined, db.dir)
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    expect(loadPseudonymKey(undefined, db.dir)).toBe(key)
    expect(fs.statSync(path.join(db.dir, 'pseudonym-key')).mode & 0o777).toBe(0o600)
    expect(loadPseudonymKey('configured-key-0123', db.dir)).toBe('configured-key-0123')
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordAudit } from '../../server/audit/recordAudit.ts'
import { createKey } from '../../server/auth/apiKeys.ts'
import type { AuditList } from '../../server/contract.ts'
import { startTestApp, type TestApp } from '../support/testApp.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
let app: TestApp
let admin: { key: string; keyId: string }

beforeAll(async () => {
  db = await createTestDb()
  app = await startTestApp(db)
  admin = await createKey(db, { role: 'admin', name: 'ops' })
})
afterAll(async () => {
  await app.close()
  await db.cleanup()
})

describe('audit log', () => {
  it('records key creation and revocation with the acting key id, never a secret', async () => {
    const created = await app.call('/api/v1/keys', {
      key: admin.key,
      method: 'POST',
      json: { role: 'merchant', merchantId: 'cafe', name: 'till' },
    })
    expect(created.status).toBe(201)
    const { key, keyId } = created.body as { key: string; keyId: string }
    expect((await app.call(`/api/v1/keys/${keyId}`, { key: admin.key, method: 'DELETE' })).status).toBe(200)
    expect((await app.call('/api/v1/keys/000000000000', { key: admin.key, method: 'DELETE' })).status).toBe(
      404,
    )

    const audit = await app.call('/api/v1/audit', { key: admin.key })
    expect(audit.status).toBe(200)
    const list = audit.body as AuditList
    expect(list.nextOffset).toBeNull()
    expect(
      list.rows.map(({ keyId, action, target, merchantId, details }) => ({
        keyId,
        action,
        target,
        merchantId,
        details,
      })),
    ).toEqual([
      { keyId: admin.keyId, action: 'key.revoked', target: keyId, merchantId: '', details: {} },
      {
        keyId: admin.keyId,
        action: 'key.created',
        target: keyId,
        merchantId: '',
        details: { role: 'merchant', merchantIds: ['cafe'], name: 'till' },
      },
    ])
    expect(list.rows[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    const stored = await rows<{ text: string }>(
      db,
      'SELECT concat(key_id, target, details) AS text FROM audit_log',
    )
    for (const { text } of stored) {
      expect(text).not.toContain(key)
      expect(text).not.toContain(admin.key)
    }
  })

  it('pages newest first and filters by action and merchant', async () => {
    for (const n of [1, 2, 3])
      await recordAudit(db, {
        keyId: 'cli',
        action: 'segment.updated',
        target: `seg-${n}`,
        merchantId: n === 2 ? 'shop' : 'cafe',
        details: { version: n },
      })
    const page = async (query: string) =>
      (await app.call(`/api/v1/audit?${query}`, { key: admin.key })).body as AuditList
    const first = await page('action=segment.updated&limit=2')
    expect(first.rows.map((r) => r.target)).toEqual(['seg-3', 'seg-2'])
    expect(first.nextOffset).toBe(2)
    const second = await page('action=segment.updated&limit=2&offset=2')
    expect(second.rows.map((r) => [r.target, r.details])).toEqual([['seg-1', { version: 1 }]])
    expect(second.nextOffset).toBeNull()
    expect((await page('merchantId=shop')).rows.map((r) => r.target)).toEqual(['seg-2'])
    expect((await page('action=key.created')).rows.map((r) => r.action)).toEqual(['key.created'])
  })

  it('is for admins only and names a bad parameter', async () => {
    const merchant = await app.key({ role: 'merchant', merchantId: 'cafe' })
    expect((await app.call('/api/v1/audit', { key: merchant })).status).toBe(403)
    expect(await app.call('/api/v1/audit?action=key.stolen', { key: admin.key })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: expect.stringMatching(/^action: /) as string } },
    })
    expect(await app.call('/api/v1/audit?limit=5000', { key: admin.key })).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/^limit: /) as string } },
    })
  })
})

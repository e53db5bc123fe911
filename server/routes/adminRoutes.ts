import { Router } from 'express'
import { keyCreatedEntry, recordAudit } from '../audit/recordAudit.ts'
import { createKey, revokeKey, type KeyVerifier } from '../auth/apiKeys.ts'
import { principalOf, requireRole } from '../auth/requireRole.ts'
import { AuditQuery, CreateKeyRequest, type Whoami } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { HttpError } from '../httpError.ts'
import { listAudit } from '../queries/listAudit.ts'
import type { ReferenceCache } from '../referenceCache.ts'

export function adminRoutes(db: Db, verify: KeyVerifier, reference: ReferenceCache): Router {
  const router = Router()
  router.get('/whoami', requireRole(verify, 'admin', 'merchant', 'marketer', 'wallet'), (_req, res) => {
    const { keyId, role, merchantIds } = principalOf(res)
    res.json({ keyId, role, merchantIds } satisfies Whoami)
  })
  router.post('/keys', requireRole(verify, 'admin'), async (req, res) => {
    const body = CreateKeyRequest.parse(req.body)
    const created = await createKey(db, body)
    reference.invalidate()
    await recordAudit(db, keyCreatedEntry(principalOf(res).keyId, created))
    res.status(201).json(created)
  })
  router.get('/keys', requireRole(verify, 'admin'), async (_req, res) => {
    res.json({ rows: await reference.keys() })
  })
  router.delete('/keys/:keyId', requireRole(verify, 'admin'), async (req, res) => {
    const key = await revokeKey(db, String(req.params.keyId))
    reference.invalidate()
    if (!key) throw HttpError.notFound(`key ${req.params.keyId} not found`)
    await recordAudit(db, { keyId: principalOf(res).keyId, action: 'key.revoked', target: key.keyId })
    res.json(key)
  })
  router.get('/audit', requireRole(verify, 'admin'), async (req, res) => {
    res.json(await listAudit(db, AuditQuery.parse(req.query)))
  })
  return router
}

import { Router } from 'express'
import { createKey, listKeys, revokeKey, type KeyVerifier } from '../auth/apiKeys.ts'
import { principalOf, requireRole } from '../auth/requireRole.ts'
import { CreateKeyRequest, type Whoami } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { HttpError } from '../httpError.ts'

export function adminRoutes(db: Db, verify: KeyVerifier): Router {
  const router = Router()
  router.get('/whoami', requireRole(verify, 'admin', 'merchant', 'marketer', 'wallet'), (_req, res) => {
    const { keyId, role, merchantIds } = principalOf(res)
    res.json({ keyId, role, merchantIds } satisfies Whoami)
  })
  router.post('/keys', requireRole(verify, 'admin'), async (req, res) => {
    const body = CreateKeyRequest.parse(req.body)
    res.status(201).json(await createKey(db, body))
  })
  router.get('/keys', requireRole(verify, 'admin'), async (_req, res) => {
    res.json({ rows: await listKeys(db) })
  })
  router.delete('/keys/:keyId', requireRole(verify, 'admin'), async (req, res) => {
    const key = await revokeKey(db, String(req.params.keyId))
    if (!key) throw HttpError.notFound(`key ${req.params.keyId} not found`)
    res.json(key)
  })
  return router
}

import { Router } from 'express'
import type { KeyVerifier } from '../auth/apiKeys.ts'
import { principalOf, requireRole, visibleMerchants } from '../auth/requireRole.ts'
import type { Db } from '../db/createDb.ts'
import { listMerchants } from '../queries/listMerchants.ts'

export function merchantRoutes(db: Db, verify: KeyVerifier): Router {
  const router = Router()
  router.get('/merchants', requireRole(verify, 'admin', 'merchant', 'marketer'), async (_req, res) => {
    res.json({ rows: await listMerchants(db, visibleMerchants(principalOf(res))) })
  })
  return router
}

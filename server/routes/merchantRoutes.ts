import { Router } from 'express'
import type { KeyVerifier } from '../auth/apiKeys.ts'
import { merchantScope, principalOf, requireRole, visibleMerchants } from '../auth/requireRole.ts'
import { MerchantId } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { listMerchants } from '../queries/listMerchants.ts'
import { listStores } from '../queries/listStores.ts'

export function merchantRoutes(db: Db, verify: KeyVerifier): Router {
  const router = Router()
  const readers = requireRole(verify, 'admin', 'merchant', 'marketer')
  router.get('/merchants', readers, async (_req, res) => {
    res.json({ rows: await listMerchants(db, visibleMerchants(principalOf(res))) })
  })
  router.get('/merchants/:merchantId/stores', readers, async (req, res) => {
    const scope = merchantScope(principalOf(res), MerchantId.parse(req.params.merchantId))
    res.json({ rows: await listStores(db, scope) })
  })
  return router
}

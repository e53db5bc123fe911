import { Router } from 'express'
import type { KeyVerifier } from '../auth/apiKeys.ts'
import { merchantScope, principalOf, requireRole, visibleMerchants } from '../auth/requireRole.ts'
import { MerchantId } from '../contract.ts'
import type { ReferenceCache } from '../referenceCache.ts'

export function merchantRoutes(verify: KeyVerifier, reference: ReferenceCache): Router {
  const router = Router()
  const readers = requireRole(verify, 'admin', 'merchant', 'marketer')
  router.get('/merchants', readers, async (_req, res) => {
    res.json({ rows: await reference.merchants(visibleMerchants(principalOf(res))) })
  })
  router.get('/merchants/:merchantId/stores', readers, async (req, res) => {
    const scope = merchantScope(principalOf(res), MerchantId.parse(req.params.merchantId))
    res.json({ rows: await reference.stores(scope) })
  })
  return router
}

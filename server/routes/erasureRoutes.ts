import { Router } from 'express'
import { customerErasedEntry, recordAudit } from '../audit/recordAudit.ts'
import type { KeyVerifier } from '../auth/apiKeys.ts'
import { principalOf, requireRole } from '../auth/requireRole.ts'
import { ErasureRequest, type ErasureResult } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { customerKeyOf } from '../db/customerKeyOf.ts'
import { eraseCustomer } from '../db/eraseCustomer.ts'
import { HttpError } from '../httpError.ts'
import { listMerchants } from '../queries/listMerchants.ts'

/** Admins erase a customer from one merchant's data (docs/erasure.md); each erasure is audited. */
export function erasureRoutes(db: Db, verify: KeyVerifier, options: { pseudonymKey: string }): Router {
  const router = Router()
  router.post('/admin/erasures', requireRole(verify, 'admin'), async (req, res) => {
    const { merchantId, customerId } = ErasureRequest.parse(req.body)
    if ((await listMerchants(db, [merchantId])).length === 0)
      throw HttpError.notFound(`merchant ${merchantId} not found`)
    const customerKey = customerKeyOf(options.pseudonymKey, customerId)
    const outcome = await eraseCustomer(db, { merchantId, customerKey, customerId })
    await recordAudit(db, customerErasedEntry(principalOf(res).keyId, merchantId, outcome))
    res.json({ ...outcome, merchantId } satisfies ErasureResult)
  })
  return router
}

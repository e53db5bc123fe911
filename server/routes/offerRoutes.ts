import { recordAudit, type AuditRecord } from '../audit/recordAudit.ts'
import { randomBytes } from 'node:crypto'
import { Router, type Response } from 'express'
import type { KeyVerifier } from '../auth/apiKeys.ts'
import { merchantScope, principalOf, requireRole, visibleMerchants } from '../auth/requireRole.ts'
import {
  CreateOfferRequest,
  OfferId,
  OfferListQuery,
  OfferPreviewQuery,
  PatchOfferRequest,
  type Offer,
  type OfferList,
} from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { HttpError } from '../httpError.ts'
import type { Principal } from '../auth/apiKeys.ts'
import { findOffer } from '../queries/findOffer.ts'
import { listMerchants } from '../queries/listMerchants.ts'
import { listOffers } from '../queries/listOffers.ts'
import { listStores } from '../queries/listStores.ts'
import { offerPerformance } from '../queries/offerPerformance.ts'
import { saveOffer } from '../queries/saveOffer.ts'
import { segmentMerchants } from '../queries/segmentMerchants.ts'
import type { WalletService } from '../wallet/walletService.ts'

export interface OfferRouteOptions {
  wallet: WalletService
  /** K: customer counts under it are never shown. */
  privacyThreshold: number
}

/**
 * Checks what an offer names against what exists: its stores belong to its merchant and its segment is a
 * saved segment of that merchant. Answers the merchant's own currency (its first store's when it has none).
 */
async function checkReferences(db: Db, merchantId: string, offer: Pick<Offer, 'stores' | 'segmentId'>) {
  const stores = await listStores(db, merchantId)
  if (stores.length === 0) throw HttpError.badRequest(`merchantId: merchant ${merchantId} has no stores`)
  const known = new Set(stores.map((s) => s.storeId))
  offer.stores.forEach((storeId, i) => {
    if (!known.has(storeId))
      throw HttpError.badRequest(`stores.${i}: unknown store ${storeId} of ${merchantId}`)
  })
  if (offer.segmentId) {
    const merchants = await segmentMerchants(db, offer.segmentId)
    if (!merchants?.includes(merchantId))
      throw HttpError.badRequest(`segmentId: no saved segment ${offer.segmentId} of merchant ${merchantId}`)
  }
  const [merchant] = await listMerchants(db, [merchantId])
  return { currency: merchant?.currency || (stores[0]?.currency ?? '') }
}

/** The offer, when the key may see its merchant; 404 otherwise, exactly like an offer that does not exist. */
async function visibleOffer(db: Db, principal: Principal, rawId: unknown): Promise<Offer> {
  const parsed = OfferId.safeParse(rawId)
  const offer = parsed.success ? await findOffer(db, parsed.data) : undefined
  if (!offer) throw HttpError.notFound(`offer ${String(rawId)} not found`)
  merchantScope(principal, offer.merchantId)
  return offer
}

const nowIso = () => new Date().toISOString()

/** An audit entry for an offer change: who, which offer of which merchant, and what changed. */
function offerEntry(
  res: Response,
  action: 'offer.created' | 'offer.updated' | 'offer.deleted',
  offer: Offer,
  details: Record<string, unknown>,
): AuditRecord {
  return {
    keyId: principalOf(res).keyId,
    action,
    target: offer.offerId,
    merchantId: offer.merchantId,
    details: { status: offer.status, ...details },
  }
}

export function offerRoutes(db: Db, verify: KeyVerifier, options: OfferRouteOptions): Router {
  const router = Router()
  const editors = requireRole(verify, 'admin', 'merchant', 'marketer')
  const { wallet } = options

  router.post('/offers', editors, async (req, res) => {
    const body = CreateOfferRequest.parse(req.body)
    const merchantId = merchantScope(principalOf(res), body.merchantId)
    const offer: Offer = {
      offerId: `off_${randomBytes(8).toString('hex')}`,
      ...body,
      segmentId: body.segmentId ?? null,
      dailyBudget: body.dailyBudget ?? null,
      createdAt: nowIso(),
      updatedAt: nowIso(),
    }
    const { currency } = await checkReferences(db, merchantId, offer)
    if (offer.value.kind === 'amount' && !offer.value.currency) offer.value = { ...offer.value, currency }
    const saved = await saveOffer(db, offer)
    await recordAudit(db, offerEntry(res, 'offer.created', saved, { name: saved.name }))
    await wallet.reload()
    res.status(201).json(saved)
  })

  router.get('/offers', editors, async (req, res) => {
    const query = OfferListQuery.parse(req.query)
    const principal = principalOf(res)
    const merchants = query.merchantId
      ? [merchantScope(principal, query.merchantId)]
      : visibleMerchants(principal)
    const rows = await listOffers(db, merchants, {
      status: query.status,
      threshold: options.privacyThreshold,
    })
    res.json({ rows, privacyThreshold: options.privacyThreshold } satisfies OfferList)
  })

  router.get('/offers/preview', editors, (req, res) => {
    const query = OfferPreviewQuery.parse(req.query)
    merchantScope(principalOf(res), query.merchantId)
    res.json(wallet.preview(query))
  })

  router.get('/offers/:offerId', editors, async (req, res) => {
    res.json(await visibleOffer(db, principalOf(res), req.params.offerId))
  })

  router.get('/offers/:offerId/performance', editors, async (req, res) => {
    const offer = await visibleOffer(db, principalOf(res), req.params.offerId)
    // Revenue in the merchant's own currency (as its insights report), converted at each day's rate.
    const [merchant] = await listMerchants(db, [offer.merchantId])
    const currency = merchant?.currency || offer.value.currency || ''
    res.json(await offerPerformance(db, offer, { currency, threshold: options.privacyThreshold }))
  })

  router.patch('/offers/:offerId', editors, async (req, res) => {
    const current = await visibleOffer(db, principalOf(res), req.params.offerId)
    const patch = PatchOfferRequest.parse(req.body)
    if (current.status === 'ended') throw new HttpError(409, 'ended', `offer ${current.offerId} has ended`)
    const next: Offer = { ...current, ...patch, updatedAt: nowIso() }
    await checkReferences(db, current.merchantId, next)
    const saved = await saveOffer(db, next)
    await recordAudit(db, offerEntry(res, 'offer.updated', saved, { fields: Object.keys(patch).sort() }))
    await wallet.reload()
    res.json(saved)
  })

  router.delete('/offers/:offerId', editors, async (req, res) => {
    const current = await visibleOffer(db, principalOf(res), req.params.offerId)
    if (current.status === 'ended') {
      res.json(current)
      return
    }
    const saved = await saveOffer(db, { ...current, status: 'ended', updatedAt: nowIso() })
    await recordAudit(db, offerEntry(res, 'offer.deleted', saved, {}))
    await wallet.reload()
    res.json(saved)
  })

  return router
}

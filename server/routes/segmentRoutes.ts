import { recordAudit, type AuditRecord } from '../audit/recordAudit.ts'
import { Router, type Response } from 'express'
import type { KeyVerifier } from '../auth/apiKeys.ts'
import { merchantScope, principalOf, requireRole, visibleMerchants } from '../auth/requireRole.ts'
import {
  CreateSegmentRequest,
  PatchSegmentRequest,
  SegmentPreviewRequest,
  SegmentProfileQuery,
  type Segment,
  type SegmentList,
  type SegmentRules,
} from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { HttpError } from '../httpError.ts'
import { privateCount } from '../queries/privacy.ts'
import {
  findSavedSegment,
  listSavedSegments,
  writeSegmentVersion,
  type SavedSegment,
} from '../queries/savedSegments.ts'
import { segmentCounts, segmentPreview } from '../queries/segmentPreview.ts'
import { segmentProfile } from '../queries/segmentProfile.ts'
import { resolveSegmentScope, type SegmentLimits } from '../queries/segmentScope.ts'
import type { SegmentMembership } from '../segments/segmentMembership.ts'

export interface SegmentRouteOptions {
  limits: SegmentLimits & { privacyK: number }
  membership: SegmentMembership
}

/**
 * Marketing segments (issue 9). Admin keys see every segment, merchant and marketer keys those whose
 * merchants are all theirs (others answer 404, like a segment that does not exist); wallet keys 403.
 * Every count goes through privateCount: no route returns a customer key, number or id.
 */
/** An audit entry for a segment change: who, which segment, its merchants and what changed (rules hold no ids). */
function segmentEntry(
  res: Response,
  action: 'segment.created' | 'segment.updated' | 'segment.deleted',
  segmentId: string,
  merchantIds: string[],
  details: Record<string, unknown>,
): AuditRecord {
  return {
    keyId: principalOf(res).keyId,
    action,
    target: segmentId,
    merchantId: merchantIds.length === 1 ? merchantIds[0] : undefined,
    details: { merchantIds, ...details },
  }
}

export function segmentRoutes(db: Db, verify: KeyVerifier, options: SegmentRouteOptions): Router {
  const router = Router()
  const auth = requireRole(verify, 'admin', 'merchant', 'marketer')
  const { limits, membership } = options
  const threshold = limits.privacyK

  /** The merchants of a request, each one the key may see (404 otherwise). */
  const scopedMerchants = (res: Response, merchantIds: string[]) =>
    merchantIds.map((m) => merchantScope(principalOf(res), m))

  /** Evaluates the rules once (merchants, stores, windows, rates) so a failing request saves nothing. */
  const assertEvaluable = async (merchantIds: string[], rules: SegmentRules) => {
    await segmentCounts(db, await resolveSegmentScope(db, merchantIds, rules, undefined, limits))
  }

  const visibleSegment = async (res: Response, id: string) => {
    const segment = await findSavedSegment(db, id, visibleMerchants(principalOf(res)))
    if (!segment) throw HttpError.notFound(`segment ${id} not found`)
    return segment
  }

  const shown = (segment: SavedSegment): Segment => ({
    id: segment.id,
    merchantIds: segment.merchantIds,
    name: segment.name,
    rules: segment.rules,
    createdAt: segment.createdAt,
    updatedAt: segment.updatedAt,
    ...(segment.members === undefined
      ? { size: null, suppressed: true }
      : privateCount(segment.members, threshold)),
    threshold,
    asOf: segment.asOf ?? null,
    refreshedAt: segment.refreshedAt ?? null,
  })

  /** The segment as stored after a write, with the membership its refresh just computed. */
  const reread = async (res: Response, id: string) => shown(await visibleSegment(res, id))

  router.post('/segments/preview', auth, async (req, res) => {
    const body = SegmentPreviewRequest.parse(req.body)
    const merchantIds = scopedMerchants(res, body.merchantIds)
    const scope = await resolveSegmentScope(db, merchantIds, body.rules, body.asOf, limits)
    res.json(await segmentPreview(db, scope, threshold))
  })

  router.post('/segments', auth, async (req, res) => {
    const body = CreateSegmentRequest.parse(req.body)
    const merchantIds = [...new Set(scopedMerchants(res, body.merchantIds))]
    await assertEvaluable(merchantIds, body.rules)
    const { id } = await writeSegmentVersion(db, { merchantIds, name: body.name, rules: body.rules })
    await recordAudit(
      db,
      segmentEntry(res, 'segment.created', id, merchantIds, { name: body.name, rules: body.rules }),
    )
    await membership.refresh(id)
    res.status(201).json(await reread(res, id))
  })

  router.get('/segments', auth, async (_req, res) => {
    const segments = await listSavedSegments(db, { visible: visibleMerchants(principalOf(res)) })
    const body: SegmentList = { rows: segments.map(shown) }
    res.json(body)
  })

  router.get('/segments/:segmentId', auth, async (req, res) => {
    res.json(shown(await visibleSegment(res, String(req.params.segmentId))))
  })

  router.patch('/segments/:segmentId', auth, async (req, res) => {
    const segment = await visibleSegment(res, String(req.params.segmentId))
    const patch = PatchSegmentRequest.parse(req.body)
    if (patch.rules) await assertEvaluable(segment.merchantIds, patch.rules)
    await writeSegmentVersion(
      db,
      { ...segment, name: patch.name ?? segment.name, rules: patch.rules ?? segment.rules },
      { after: segment.updatedAt },
    )
    await recordAudit(db, segmentEntry(res, 'segment.updated', segment.id, segment.merchantIds, patch))
    if (patch.rules) await membership.refresh(segment.id)
    res.json(await reread(res, segment.id))
  })

  router.delete('/segments/:segmentId', auth, async (req, res) => {
    const segment = await visibleSegment(res, String(req.params.segmentId))
    await writeSegmentVersion(db, segment, { deleted: true, after: segment.updatedAt })
    await recordAudit(db, segmentEntry(res, 'segment.deleted', segment.id, segment.merchantIds, {}))
    await membership.refresh(segment.id)
    res.json(shown(segment))
  })

  router.get('/segments/:segmentId/profile', auth, async (req, res) => {
    const segment = await visibleSegment(res, String(req.params.segmentId))
    const query = SegmentProfileQuery.parse(req.query)
    res.json(await segmentProfile(db, segment, query, { ...limits, threshold }))
  })

  return router
}

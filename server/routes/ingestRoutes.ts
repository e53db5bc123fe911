import { Router } from 'express'
import { BatchError, createPipeline, type InputLimits } from '../../pipelines/createPipeline.ts'
import { MappingError, presetSummaries, resolveMapping } from '../../pipelines/mapping.ts'
import { kinds } from '../../pipelines/kinds/kinds.ts'
import type { KeyVerifier } from '../auth/apiKeys.ts'
import { principalOf, requireRole, visibleMerchants } from '../auth/requireRole.ts'
import { BatchLedger, IngestKind, IngestQuery, ingestMediaTypes } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import type { ReferenceCache } from '../referenceCache.ts'
import { HttpError } from '../httpError.ts'
import { createIngestAdmission } from '../ingestAdmission.ts'
import { ingestFreshness } from '../queries/ingestFreshness.ts'
import { listBatches } from '../queries/listBatches.ts'
import { listRejects } from '../queries/listRejects.ts'

export interface IngestOptions {
  pseudonymKey: string
  /** Largest accepted body, decompressed (413 beyond). */
  maxBytes: number
  /** Bytes of text per committed INSERT (the pipeline's default when omitted). */
  chunkBytes?: number | undefined
  /** Longest field, line and CSV header (the pipeline's defaults when omitted). */
  inputLimits?: InputLimits | undefined
  /** Batches loaded at once, and how long a further one waits for its turn before 503 + Retry-After. */
  admission: { concurrent: number; waitMs: number }
  /** Where the embedded engine's chunks are spooled (see resetSpool); the system temp dir by default. */
  spoolDir?: string | undefined
  /** Called after a transactions batch stored at least one line (derived state such as segments refreshes). */
  onLinesInserted?: (() => void) | undefined
  /** Told when a batch begins and ends (stored or not): background work waits for the loads to pause. */
  batchActivity?: { started(): void; ended(): void } | undefined
  /** Invalidated after every batch. */
  reference: ReferenceCache
}

const idempotencyKey = /^[A-Za-z0-9_.:-]{1,128}$/

/** Ingestion over HTTP: the body is streamed into the pipeline (never buffered whole) as one batch. */
export function ingestRoutes(db: Db, verify: KeyVerifier, options: IngestOptions): Router {
  const router = Router()
  const pipeline = createPipeline({
    db,
    pseudonymKey: options.pseudonymKey,
    spoolDir: options.spoolDir,
    ...(options.chunkBytes ? { chunkBytes: options.chunkBytes } : {}),
    ...(options.inputLimits ? { limits: options.inputLimits } : {}),
  })
  const readers = requireRole(verify, 'admin', 'merchant')
  const admission = createIngestAdmission(options.admission)
  const retryAfterSeconds = String(Math.max(1, Math.ceil(options.admission.waitMs / 1000)))

  router.get('/ingest/batches', readers, async (_req, res) => {
    res.json({ rows: await listBatches(db, visibleMerchants(principalOf(res))) })
  })
  router.get('/ingest/batches/:batchId/rejects', readers, async (req, res) => {
    const batchId = String(req.params.batchId)
    const rows = await listRejects(db, visibleMerchants(principalOf(res)), batchId)
    if (!rows) throw HttpError.notFound(`batch ${batchId} not found`)
    res.json({ batchId, rows })
  })
  router.get('/ingest/mappings', readers, (_req, res) => {
    res.json({ rows: presetSummaries() })
  })
  router.get('/ingest/freshness', readers, async (_req, res) => {
    res.json({ rows: await ingestFreshness(db, visibleMerchants(principalOf(res))) })
  })

  router.post('/ingest/:kind', readers, async (req, res) => {
    const kind = IngestKind.parse(req.params.kind)
    const query = IngestQuery.parse(req.query)
    const principal = principalOf(res)
    const mediaType = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
    const format = ingestMediaTypes[mediaType as keyof typeof ingestMediaTypes]
    if (!format) {
      throw new HttpError(
        415,
        'unsupported_media_type',
        `Content-Type must be one of ${Object.keys(ingestMediaTypes).join(', ')}`,
      )
    }
    const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase()
    if (encoding !== 'identity' && encoding !== 'gzip') {
      throw new HttpError(415, 'unsupported_encoding', 'Content-Encoding must be gzip or absent')
    }
    const { maxBytes } = options
    const length = Number(req.get('content-length') ?? 0)
    if (length > maxBytes) {
      throw new HttpError(413, 'too_large', `the body is larger than the limit of ${maxBytes} bytes`)
    }
    const batchId = req.get('idempotency-key')
    if (batchId !== undefined && !idempotencyKey.test(batchId)) {
      throw HttpError.badRequest('Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 _ . : -')
    }
    if (principal.role !== 'admin' && !kinds[kind].merchantScoped) {
      throw HttpError.forbidden(`${kind} is shared reference data: only admin keys load it`)
    }
    let mapping: ReturnType<typeof resolveMapping> | undefined
    try {
      mapping = query.mapping ? resolveMapping(kind, query.mapping) : undefined
    } catch (err) {
      if (err instanceof MappingError) throw HttpError.badRequest(err.message, 'unknown_mapping')
      throw err
    }
    const release = await admission.admit()
    if (!release) {
      // A client still sending may not read an answer that comes before its body is taken (it sees a
      // broken connection instead), so the body is read and thrown away first.
      await new Promise((resolve) => {
        req.once('end', resolve).once('close', resolve).once('error', resolve).resume()
      })
      res.set('Retry-After', retryAfterSeconds)
      // The retry comes after a pause: on a kept-alive connection it could meet the server closing it as
      // idle (the client then sees EPIPE), so this connection ends with the answer and the retry opens one.
      res.set('Connection', 'close')
      throw new HttpError(
        503,
        'busy',
        `the server is loading as many batches as it holds in memory; retry in ${retryAfterSeconds} s`,
      )
    }
    options.batchActivity?.started()
    try {
      const ledger = await pipeline.run({
        kind,
        format,
        source: query.source ?? 'http',
        body: req,
        gzip: encoding === 'gzip',
        mapping,
        batchId,
        scope: principal.role === 'admin' ? '' : (principal.merchantIds[0] ?? ''),
        allowedMerchants: visibleMerchants(principal),
        maxBytes,
      })
      if (kind === 'transactions' && ledger.inserted > 0) options.onLinesInserted?.()
      res.json(BatchLedger.parse(ledger))
    } catch (err) {
      if (err instanceof BatchError) throw new HttpError(err.status, err.code, err.message)
      throw err
    } finally {
      options.batchActivity?.ended()
      release()
      // Whatever was stored (stores, the latest sale) changes the reference reads.
      options.reference.invalidate()
    }
  })
  return router
}

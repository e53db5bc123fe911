import fs from 'node:fs'
import path from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import express, { type ErrorRequestHandler, type Express, type NextFunction } from 'express'
import { ipKeyGenerator, rateLimit } from 'express-rate-limit'
import helmet from 'helmet'
import type { Logger } from 'pino'
import type { InputLimits } from '../pipelines/createPipeline.ts'
import { pinoHttp } from 'pino-http'
import { ZodError } from 'zod'
import { createKeyVerifier, hashKey } from './auth/apiKeys.ts'
import { endpoints, type ErrorBody } from './contract.ts'
import type { Db } from './db/createDb.ts'
import { HttpError } from './httpError.ts'
import { buildOpenApi } from './openapi.ts'
import { createReferenceCache } from './referenceCache.ts'
import { adminRoutes } from './routes/adminRoutes.ts'
import { erasureRoutes } from './routes/erasureRoutes.ts'
import { createAnswerCache } from './routes/answerCache.ts'
import { ingestRoutes } from './routes/ingestRoutes.ts'
import { insightsRoutes } from './routes/insightsRoutes.ts'
import { merchantRoutes } from './routes/merchantRoutes.ts'
import { offerRoutes } from './routes/offerRoutes.ts'
import { walletRoutes } from './routes/walletRoutes.ts'
import type { WalletService } from './wallet/walletService.ts'
import { segmentRoutes } from './routes/segmentRoutes.ts'
import { sharedDataVersion } from './queries/dataVersion.ts'
import { defaultPrivacyThreshold } from './queries/privacy.ts'
import { createWeatherSlotBuilds, type WeatherSlotBuilds } from './weather/weatherSlotBuilds.ts'
import { createSegmentMembership, type SegmentMembership } from './segments/segmentMembership.ts'

export interface AppOptions {
  db: Db
  logger: Logger
  /**
   * rangeDays: the longest date range an insights report or segment window may ask for; privacyK: the
   * fewest customers a count may show (PRIVACY_K, default 50).
   */
  limits: {
    ratePerMinute: number
    jsonBytes: number
    ingestBytes: number
    ingestChunkBytes?: number
    /** Ingest batches run at once, and how long a further one waits for a slot before 503 (defaults 2, 30 s). */
    ingestConcurrency?: number
    ingestQueueWaitMs?: number
    rangeDays: number
    /** Wallet requests a second per key (and the burst allowed at once); default 2000. */
    walletRatePerSecond?: number
    privacyK?: number
    /** Longest field, line and CSV header of an ingest body (the pipeline's defaults when omitted). */
    input?: InputLimits
  }
  /** Key of the customer pseudonyms (config.pseudonymKey or the one kept in DATA_DIR). */
  pseudonymKey: string
  /** Where the embedded engine's chunks are spooled (see resetSpool); the system temp dir when omitted. */
  spoolDir?: string | undefined
  /** Built dashboard to serve at /; omitted in API-only tests. */
  webDir?: string | undefined
  /** The started wallet service (main.ts owns its lifetime); the offer and wallet routes exist with it. */
  wallet?: WalletService | undefined
  /** Saved segments' members (main.ts refreshes it on a schedule); one is made when omitted. */
  segmentMembership?: SegmentMembership | undefined
  /** Kept builds of sales by weather's slots (main.ts owns their lifetime); one is made when omitted. */
  weatherSlots?: WeatherSlotBuilds | undefined
  /** Insights answers kept until the data changes (answerCache.ts); 0 computes every request (benchmarks). */
  answerCacheEntries?: number | undefined
}

const defaultAnswerCacheEntries = 500

export function createApp({
  db,
  logger,
  limits,
  pseudonymKey,
  spoolDir,
  webDir,
  wallet,
  segmentMembership,
  weatherSlots,
  answerCacheEntries = defaultAnswerCacheEntries,
}: AppOptions): Express {
  const app = express()
  const privacyK = limits.privacyK ?? defaultPrivacyThreshold
  const membership =
    segmentMembership ?? createSegmentMembership(db, { limits: { rangeDays: limits.rangeDays }, logger })
  const slots = weatherSlots ?? createWeatherSlotBuilds(db, { logger })
  const verify = createKeyVerifier(db)
  // One data version query serves the answer cache and the merchant facts of requests arriving together.
  const version = sharedDataVersion(db)
  const reference = createReferenceCache(db, { version })
  app.disable('x-powered-by')
  app.set('trust proxy', 'loopback')
  if (wallet) {
    // Wallet calls skip Express altogether (routing, logging, helmet, the per-minute limiter): under load
    // the wallet bench measured p50 2.5-10 ms this way against about 100 ms through the router.
    const handleWallet = walletRoutes(verify, wallet, {
      ratePerSecond: limits.walletRatePerSecond ?? 2000,
      jsonBytes: limits.jsonBytes,
      formatError: (err) => errorResponse(err, logger),
    })
    // An Express app is `(req, res) => app.handle(req, res)`: the wallet gets the request first.
    const dispatch = app as unknown as {
      handle: (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void
    }
    const routed = dispatch.handle.bind(app)
    dispatch.handle = (req, res, next) => {
      if (!handleWallet(req, res)) routed(req, res, next)
    }
  }
  app.use(
    pinoHttp({
      logger,
      // Paths only: query strings may carry positions or customer references, which never reach the logs.
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' },
    }),
  )
  app.use(helmet())

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', mode: db.mode })
  })
  app.get('/readyz', async (_req, res) => {
    const ping = await db.client.ping()
    res.status(ping.success ? 200 : 503).json({ status: ping.success ? 'ok' : 'unavailable', mode: db.mode })
  })

  const api = express.Router()
  api.use(
    rateLimit({
      windowMs: 60_000,
      limit: limits.ratePerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      // One budget per API key (hashed, never the secret itself), or per address for anonymous calls.
      keyGenerator: (req) => {
        const auth = req.get('authorization')
        return auth ? hashKey(auth) : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`
      },
      handler: (_req, res) => {
        res
          .status(429)
          .json(errorBody('rate_limited', 'too many requests; slow down and retry after a minute'))
      },
    }),
  )
  if (wallet) {
    // Stores moved or added: the wallet's geofences follow once the batch is stored.
    api.post('/ingest/stores', (_req, res, next) => {
      res.on('finish', () => {
        if (res.statusCode === 200)
          wallet.reload().catch((err: unknown) => logger.error({ err }, 'wallet reload failed'))
      })
      next()
    })
  }
  // Ingest bodies are streamed into the pipeline, so their router sits before the JSON body parser.
  api.use(
    ingestRoutes(db, verify, {
      pseudonymKey,
      maxBytes: limits.ingestBytes,
      chunkBytes: limits.ingestChunkBytes,
      inputLimits: limits.input,
      admission: { concurrent: limits.ingestConcurrency ?? 2, waitMs: limits.ingestQueueWaitMs ?? 30_000 },
      spoolDir,
      // New lines can change who is in a segment and weather's slots: both are made again in the background
      // once a burst of batches ends.
      onLinesInserted: () => {
        membership.refreshAfterIngest()
        slots.refreshAfterIngest()
      },
      batchActivity: slots.ingestActivity,
      reference,
    }),
  )
  api.use(express.json({ limit: limits.jsonBytes }))
  const openApi = buildOpenApi(endpoints)
  api.get('/openapi.json', (_req, res) => {
    res.json(openApi)
  })
  api.use(adminRoutes(db, verify, reference))
  api.use(erasureRoutes(db, verify, { pseudonymKey }))
  api.use(merchantRoutes(verify, reference))
  api.use(
    insightsRoutes(
      db,
      verify,
      { rangeDays: limits.rangeDays, privacyK },
      createAnswerCache(db, answerCacheEntries, version),
      reference,
      slots,
    ),
  )
  api.use(segmentRoutes(db, verify, { limits: { rangeDays: limits.rangeDays, privacyK }, membership }))
  if (wallet) api.use(offerRoutes(db, verify, { wallet, privacyThreshold: privacyK }))
  api.use((req) => {
    throw HttpError.notFound(`no route ${req.method} ${req.baseUrl}${req.path}`)
  })
  app.use('/api/v1', api)

  if (webDir && fs.existsSync(path.join(webDir, 'index.html'))) {
    app.use(express.static(webDir, { index: false, maxAge: '1h' }))
    app.get(/^\/(?!api\/).*/, (_req, res) => {
      res.sendFile(path.join(webDir, 'index.html'))
    })
  }
  app.use(errorHandler(logger))
  return app
}

function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } }
}

/** The one place errors become responses: a fitting status and { error: { code, message } }, no stack. */
function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    if (res.headersSent) {
      res.destroy()
      return
    }
    const { status, body } = errorResponse(err, logger)
    res.status(status).json(body)
  }
}

/** The status and body an error answers with (the wallet's lean path uses it too). */
function errorResponse(err: unknown, logger: Logger): { status: number; body: ErrorBody } {
  if (err instanceof HttpError) return { status: err.status, body: errorBody(err.code, err.message) }
  if (err instanceof ZodError) {
    const issue = err.issues[0]
    const field = issue?.path.join('.') || 'body'
    return { status: 400, body: errorBody('invalid_request', `${field}: ${issue?.message ?? 'invalid'}`) }
  }
  const status = (err as { status?: unknown }).status
  const type = (err as { type?: unknown }).type
  if (type === 'entity.parse.failed')
    return { status: 400, body: errorBody('invalid_json', 'the request body is not valid JSON') }
  if (type === 'entity.too.large')
    return { status: 413, body: errorBody('too_large', 'the request body is larger than allowed') }
  if (typeof status === 'number' && status >= 400 && status < 500)
    return { status, body: errorBody('bad_request', err instanceof Error ? err.message : 'bad request') }
  logger.error({ err }, 'unhandled error')
  return { status: 500, body: errorBody('internal', 'something went wrong on our side; it has been logged') }
}

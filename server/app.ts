import fs from 'node:fs'
import path from 'node:path'
import express, { type ErrorRequestHandler, type Express } from 'express'
import { ipKeyGenerator, rateLimit } from 'express-rate-limit'
import helmet from 'helmet'
import type { Logger } from 'pino'
import { pinoHttp } from 'pino-http'
import { ZodError } from 'zod'
import { createKeyVerifier, hashKey } from './auth/apiKeys.ts'
import { endpoints, type ErrorBody } from './contract.ts'
import type { Db } from './db/createDb.ts'
import { HttpError } from './httpError.ts'
import { buildOpenApi } from './openapi.ts'
import { adminRoutes } from './routes/adminRoutes.ts'
import { createAnswerCache } from './routes/answerCache.ts'
import { ingestRoutes } from './routes/ingestRoutes.ts'
import { insightsRoutes } from './routes/insightsRoutes.ts'
import { merchantRoutes } from './routes/merchantRoutes.ts'

export interface AppOptions {
  db: Db
  logger: Logger
  /** rangeDays: the longest date range an insights report may ask for. */
  limits: {
    ratePerMinute: number
    jsonBytes: number
    ingestBytes: number
    ingestChunkBytes?: number
    rangeDays: number
  }
  /** Key of the customer pseudonyms (config.pseudonymKey or the one kept in DATA_DIR). */
  pseudonymKey: string
  /** Where the embedded engine's chunks are spooled (see resetSpool); the system temp dir when omitted. */
  spoolDir?: string | undefined
  /** Built dashboard to serve at /; omitted in API-only tests. */
  webDir?: string | undefined
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
  answerCacheEntries = defaultAnswerCacheEntries,
}: AppOptions): Express {
  const app = express()
  const verify = createKeyVerifier(db)
  app.disable('x-powered-by')
  app.set('trust proxy', 'loopback')
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
  // Ingest bodies are streamed into the pipeline, so their router sits before the JSON body parser.
  api.use(
    ingestRoutes(db, verify, {
      pseudonymKey,
      maxBytes: limits.ingestBytes,
      chunkBytes: limits.ingestChunkBytes,
      spoolDir,
    }),
  )
  api.use(express.json({ limit: limits.jsonBytes }))
  const openApi = buildOpenApi(endpoints)
  api.get('/openapi.json', (_req, res) => {
    res.json(openApi)
  })
  api.use(adminRoutes(db, verify))
  api.use(merchantRoutes(db, verify))
  api.use(
    insightsRoutes(db, verify, { rangeDays: limits.rangeDays }, createAnswerCache(db, answerCacheEntries)),
  )
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
    if (err instanceof HttpError) {
      res.status(err.status).json(errorBody(err.code, err.message))
      return
    }
    if (err instanceof ZodError) {
      const issue = err.issues[0]
      const field = issue?.path.join('.') || 'body'
      res.status(400).json(errorBody('invalid_request', `${field}: ${issue?.message ?? 'invalid'}`))
      return
    }
    const status = (err as { status?: unknown }).status
    const type = (err as { type?: unknown }).type
    if (type === 'entity.parse.failed') {
      res.status(400).json(errorBody('invalid_json', 'the request body is not valid JSON'))
      return
    }
    if (type === 'entity.too.large') {
      res.status(413).json(errorBody('too_large', 'the request body is larger than allowed'))
      return
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json(errorBody('bad_request', err instanceof Error ? err.message : 'bad request'))
      return
    }
    logger.error({ err }, 'unhandled error')
    res.status(500).json(errorBody('internal', 'something went wrong on our side; it has been logged'))
  }
}

import { Router, type Request, type Response } from 'express'
import type { z } from 'zod'
import type { KeyVerifier } from '../auth/apiKeys.ts'
import { merchantScope, principalOf, requireRole } from '../auth/requireRole.ts'
import {
  InsightsQuery,
  OriginRow,
  ProductRow,
  SalesByTimeQuery,
  SalesByWeatherQuery,
  SummaryRow,
  TimeRow,
  WeatherRow,
  type CustomerOrigins,
  type SalesByProduct,
  type SalesByTime,
  type SalesByWeather,
  type Summary,
} from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { customerOrigins } from '../queries/customerOrigins.ts'
import {
  comparisonScope,
  resolveInsightsScope,
  type InsightsScope,
  type ScopeLimits,
} from '../queries/insightsScope.ts'
import { salesByProduct } from '../queries/salesByProduct.ts'
import { salesByTime } from '../queries/salesByTime.ts'
import { nearestStations, salesByWeather } from '../queries/salesByWeather.ts'
import { summary, summaryChanges } from '../queries/summary.ts'
import type { ReferenceCache } from '../referenceCache.ts'
import type { WeatherSlotBuilds } from '../weather/weatherSlotBuilds.ts'
import type { AnswerCache } from './answerCache.ts'
import { toCsv } from './toCsv.ts'

/** Rows a list route returns when `limit` is not given. */
const defaultLimit = 1000

function wantsCsv(req: Request, format: 'json' | 'csv' | undefined): boolean {
  if (format) return format === 'csv'
  return req.accepts(['application/json', 'text/csv']) === 'text/csv'
}

/** JSON envelope, or only its rows as CSV (header = the row schema's field names). */
function respond<Row extends Record<string, unknown>>(
  req: Request,
  res: Response,
  format: 'json' | 'csv' | undefined,
  rowSchema: z.ZodObject,
  body: { rows: Row[] },
) {
  if (wantsCsv(req, format)) {
    res.type('text/csv').send(toCsv(Object.keys(rowSchema.shape), body.rows))
    return
  }
  res.json(body)
}

function envelope(scope: InsightsScope) {
  return {
    merchantId: scope.merchantId,
    from: scope.from,
    to: scope.to,
    timezone: scope.timezone,
    currency: scope.currency,
  }
}

/** Runs a query for the range and, when asked, again for the comparison range. */
async function withComparison<Rows>(
  scope: InsightsScope,
  compare: InsightsQuery['compare'],
  run: (scope: InsightsScope) => Promise<Rows>,
) {
  if (!compare) return { rows: await run(scope), comparison: undefined }
  const other = comparisonScope(scope, compare)
  const [rows, previous] = await Promise.all([run(scope), run(other)])
  return { rows, comparison: { compare, from: other.from, to: other.to, rows: previous } }
}

/**
 * Merchant insights (DESIGN.md section 5). Admin, merchant and marketer keys; a key sees only its own
 * merchants (others answer 404). Every answer is an aggregate; no route returns a customer pseudonym, and
 * origin groups under K customers are suppressed for every role, so marketers get the same answers.
 */
export function insightsRoutes(
  db: Db,
  verify: KeyVerifier,
  limits: ScopeLimits & { privacyK: number },
  cached: AnswerCache,
  reference: ReferenceCache,
  weatherSlots?: WeatherSlotBuilds,
): Router {
  const router = Router()
  const auth = requireRole(verify, 'admin', 'merchant', 'marketer')
  // Every store's nearest station, kept with the merchant's facts (found once per data version).
  const stationsOf = async (scope: InsightsScope) =>
    (await reference.keptWithFacts(scope.merchantId, 'nearestStations', (facts) =>
      nearestStations(db, facts.stores),
    )) ?? nearestStations(db, scope.storeList)
  /** The answer for the merchant and query: the key's access is checked on every request; answers are kept (answerCache.ts). */
  const answer = <T>(
    req: Request,
    res: Response,
    query: InsightsQuery,
    build: (scope: InsightsScope, version: string | undefined) => Promise<T>,
  ) => {
    const merchantId = merchantScope(principalOf(res), String(req.params.merchantId))
    // Today's date is in the key: a range without `to` ends today when the merchant has no sale yet.
    const key = JSON.stringify([req.path, merchantId, query, new Date().toISOString().slice(0, 10)])
    return cached(key, async (version) =>
      build(
        await resolveInsightsScope(db, merchantId, query, limits, (id) =>
          reference.merchantFacts(id, version),
        ),
        version,
      ),
    )
  }

  router.get('/merchants/:merchantId/summary', auth, async (req, res) => {
    const query = InsightsQuery.parse(req.query)
    const body = await answer(req, res, query, async (scope): Promise<Summary> => {
      const { rows, comparison } = await withComparison(scope, query.compare, (s) => summary(db, s))
      return {
        ...envelope(scope),
        rows: [rows],
        ...(comparison && {
          comparison: { ...comparison, rows: [comparison.rows] },
          changes: summaryChanges(rows, comparison.rows),
        }),
      }
    })
    respond(req, res, query.format, SummaryRow, body)
  })

  router.get('/merchants/:merchantId/sales/by-product', auth, async (req, res) => {
    const query = InsightsQuery.parse(req.query)
    const limit = query.limit ?? defaultLimit
    const body = await answer(req, res, query, async (scope): Promise<SalesByProduct> => {
      const { rows, comparison } = await withComparison(scope, query.compare, (s) =>
        salesByProduct(db, s, { limit }),
      )
      return { ...envelope(scope), rows, ...(comparison && { comparison }) }
    })
    respond(req, res, query.format, ProductRow, body)
  })

  router.get('/merchants/:merchantId/sales/by-time', auth, async (req, res) => {
    const query = SalesByTimeQuery.parse(req.query)
    const body = await answer(req, res, query, async (scope): Promise<SalesByTime> => {
      const { rows, comparison } = await withComparison(scope, query.compare, (s) =>
        salesByTime(db, s, { grain: query.grain, split: query.split }),
      )
      return { ...envelope(scope), grain: query.grain, rows, ...(comparison && { comparison }) }
    })
    const rowSchema =
      query.split && query.grain === 'hour_of_day' ? TimeRow : TimeRow.omit({ dayOfWeek: true })
    respond(req, res, query.format, rowSchema, body)
  })

  router.get('/merchants/:merchantId/sales/by-weather', auth, async (req, res) => {
    const query = SalesByWeatherQuery.parse(req.query)
    const body = await answer(req, res, query, async (scope, version): Promise<SalesByWeather> => {
      const { rows, comparison } = await withComparison(scope, query.compare, (s) =>
        salesByWeather(db, s, { by: query.by, stationsOf, slots: weatherSlots, dataVersion: version }),
      )
      return {
        ...envelope(scope),
        by: query.by,
        notice: rows.notice,
        rows: rows.rows,
        ...(comparison && { comparison: { ...comparison, rows: comparison.rows.rows } }),
      }
    })
    respond(req, res, query.format, WeatherRow, body)
  })

  router.get('/merchants/:merchantId/customers/origins', auth, async (req, res) => {
    const query = InsightsQuery.parse(req.query)
    const limit = query.limit ?? defaultLimit
    const body = await answer(req, res, query, async (scope): Promise<CustomerOrigins> => {
      const { rows, comparison } = await withComparison(scope, query.compare, (s) =>
        customerOrigins(db, s, { limit, threshold: limits.privacyK }),
      )
      return {
        ...envelope(scope),
        privacyThreshold: limits.privacyK,
        rows,
        ...(comparison && { comparison }),
      }
    })
    respond(req, res, query.format, OriginRow, body)
  })

  return router
}

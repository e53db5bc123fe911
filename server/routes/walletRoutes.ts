import type { NextFunction, Request, RequestHandler, Response } from 'express'
import express from 'express'
import { hashKey, type KeyVerifier } from '../auth/apiKeys.ts'
import { WalletEventsRequest, WalletOffersQuery, type ErrorBody, type WalletOffers } from '../contract.ts'
import { HttpError } from '../httpError.ts'
import { createBurstLimiter } from '../wallet/burstLimiter.ts'
import type { WalletService } from '../wallet/walletService.ts'

export interface WalletRouteOptions {
  /** Requests a second per key, and the burst a key may send at once (429 beyond). */
  ratePerSecond: number
  jsonBytes: number
}

function send(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  res.end(text)
}

/**
 * The wallet routes on a lean path: mounted ahead of request logging, helmet and the per-minute limiter,
 * they do only what a wallet call needs: the cached key check, a token-bucket limit per key, the query
 * parse, the in-memory answer, and one write of pre-serialised JSON. No request is logged (a wallet call's
 * query carries a position and a customer id); errors go to the app's error handler as everywhere else.
 */
export function walletRoutes(
  verify: KeyVerifier,
  wallet: WalletService,
  options: WalletRouteOptions,
): RequestHandler {
  const allow = createBurstLimiter(options.ratePerSecond)
  const parseJson = express.json({ limit: options.jsonBytes })

  async function principalOf(req: Request) {
    const header = req.headers.authorization ?? ''
    if (!allow(header ? hashKey(header) : `ip:${req.socket.remoteAddress ?? ''}`))
      throw new HttpError(429, 'rate_limited', 'too many wallet requests from this key; slow down')
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match?.[1])
      throw new HttpError(401, 'unauthorized', 'send an API key as "Authorization: Bearer <key>"')
    const principal = await verify(match[1])
    if (!principal) throw new HttpError(401, 'unauthorized', 'this API key is unknown or revoked')
    if (principal.role !== 'wallet')
      throw HttpError.forbidden(`this route is not open to ${principal.role} keys`)
    // A wallet key without a list (made by an admin) may serve every merchant.
    return principal.merchantIds.length ? new Set(principal.merchantIds) : undefined
  }

  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (req.method === 'GET' && req.path === '/offers') {
        const merchants = await principalOf(req)
        const query = WalletOffersQuery.parse(req.query)
        const offers = await wallet.serve({ ...query, merchants })
        send(res, 200, { offers } satisfies WalletOffers)
        return
      }
      if (req.method === 'POST' && req.path === '/events') {
        const merchants = await principalOf(req)
        await new Promise<void>((resolve, reject) => {
          parseJson(req, res, (err?: unknown) => (err ? reject(err) : resolve()))
        })
        const items = WalletEventsRequest.parse(req.body)
        const verdicts = await wallet.recordEvents(items, merchants)
        if (verdicts.rejected === 0) return send(res, 200, verdicts)
        const first = verdicts.results.find((r) => r.error)
        if (verdicts.rejected === verdicts.results.length && first?.error)
          return send(res, first.status, { error: first.error } satisfies ErrorBody)
        send(res, 207, verdicts)
        return
      }
      next()
    } catch (err) {
      next(err)
    }
  }
}

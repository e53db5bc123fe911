import type { IncomingMessage, ServerResponse } from 'node:http'
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
  /** The app's one mapping of errors to responses (status and { error: { code, message } }). */
  formatError: (err: unknown) => { status: number; body: ErrorBody }
}

function send(res: ServerResponse, status: number, body: unknown): void {
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
 * The wallet routes on a lean path, straight off node:http ahead of Express (see createApp): they do only
 * what a wallet call needs: a token-bucket limit per key, the cached key check, the query parse, the
 * in-memory answer, and one write of pre-serialised JSON. No request is logged (a wallet call's query
 * carries a position and a customer id); errors are formatted by the app's own error mapping.
 * Returns false, touching nothing, for a request that is not a wallet route.
 */
export function walletRoutes(verify: KeyVerifier, wallet: WalletService, options: WalletRouteOptions) {
  const allow = createBurstLimiter(options.ratePerSecond)
  const parseJson = express.json({ limit: options.jsonBytes }) as unknown as (
    req: IncomingMessage,
    res: ServerResponse,
    next: (err?: unknown) => void,
  ) => void

  async function principalOf(req: IncomingMessage) {
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

  async function offers(req: IncomingMessage, res: ServerResponse, url: URL) {
    const merchants = await principalOf(req)
    const query = WalletOffersQuery.parse(Object.fromEntries(url.searchParams))
    const offers = await wallet.serve({ ...query, merchants })
    send(res, 200, { offers } satisfies WalletOffers)
  }

  async function events(req: IncomingMessage, res: ServerResponse) {
    const merchants = await principalOf(req)
    await new Promise<void>((resolve, reject) => {
      parseJson(req, res, (err?: unknown) => (err ? reject(err) : resolve()))
    })
    const items = WalletEventsRequest.parse((req as IncomingMessage & { body?: unknown }).body)
    const verdicts = await wallet.recordEvents(items, merchants)
    if (verdicts.rejected === 0) return send(res, 200, verdicts)
    const first = verdicts.results.find((r) => r.error)
    if (verdicts.rejected === verdicts.results.length && first?.error)
      return send(res, first.status, { error: first.error } satisfies ErrorBody)
    send(res, 207, verdicts)
  }

  return function handleWallet(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://wallet')
    const handler =
      req.method === 'GET' && url.pathname === '/api/v1/wallet/offers'
        ? offers(req, res, url)
        : req.method === 'POST' && url.pathname === '/api/v1/wallet/events'
          ? events(req, res)
          : undefined
    if (!handler) return false
    handler.catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      const { status, body } = options.formatError(err)
      send(res, status, body)
    })
    return true
  }
}

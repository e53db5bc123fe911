/**
 * Contract of the wallet routes (issue 10): a wallet app asks what to push at a position and reports what
 * its users did. Positions are used for the answer only and never repeated; customers are pseudonymised.
 */
import { z } from 'zod'
import type { Endpoint } from './foundation.ts'
import { Offer, OfferId } from './offers.ts'

const WalletCustomer = z
  .string()
  .min(1)
  .max(128)
  .describe("The wallet's own customer id (pseudonymised on arrival)")

export const WalletOffersQuery = z.object({
  lat: z.coerce.number().min(-90).max(90),
  lon: z.coerce.number().min(-180).max(180),
  customer: WalletCustomer,
  limit: z.coerce.number().int().min(1).max(10).default(3),
})
export type WalletOffersQuery = z.infer<typeof WalletOffersQuery>

export const WalletOffer = z.object({
  offerId: OfferId,
  merchantId: z.string(),
  storeId: z.string(),
  storeName: z.string(),
  distanceM: z.number().int().describe('Great-circle distance to the store, whole metres'),
  text: z.string(),
  value: Offer.shape.value,
  validUntil: z
    .string()
    .describe("End of the current window (today's hours or the schedule's last day, store local), UTC"),
})
export type WalletOffer = z.infer<typeof WalletOffer>

export const WalletOffers = z.object({ offers: z.array(WalletOffer) })
export type WalletOffers = z.infer<typeof WalletOffers>

export const WalletEventType = z.enum(['opened', 'dismissed', 'redeemed'])
export type WalletEventType = z.infer<typeof WalletEventType>

export const WalletEvent = z
  .object({
    eventId: z.string().min(1).max(128).describe('Idempotency key: a repeated eventId is recorded once'),
    offerId: OfferId,
    customer: WalletCustomer,
    type: WalletEventType,
    at: z.iso.datetime({ offset: true }).describe('When it happened; at most 5 minutes ahead, 30 days back'),
  })
  .strict()
export type WalletEvent = z.infer<typeof WalletEvent>

/** Each event is judged on its own; a malformed one is rejected without failing its neighbours. */
export const WalletEventsRequest = z.array(z.unknown()).min(1).max(1000)
export type WalletEventsRequest = z.infer<typeof WalletEventsRequest>

export const WalletEventVerdict = z.object({
  index: z.number().int(),
  eventId: z.string().nullable(),
  status: z
    .union([z.literal(201), z.literal(200), z.literal(400), z.literal(404)])
    .describe(
      '201 recorded, 200 already recorded (same eventId), 400 invalid, 404 an offer the key may not serve',
    ),
  error: z.object({ code: z.string(), message: z.string() }).optional().describe('Names the field'),
})
export type WalletEventVerdict = z.infer<typeof WalletEventVerdict>

/**
 * 200 when every event is recorded or a repeat, 207 when some are rejected; when all are rejected the route
 * answers the first verdict's 400/404 as a plain error naming the field (e.g. `0.offerId`).
 */
export const WalletEventsResponse = z.object({
  recorded: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  results: z.array(WalletEventVerdict),
})
export type WalletEventsResponse = z.infer<typeof WalletEventsResponse>

export const walletEndpoints = [
  {
    method: 'get',
    path: '/api/v1/wallet/offers',
    summary: 'The best eligible offers at a position (each one returned counts as an impression)',
    roles: ['wallet'],
    query: WalletOffersQuery,
    response: WalletOffers,
  },
  {
    method: 'post',
    path: '/api/v1/wallet/events',
    summary: 'Record opens, dismissals and redemptions; per-event verdicts (200 or 207)',
    roles: ['wallet'],
    body: WalletEventsRequest,
    response: WalletEventsResponse,
  },
] as const satisfies readonly Endpoint[]

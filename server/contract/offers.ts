/**
 * Contract of the offer routes (issue 10): offers a merchant or marketer defines, their measured uplift
 * against a held-out group, and the dashboard's preview of what a wallet would get at a point.
 */
import { z } from 'zod'
import { MerchantId, type Endpoint } from './foundation.ts'

export const OfferId = z.string().regex(/^off_[0-9a-f]{16}$/, 'must be an offer id (off_ and 16 hex digits)')
export type OfferId = z.infer<typeof OfferId>

const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
const StoreId = z.string().min(1).max(128)

export const OfferValue = z
  .object({
    kind: z.enum(['percent', 'amount']),
    amount: z.number().positive().max(1_000_000),
    currency: Currency.optional().describe("For kind=amount; default the merchant's currency"),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.kind === 'percent' && value.amount > 100)
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'a percent value is at most 100' })
  })
export type OfferValue = z.infer<typeof OfferValue>

const ClockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM (00:00 to 24:00)')

export const OfferHours = z
  .object({
    from: ClockTime.describe('Local wall-clock time the offer opens, inclusive'),
    to: ClockTime.describe(
      'Local wall-clock time it closes, exclusive; earlier than `from` wraps past midnight',
    ),
  })
  .strict()
  .refine((h) => h.from !== h.to, { path: ['to'], message: 'must differ from hours.from' })
export type OfferHours = z.infer<typeof OfferHours>

export const OfferSchedule = z
  .object({
    from: z.iso.date().describe("First day, inclusive, in each store's local time"),
    to: z.iso.date().describe("Last day, inclusive, in each store's local time"),
    days: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'must not repeat a day')
      .optional()
      .describe('ISO weekdays (1 = Monday .. 7 = Sunday) of the local day; all when omitted'),
    hours: OfferHours.optional().describe('Local hours of each store; all day when omitted'),
  })
  .strict()
  .refine((s) => s.from <= s.to, { path: ['to'], message: 'must not be before schedule.from' })
export type OfferSchedule = z.infer<typeof OfferSchedule>

export const OfferCap = z
  .object({
    count: z.number().int().min(1).max(1000).describe('Impressions per customer ...'),
    days: z.number().int().min(1).max(365).describe('... within this many days (a sliding window)'),
  })
  .strict()
export type OfferCap = z.infer<typeof OfferCap>

export const OfferStatus = z.enum(['active', 'paused'])
export type OfferStatus = z.infer<typeof OfferStatus>

const offerFields = {
  name: z.string().trim().min(1).max(200),
  text: z.string().trim().min(1).max(500).describe('What the wallet shows'),
  value: OfferValue,
  stores: z
    .array(StoreId)
    .max(1000)
    .refine((s) => new Set(s).size === s.length, 'must not repeat a store')
    .describe('Store ids of the merchant; empty = every store of the merchant'),
  radiusM: z.number().int().min(25).max(5000).describe('Geofence radius around each store, metres'),
  segmentId: z.string().min(1).max(64).describe('A saved segment of the same merchant'),
  schedule: OfferSchedule,
  cap: OfferCap.describe('Per-customer frequency cap'),
  dailyBudget: z
    .number()
    .int()
    .min(1)
    .max(100_000_000)
    .describe("Impressions per local day across customers (the store's local day)"),
  holdoutPercent: z.number().int().min(0).max(50).describe('Share of customers held out, 0 to 50'),
  attributionDays: z
    .number()
    .int()
    .min(1)
    .max(30)
    .describe('Days after the first impression a purchase counts'),
  status: OfferStatus,
}

export const CreateOfferRequest = z
  .object({
    merchantId: MerchantId,
    name: offerFields.name,
    text: offerFields.text,
    value: offerFields.value,
    stores: offerFields.stores.default([]),
    radiusM: offerFields.radiusM.default(300),
    segmentId: offerFields.segmentId.optional(),
    schedule: offerFields.schedule,
    cap: offerFields.cap,
    dailyBudget: offerFields.dailyBudget.optional(),
    holdoutPercent: offerFields.holdoutPercent.default(10),
    attributionDays: offerFields.attributionDays.default(7),
    status: offerFields.status.default('active'),
  })
  .strict()
export type CreateOfferRequest = z.infer<typeof CreateOfferRequest>

/** Every field optional; null clears segmentId and dailyBudget. The merchant of an offer never changes. */
export const PatchOfferRequest = z
  .object({
    name: offerFields.name.optional(),
    text: offerFields.text.optional(),
    value: offerFields.value.optional(),
    stores: offerFields.stores.optional(),
    radiusM: offerFields.radiusM.optional(),
    segmentId: offerFields.segmentId.nullable().optional(),
    schedule: offerFields.schedule.optional(),
    cap: offerFields.cap.optional(),
    dailyBudget: offerFields.dailyBudget.nullable().optional(),
    holdoutPercent: offerFields.holdoutPercent.optional(),
    attributionDays: offerFields.attributionDays.optional(),
    status: offerFields.status.optional(),
  })
  .strict()
export type PatchOfferRequest = z.infer<typeof PatchOfferRequest>

export const Offer = z.object({
  offerId: OfferId,
  merchantId: z.string(),
  name: z.string(),
  text: z.string(),
  value: z.object({
    kind: z.enum(['percent', 'amount']),
    amount: z.number(),
    currency: z.string().optional(),
  }),
  stores: z.array(z.string()).describe('As given; empty = every store of the merchant'),
  radiusM: z.number().int(),
  segmentId: z.string().nullable(),
  schedule: z.object({
    from: z.string(),
    to: z.string(),
    days: z.array(z.number().int()).optional(),
    hours: z.object({ from: z.string(), to: z.string() }).optional(),
  }),
  cap: z.object({ count: z.number().int(), days: z.number().int() }),
  dailyBudget: z.number().int().nullable(),
  holdoutPercent: z.number().int(),
  attributionDays: z.number().int(),
  status: z.enum(['active', 'paused', 'ended']).describe('ended = deleted; its events are kept'),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type Offer = z.infer<typeof Offer>

export const OfferListQuery = z.object({
  merchantId: MerchantId.optional().describe('Default: every merchant the key may see'),
  status: z.enum(['active', 'paused', 'ended']).optional(),
})
export type OfferListQuery = z.infer<typeof OfferListQuery>

export const OfferListRow = Offer.extend({
  impressions: z.number().int().describe('Impressions served so far (events, not customers)'),
  exposedCustomers: z
    .number()
    .int()
    .nullable()
    .describe('Customers shown the offer at least once; null when fewer than K'),
})
export type OfferListRow = z.infer<typeof OfferListRow>

export const OfferList = z.object({ rows: z.array(OfferListRow), privacyThreshold: z.number().int() })
export type OfferList = z.infer<typeof OfferList>

/** One arm of the experiment; a figure is null when it would reveal a count of fewer than K customers. */
export const OfferGroupFigures = z.object({
  customers: z.number().int().nullable(),
  converters: z.number().int().nullable(),
  conversionRate: z.number().nullable().describe('converters / customers'),
  revenue: z
    .number()
    .nullable()
    .describe("Converters' completed purchases within the window, merchant currency"),
  revenuePerCustomer: z.number().nullable().describe('revenue / customers'),
  suppressed: z.boolean().describe('true when any figure of this group is withheld (fewer than K customers)'),
})
export type OfferGroupFigures = z.infer<typeof OfferGroupFigures>

export const OfferUplift = z.object({
  absolute: z.number().nullable().describe('Exposed minus held-out conversion rate (0.041 = 4.1 points)'),
  relative: z.number().nullable().describe('absolute / held-out rate; null when that rate is 0'),
  ci95: z.tuple([z.number(), z.number()]).nullable().describe('95% interval of `absolute`'),
  method: z
    .literal('newcombe_hybrid_score')
    .describe('Newcombe (1998) method 10, from Wilson score intervals'),
})
export type OfferUplift = z.infer<typeof OfferUplift>

export const OfferDailyRow = z.object({
  date: z.string().describe('UTC date'),
  impressions: z.number().int().nullable().describe('null when fewer than K'),
  heldOut: z.number().int().nullable().describe('"Would have seen" events; null when fewer than K'),
  conversions: z
    .number()
    .int()
    .nullable()
    .describe('Exposed customers whose first purchase in the window fell that day; null when fewer than K'),
})
export type OfferDailyRow = z.infer<typeof OfferDailyRow>

export const OfferPerformance = z.object({
  offerId: OfferId,
  merchantId: z.string(),
  currency: z.string(),
  attributionDays: z.number().int(),
  holdoutPercent: z.number().int(),
  firstSeen: z.string().nullable().describe('First impression or would-have-seen (UTC), null before any'),
  privacyThreshold: z.number().int(),
  exposed: OfferGroupFigures,
  heldOut: OfferGroupFigures,
  uplift: OfferUplift,
  daily: z.array(OfferDailyRow),
})
export type OfferPerformance = z.infer<typeof OfferPerformance>

export const PreviewCustomer = z
  .string()
  .max(80)
  .regex(
    /^(new|held_out|capped|in_segment:[A-Za-z0-9_-]{1,64})$/,
    'must be new, held_out, capped or in_segment:<segmentId>',
  )
  .describe(
    'A hypothetical customer: new (no history, in no segment, never held out), held_out (held out of ' +
      'every offer), capped (every cap used up), in_segment:<id> (a member of that segment, otherwise new)',
  )

export const OfferPreviewQuery = z.object({
  merchantId: MerchantId,
  lat: z.coerce.number().min(-90).max(90),
  lon: z.coerce.number().min(-180).max(180),
  at: z.iso.datetime({ offset: true }).optional().describe('Instant to evaluate; default now'),
  customer: PreviewCustomer.default('new'),
  limit: z.coerce.number().int().min(1).max(20).default(3),
})
export type OfferPreviewQuery = z.infer<typeof OfferPreviewQuery>

export const ExclusionReason = z.enum([
  'paused',
  'too_far',
  'outside_schedule',
  'not_in_segment',
  'capped',
  'budget_spent',
  'held_out',
  'outranked',
])
export type ExclusionReason = z.infer<typeof ExclusionReason>

export const PreviewOffer = z.object({
  offerId: OfferId,
  name: z.string(),
  storeId: z.string(),
  storeName: z.string(),
  distanceM: z.number().int(),
  text: z.string(),
  value: Offer.shape.value,
  validUntil: z.string(),
  score: z.number().describe('Ranking score (docs/offers-and-wallet.md); higher first'),
})
export type PreviewOffer = z.infer<typeof PreviewOffer>

export const PreviewExclusion = z.object({
  offerId: OfferId,
  name: z.string(),
  reason: ExclusionReason.describe('The first rule that left the offer out, in the order listed'),
  detail: z.string().describe('A plain sentence, e.g. "nearest store 820 m away, radius 300 m"'),
  storeId: z.string().nullable().describe('Nearest store of the offer, when it has one'),
  distanceM: z.number().int().nullable(),
})
export type PreviewExclusion = z.infer<typeof PreviewExclusion>

/** What a wallet would get; evaluated on the live index and counters, and counts no impression. */
export const OfferPreview = z.object({
  merchantId: z.string(),
  at: z.string(),
  customer: z.string(),
  offers: z.array(PreviewOffer),
  excluded: z.array(PreviewExclusion),
})
export type OfferPreview = z.infer<typeof OfferPreview>

const offerRoles = ['admin', 'merchant', 'marketer'] as const

export const offersEndpoints = [
  {
    method: 'post',
    path: '/api/v1/offers',
    summary: 'Create an offer (201)',
    roles: offerRoles,
    body: CreateOfferRequest,
    response: Offer,
  },
  {
    method: 'get',
    path: '/api/v1/offers',
    summary: 'Offers of the merchants the key may see, with key figures',
    roles: offerRoles,
    query: OfferListQuery,
    response: OfferList,
  },
  {
    method: 'get',
    path: '/api/v1/offers/preview',
    summary: 'What a wallet would get at a point, and why each other offer is left out (counts nothing)',
    roles: offerRoles,
    query: OfferPreviewQuery,
    response: OfferPreview,
  },
  {
    method: 'get',
    path: '/api/v1/offers/{offerId}',
    summary: 'One offer',
    roles: offerRoles,
    response: Offer,
  },
  {
    method: 'patch',
    path: '/api/v1/offers/{offerId}',
    summary: 'Change an offer (an ended offer cannot change)',
    roles: offerRoles,
    body: PatchOfferRequest,
    response: Offer,
  },
  {
    method: 'delete',
    path: '/api/v1/offers/{offerId}',
    summary: 'End an offer; its events are kept',
    roles: offerRoles,
    response: Offer,
  },
  {
    method: 'get',
    path: '/api/v1/offers/{offerId}/performance',
    summary: 'Exposed vs held-out conversion at the till, with the uplift interval and a daily series',
    roles: offerRoles,
    response: OfferPerformance,
  },
] as const satisfies readonly Endpoint[]

/**
 * Contract of the marketing segments routes (DESIGN.md section 6, issue 9): saved rule sets over the
 * customers of one or more merchants, their privacy-safe sizes, breakdowns and profiles. No response
 * carries a customer key, number or raw id; every count under the privacy threshold K is null.
 */
import { z } from 'zod'
import { MerchantId, type Endpoint } from './foundation.ts'
import { LocalDate } from './insights.ts'
import { isoCountries } from './isoCountries.ts'
import { isoCurrencies } from './isoCurrencies.ts'

/** Most values a rule list (countries, categories, products, stores, wallets, payment methods) may hold. */
export const maxRuleValues = 200
/** Most merchants one segment may span (a mall or a tourism board). */
export const maxSegmentMerchants = 200
/**
 * Upper bound of any window in the schema; the server also refuses windows longer than its
 * MAX_RANGE_DAYS setting (400 naming the field).
 */
const maxWindowDays = 36_600

const countrySet: ReadonlySet<string> = new Set(isoCountries)
const currencySet: ReadonlySet<string> = new Set(isoCurrencies)

export const CountryCode = z
  .string()
  .max(2)
  .refine((c) => countrySet.has(c), 'unknown country: use an ISO 3166-1 alpha-2 code such as CN')
export type CountryCode = z.infer<typeof CountryCode>

export const CurrencyCode = z
  .string()
  .max(3)
  .refine((c) => currencySet.has(c), 'unknown currency: use an ISO 4217 code such as USD')
export type CurrencyCode = z.infer<typeof CurrencyCode>

const WindowDays = z.number().int().min(1).max(maxWindowDays).describe('Trailing local days ending at asOf')
const ruleList = (item: z.ZodString) => z.array(item).min(1).max(maxRuleValues)
const ruleValue = z.string().min(1).max(128)

/** A min/max pair: min may not exceed max (the error names min). */
const orderedBounds = (bounds: { min?: number | undefined; max?: number | undefined }) =>
  bounds.min === undefined || bounds.max === undefined || bounds.min <= bounds.max

export const SpendRule = z
  .object({
    min: z.number().min(0).max(1e12).optional(),
    max: z.number().min(0).max(1e12).optional(),
    currency: CurrencyCode,
    days: WindowDays,
  })
  .strict()
  .refine(orderedBounds, { path: ['min'], message: 'min is greater than max' })
  .describe(
    'Spend at the segment’s merchants over the trailing window (completed lines only), converted into `currency` at each day’s rate. A customer without a purchase in the window has spend 0.',
  )
export type SpendRule = z.infer<typeof SpendRule>

export const VisitsRule = z
  .object({
    min: z.number().int().min(0).max(100_000).optional(),
    max: z.number().int().min(0).max(100_000).optional(),
    days: WindowDays,
  })
  .strict()
  .refine(orderedBounds, { path: ['min'], message: 'min is greater than max' })
  .describe('Distinct local days with a purchase at the segment’s merchants over the trailing window')
export type VisitsRule = z.infer<typeof VisitsRule>

export const SpendRankRule = z
  .object({
    topPercent: z.number().gt(0).max(100),
    days: WindowDays,
  })
  .strict()
  .describe(
    'The top N% of the merchants’ customers by spend over the trailing window (ties at the cut-off all in), ranked in `spend.currency` when given, else the first merchant’s currency',
  )
export type SpendRankRule = z.infer<typeof SpendRankRule>

export const Visitor = z.enum(['tourist', 'local', 'any'])
export type Visitor = z.infer<typeof Visitor>

/** Every field optional; all given fields must hold. Unknown fields are refused. */
export const SegmentRules = z
  .object({
    homeCountries: ruleList(CountryCode)
      .optional()
      .describe('The customer’s home country (the latest one on their lines) is one of these'),
    visitor: Visitor.optional().describe(
      'tourist: never paid in a store of their home country, and paid abroad; local: paid in their home country',
    ),
    spend: SpendRule.optional(),
    visits: VisitsRule.optional(),
    lastSeenWithinDays: WindowDays.optional().describe('Purchased in the trailing N days'),
    notSeenForDays: WindowDays.optional().describe(
      'No purchase in the trailing N days, but one before (lapsed)',
    ),
    categories: ruleList(ruleValue).optional().describe('Bought any of these categories'),
    products: ruleList(ruleValue).optional().describe('Bought any of these product ids'),
    stores: ruleList(ruleValue).optional().describe('Bought in any of these stores (store ids)'),
    wallets: ruleList(ruleValue).optional().describe('Paid with any of these wallets'),
    paymentMethods: ruleList(ruleValue).optional().describe('Paid with any of these payment methods'),
    spendRank: SpendRankRule.optional(),
  })
  .strict()
export type SegmentRules = z.infer<typeof SegmentRules>

const MerchantIds = z.array(MerchantId).min(1).max(maxSegmentMerchants)

export const SegmentPreviewRequest = z
  .object({
    merchantIds: MerchantIds,
    rules: SegmentRules,
    asOf: LocalDate.optional().describe(
      'Last local day of every trailing window; default the day of the newest sale of the merchants’ stores',
    ),
  })
  .strict()
export type SegmentPreviewRequest = z.infer<typeof SegmentPreviewRequest>

/** A privacy-safe count: null and suppressed under K; else rounded down to a multiple of 10. */
export const SegmentCell = z.object({
  key: z.string().describe('Home country (ISO alpha-2, or `unknown`), or tourist | local | unknown'),
  size: z.number().int().nullable(),
  suppressed: z.boolean(),
})
export type SegmentCell = z.infer<typeof SegmentCell>

export const SegmentBreakdown = z.object({
  byHomeCountry: z.array(SegmentCell),
  byVisitor: z.array(SegmentCell),
})
export type SegmentBreakdown = z.infer<typeof SegmentBreakdown>

export const SegmentPreview = z.object({
  merchantIds: z.array(z.string()),
  size: z
    .number()
    .int()
    .nullable()
    .describe('Customers in the segment, rounded down to a multiple of 10; null when under `threshold`'),
  suppressed: z.boolean(),
  threshold: z.number().int().describe('Privacy threshold K: fewer customers than this are never counted'),
  asOf: z.string(),
  breakdown: SegmentBreakdown,
})
export type SegmentPreview = z.infer<typeof SegmentPreview>

const SegmentName = z.string().trim().min(1).max(200)

export const CreateSegmentRequest = z
  .object({ merchantIds: MerchantIds, name: SegmentName, rules: SegmentRules })
  .strict()
export type CreateSegmentRequest = z.infer<typeof CreateSegmentRequest>

export const PatchSegmentRequest = z
  .object({ name: SegmentName.optional(), rules: SegmentRules.optional() })
  .strict()
  .refine((p) => p.name !== undefined || p.rules !== undefined, {
    path: ['name'],
    message: 'give name or rules to change',
  })
export type PatchSegmentRequest = z.infer<typeof PatchSegmentRequest>

export const Segment = z.object({
  id: z.string(),
  merchantIds: z.array(z.string()),
  name: z.string(),
  rules: SegmentRules,
  createdAt: z.string(),
  updatedAt: z.string(),
  size: z
    .number()
    .int()
    .nullable()
    .describe('Members at the last membership refresh, rounded down to tens; null when under K'),
  suppressed: z.boolean(),
  threshold: z.number().int(),
  asOf: z.string().nullable().describe('Local day the size was computed at (null before the first refresh)'),
  refreshedAt: z.string().nullable().describe('When membership was last computed (ISO instant)'),
})
export type Segment = z.infer<typeof Segment>

export const SegmentList = z.object({ rows: z.array(Segment) })
export type SegmentList = z.infer<typeof SegmentList>

export const SegmentProfileQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(maxWindowDays)
    .optional()
    .describe('Trailing local days of the members’ purchases to describe; default 90'),
  currency: CurrencyCode.optional().describe(
    'Currency of spend per visit; default the segment’s spend currency, else the first merchant’s',
  ),
  asOf: LocalDate.optional(),
})
export type SegmentProfileQuery = z.infer<typeof SegmentProfileQuery>

/** A group of the profile: its share of the segment's baskets (or spend), null under K customers. */
export const ProfileShare = z.object({
  key: z.string(),
  label: z.string().describe('Display name (product name; the key otherwise)'),
  customers: z.number().int().nullable().describe('Members in the group, rounded down to tens'),
  share: z.number().nullable(),
  suppressed: z.boolean(),
})
export type ProfileShare = z.infer<typeof ProfileShare>

export const SegmentProfile = z.object({
  segmentId: z.string(),
  asOf: z.string(),
  from: z.string().describe('First local day of the described purchases'),
  currency: z.string(),
  threshold: z.number().int(),
  size: z.number().int().nullable(),
  suppressed: z.boolean(),
  spendPerVisit: z
    .number()
    .nullable()
    .describe('Members’ spend / their visits (distinct customer-days) in the window'),
  visitsPerCustomer: z.number().nullable().describe('Visits / members who purchased in the window'),
  topCategories: z.array(ProfileShare).describe('share: of the members’ spend'),
  topProducts: z.array(ProfileShare).describe('share: of the members’ spend'),
  hourOfDay: z.array(ProfileShare).describe('key 0-23, store-local; share: of the members’ baskets'),
  weekday: z.array(ProfileShare).describe('key 1=Mon..7, store-local; share: of the members’ baskets'),
  homeCountries: z.array(ProfileShare).describe('share: of the members'),
})
export type SegmentProfile = z.infer<typeof SegmentProfile>

const marketingRoles = ['admin', 'merchant', 'marketer'] as const

export const segmentsEndpoints = [
  {
    method: 'post',
    path: '/api/v1/segments/preview',
    summary: 'Audience size and breakdown of a rule set (small counts suppressed)',
    roles: marketingRoles,
    body: SegmentPreviewRequest,
    response: SegmentPreview,
  },
  {
    method: 'post',
    path: '/api/v1/segments',
    summary: 'Save a segment (201)',
    roles: marketingRoles,
    body: CreateSegmentRequest,
    response: Segment,
  },
  {
    method: 'get',
    path: '/api/v1/segments',
    summary: 'Saved segments of the key’s merchants, with their sizes',
    roles: marketingRoles,
    response: SegmentList,
  },
  {
    method: 'get',
    path: '/api/v1/segments/{segmentId}',
    summary: 'A saved segment with its current size',
    roles: marketingRoles,
    response: Segment,
  },
  {
    method: 'patch',
    path: '/api/v1/segments/{segmentId}',
    summary: 'Rename a segment or change its rules',
    roles: marketingRoles,
    body: PatchSegmentRequest,
    response: Segment,
  },
  {
    method: 'delete',
    path: '/api/v1/segments/{segmentId}',
    summary: 'Delete a segment (its membership goes with it)',
    roles: marketingRoles,
    response: Segment,
  },
  {
    method: 'get',
    path: '/api/v1/segments/{segmentId}/profile',
    summary: 'Aggregate profile of a segment’s members (groups under K suppressed)',
    roles: marketingRoles,
    query: SegmentProfileQuery,
    response: SegmentProfile,
  },
] as const satisfies readonly Endpoint[]

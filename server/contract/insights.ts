/** Contract of the merchant insights routes (DESIGN.md section 5). Money is in the report currency. */
import { z } from 'zod'
import type { Endpoint } from './foundation.ts'

export const LocalDate = z.iso.date().describe('YYYY-MM-DD, a local date in the report time zone')

/** A repeatable query parameter (?store=a&store=b) arrives as a string or an array of strings. */
const repeatable = z
  .union([z.string().max(128), z.array(z.string().max(128)).max(100)])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().min(1).max(128)).max(100))

export const InsightsQuery = z.object({
  from: LocalDate.optional().describe('First local date, inclusive; default: 29 days before `to`'),
  to: LocalDate.optional().describe('Last local date, inclusive; default: the day of the newest sale'),
  tz: z
    .string()
    .max(64)
    .optional()
    .describe(
      'IANA time zone, or `local` for each store’s own wall clock; default the store’s, or the merchant’s',
    ),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
    .optional(),
  store: repeatable.optional(),
  category: repeatable.optional(),
  product: repeatable.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  compare: z.enum(['previous_period', 'previous_year']).optional(),
  format: z.enum(['json', 'csv']).optional(),
})
export type InsightsQuery = z.infer<typeof InsightsQuery>

export const TimeGrain = z.enum(['hour', 'day', 'week', 'month', 'hour_of_day', 'day_of_week'])
export type TimeGrain = z.infer<typeof TimeGrain>
export const SalesByTimeQuery = InsightsQuery.extend({
  grain: TimeGrain.default('day'),
  split: z
    .enum(['day_of_week'])
    .optional()
    .describe('With grain=hour_of_day: one row per weekday and hour (heatmap)'),
})
export type SalesByTimeQuery = z.infer<typeof SalesByTimeQuery>

export const WeatherBy = z.enum(['condition', 'temperature'])
export const SalesByWeatherQuery = InsightsQuery.extend({ by: WeatherBy.default('condition') })
export type SalesByWeatherQuery = z.infer<typeof SalesByWeatherQuery>

const envelope = <Row extends z.ZodType>(row: Row) =>
  z.object({
    merchantId: z.string(),
    from: z.string(),
    to: z.string(),
    timezone: z.string(),
    currency: z.string(),
    rows: z.array(row),
    comparison: z
      .object({
        compare: z.enum(['previous_period', 'previous_year']),
        from: z.string(),
        to: z.string(),
        rows: z.array(row),
      })
      .optional(),
  })

export const SummaryRow = z.object({
  revenue: z.number(),
  transactions: z.number().int(),
  items: z.number(),
  averageTicket: z.number(),
  customers: z.number().int(),
  touristShare: z
    .number()
    .nullable()
    .describe('Share of revenue from tourists; null when no customer is known'),
})
export type SummaryRow = z.infer<typeof SummaryRow>
export const Summary = envelope(SummaryRow).extend({
  changes: z
    .record(z.string(), z.number().nullable())
    .optional()
    .describe('Relative change against the comparison period per metric (0.1 = +10%); null when undefined'),
})
export type Summary = z.infer<typeof Summary>

export const ProductRow = z.object({
  productId: z.string(),
  product: z.string(),
  category: z.string(),
  quantity: z.number(),
  revenue: z.number(),
  transactions: z.number().int(),
})
export type ProductRow = z.infer<typeof ProductRow>
export const SalesByProduct = envelope(ProductRow)
export type SalesByProduct = z.infer<typeof SalesByProduct>

export const TimeRow = z.object({
  bucket: z
    .union([z.string(), z.number()])
    .describe('Local start of the bucket, or 0-23 / 1-7 for hour_of_day / day_of_week'),
  dayOfWeek: z.number().int().optional().describe('With grain=hour_of_day&split=day_of_week: 1=Mon..7'),
  quantity: z.number(),
  revenue: z.number(),
  transactions: z.number().int(),
})
export type TimeRow = z.infer<typeof TimeRow>
export const SalesByTime = envelope(TimeRow).extend({ grain: TimeGrain })
export type SalesByTime = z.infer<typeof SalesByTime>

export const WeatherRow = z.object({
  bucket: z.string().describe('dry | rain | snow, or the lower bound of a 5 °C band'),
  openHours: z.number().int(),
  quantity: z.number(),
  revenue: z.number(),
  revenuePerHour: z.number(),
  lift: z
    .number()
    .nullable()
    .describe('Actual / expected revenue against like-for-like slots; null without neighbours'),
  liftHours: z.number().int().describe('Open hours that had like-for-like neighbours and so count in lift'),
})
export type WeatherRow = z.infer<typeof WeatherRow>
export const SalesByWeather = envelope(WeatherRow).extend({
  by: WeatherBy,
  notice: z
    .string()
    .nullable()
    .describe('Why the breakdown is empty or partial (e.g. no station within 50 km)'),
})
export type SalesByWeather = z.infer<typeof SalesByWeather>

export const OriginRow = z.object({
  homeCountry: z.string(),
  tourist: z.boolean(),
  customers: z.number().int().nullable().describe('null when suppressed (fewer than K customers)'),
  revenue: z.number().nullable(),
  share: z.number().nullable(),
  suppressed: z.boolean(),
})
export type OriginRow = z.infer<typeof OriginRow>
export const CustomerOrigins = envelope(OriginRow).extend({ privacyThreshold: z.number().int() })
export type CustomerOrigins = z.infer<typeof CustomerOrigins>

const merchantRoute = (suffix: string) => `/api/v1/merchants/{merchantId}${suffix}`
const insightRoles = ['admin', 'merchant', 'marketer'] as const

export const insightsEndpoints = [
  {
    method: 'get',
    path: merchantRoute('/summary'),
    summary: 'KPIs for a range',
    roles: insightRoles,
    query: InsightsQuery,
    response: Summary,
  },
  {
    method: 'get',
    path: merchantRoute('/sales/by-product'),
    summary: 'Sales by product',
    roles: insightRoles,
    query: InsightsQuery,
    response: SalesByProduct,
  },
  {
    method: 'get',
    path: merchantRoute('/sales/by-time'),
    summary: 'Sales by time bucket (local time)',
    roles: insightRoles,
    query: SalesByTimeQuery,
    response: SalesByTime,
  },
  {
    method: 'get',
    path: merchantRoute('/sales/by-weather'),
    summary: 'Sales by weather condition or temperature band, with like-for-like lift',
    roles: insightRoles,
    query: SalesByWeatherQuery,
    response: SalesByWeather,
  },
  {
    method: 'get',
    path: merchantRoute('/customers/origins'),
    summary: 'Customers by home country (small groups suppressed)',
    roles: insightRoles,
    query: InsightsQuery,
    response: CustomerOrigins,
  },
] as const satisfies readonly Endpoint[]

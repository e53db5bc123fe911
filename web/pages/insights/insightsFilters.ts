import type { Merchant, TimeGrain } from '../../../server/contract.ts'

export const rangePresets = ['7d', '30d', '90d', 'ytd', 'custom'] as const
export type RangePreset = (typeof rangePresets)[number]
export const rangeLabels: Record<RangePreset, string> = {
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
  ytd: 'This year',
  custom: 'Custom',
}

export const compareOptions = ['previous_period', 'previous_year', 'none'] as const
export type CompareOption = (typeof compareOptions)[number]
export const compareLabels: Record<CompareOption, string> = {
  previous_period: 'Previous period',
  previous_year: 'Same period last year',
  none: 'No comparison',
}

export const insightViews = ['overview', 'hours', 'weather', 'visitors'] as const
export type InsightView = (typeof insightViews)[number]

/** Everything that shapes the Insights view; it is read from and written to the URL only. */
export interface InsightsFilters {
  merchant: string | null
  range: RangePreset
  from: string | null
  to: string | null
  compare: CompareOption
  currency: string | null
  tz: string | null
  stores: string[]
  category: string | null
  top: number
  view: InsightView
}

function oneOf<T extends string>(options: readonly T[], value: string | null, fallback: T): T {
  return options.includes(value as T) ? (value as T) : fallback
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/

export function filtersFromParams(params: URLSearchParams): InsightsFilters {
  const date = (name: string) => {
    const value = params.get(name)
    return value && isoDate.test(value) ? value : null
  }
  const top = Number(params.get('top'))
  return {
    merchant: params.get('merchant') || null,
    range: oneOf(rangePresets, params.get('range'), '30d'),
    from: date('from'),
    to: date('to'),
    compare: oneOf(compareOptions, params.get('compare'), 'previous_period'),
    currency: params.get('currency') || null,
    tz: params.get('tz') || null,
    stores: params.getAll('store').filter(Boolean),
    category: params.get('category') || null,
    top: [10, 20, 50].includes(top) ? top : 10,
    view: oneOf(insightViews, params.get('view'), 'overview'),
  }
}

/** Only values that differ from the defaults reach the URL, so links stay short. */
export function paramsFromFilters(filters: InsightsFilters): URLSearchParams {
  const params = new URLSearchParams()
  if (filters.merchant) params.set('merchant', filters.merchant)
  if (filters.view !== 'overview') params.set('view', filters.view)
  if (filters.range !== '30d') params.set('range', filters.range)
  if (filters.range === 'custom') {
    if (filters.from) params.set('from', filters.from)
    if (filters.to) params.set('to', filters.to)
  }
  if (filters.compare !== 'previous_period') params.set('compare', filters.compare)
  if (filters.currency) params.set('currency', filters.currency)
  if (filters.tz) params.set('tz', filters.tz)
  for (const store of filters.stores) params.append('store', store)
  if (filters.category) params.set('category', filters.category)
  if (filters.top !== 10) params.set('top', String(filters.top))
  return params
}

const dayMs = 86_400_000

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10)
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs)
}

/** The local date of an instant in a time zone (falls back to UTC for an unknown zone). */
export function localDateOf(instant: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(instant)
  } catch {
    return instant.toISOString().slice(0, 10)
  }
}

/**
 * The dates a preset stands for. Presets end on the day of the merchant's newest sale (like the API's
 * default), so "last 30 days" of a merchant whose data stops in the past still shows their last 30 days.
 */
export function resolveRange(
  filters: InsightsFilters,
  merchant: Merchant | undefined,
): { from: string; to: string } {
  // On store clocks ('local') the presets anchor on the merchant's zone, like the API's default range.
  const zone = (filters.tz === 'local' ? null : filters.tz) ?? merchant?.timezone ?? 'UTC'
  const anchor = localDateOf(merchant?.lastSaleAt ? new Date(merchant.lastSaleAt) : new Date(), zone)
  switch (filters.range) {
    case '7d':
      return { from: addDays(anchor, -6), to: anchor }
    case '30d':
      return { from: addDays(anchor, -29), to: anchor }
    case '90d':
      return { from: addDays(anchor, -89), to: anchor }
    case 'ytd':
      return { from: `${anchor.slice(0, 4)}-01-01`, to: anchor }
    case 'custom': {
      const to = filters.to ?? anchor
      const from = filters.from && filters.from <= to ? filters.from : addDays(to, -29)
      return { from, to }
    }
  }
}

/** A trend grain that gives a readable number of points for the range. */
export function trendGrain(from: string, to: string): TimeGrain {
  const days = daysBetween(from, to) + 1
  if (days <= 2) return 'hour'
  if (days <= 92) return 'day'
  if (days <= 400) return 'week'
  return 'month'
}

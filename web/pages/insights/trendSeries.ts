import type { SalesByTime, TimeGrain, TimeRow } from '../../../server/contract.ts'
import { formatLocalDate } from '../../components/numberFormat.ts'
import { addDays, daysBetween } from './insightsFilters.ts'

export type TrendMetric = 'revenue' | 'transactions' | 'quantity'

export interface TrendPoint {
  /** Local start of the bucket (YYYY-MM-DD, or YYYY-MM-DD HH:00 for hours). */
  bucket: string
  label: string
  current: number
  /** The aligned bucket of the comparison period, when there is one. */
  comparisonBucket: string | null
  previous: number | null
}

const datePart = (bucket: string | number) => String(bucket).slice(0, 10)
const hourPart = (bucket: string | number) => Number(String(bucket).slice(11, 13)) || 0

/** Position of a bucket counted from the first bucket of a period starting on `start`. */
function offsetOf(grain: TimeGrain, start: string, bucket: string | number): number {
  const days = daysBetween(start, datePart(bucket))
  switch (grain) {
    case 'hour':
      return days * 24 + hourPart(bucket)
    case 'week':
      // The first week bucket may begin up to six days before the period does.
      return Math.floor((days + 6) / 7)
    case 'month': {
      const [y1, m1] = start.split('-').map(Number)
      const [y2, m2] = datePart(bucket).split('-').map(Number)
      return ((y2 ?? 0) - (y1 ?? 0)) * 12 + ((m2 ?? 0) - (m1 ?? 0))
    }
    default:
      return days
  }
}

function bucketAt(grain: TimeGrain, start: string, index: number): string {
  switch (grain) {
    case 'hour':
      return `${addDays(start, Math.floor(index / 24))} ${String(index % 24).padStart(2, '0')}:00`
    case 'week':
      return addDays(start, index * 7)
    case 'month': {
      const [y, m] = start.split('-').map(Number)
      const month = (y ?? 0) * 12 + (m ?? 1) - 1 + index
      return `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}-01`
    }
    default:
      return addDays(start, index)
  }
}

function labelOf(grain: TimeGrain, bucket: string): string {
  switch (grain) {
    case 'hour':
      return `${formatLocalDate(bucket, { month: 'short', day: 'numeric' })} ${bucket.slice(11, 16)}`
    case 'month':
      return formatLocalDate(bucket, { month: 'short', year: 'numeric' })
    default:
      return formatLocalDate(bucket, { month: 'short', day: 'numeric' })
  }
}

function byOffset(grain: TimeGrain, start: string, rows: readonly TimeRow[]): Map<number, TimeRow> {
  return new Map(rows.map((row) => [offsetOf(grain, start, row.bucket), row]))
}

/**
 * The trend as one point per bucket of the range, with the comparison period aligned bucket by bucket
 * (day 1 with day 1). Buckets without sales are zero: the API leaves them out.
 */
export function trendSeries(data: SalesByTime, metric: TrendMetric): TrendPoint[] {
  const grain = data.grain
  const count = offsetOf(grain, data.from, `${data.to} 23:00`) + 1
  const current = byOffset(grain, data.from, data.rows)
  const comparison = data.comparison
  const previous = comparison ? byOffset(grain, comparison.from, comparison.rows) : null
  const comparisonCount = comparison ? offsetOf(grain, comparison.from, `${comparison.to} 23:00`) + 1 : 0
  const points: TrendPoint[] = []
  for (let index = 0; index < count; index++) {
    const row = current.get(index)
    const bucket = row
      ? String(row.bucket).slice(0, grain === 'hour' ? 16 : 10)
      : bucketAt(grain, data.from, index)
    const inComparison = comparison !== undefined && index < comparisonCount
    points.push({
      bucket,
      label: labelOf(grain, bucket),
      current: row ? row[metric] : 0,
      comparisonBucket: inComparison ? bucketAt(grain, comparison.from, index) : null,
      previous: inComparison ? (previous?.get(index)?.[metric] ?? 0) : null,
    })
  }
  return points
}

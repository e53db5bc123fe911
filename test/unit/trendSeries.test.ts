import { describe, expect, it } from 'vitest'
import type { SalesByTime } from '../../server/contract.ts'
import { trendSeries } from '../../web/pages/insights/trendSeries.ts'

const row = (bucket: string, revenue: number) => ({
  bucket,
  revenue,
  quantity: revenue / 10,
  transactions: 1,
})

function answer(partial: Partial<SalesByTime>): SalesByTime {
  return {
    merchantId: 'cafe',
    from: '2026-10-01',
    to: '2026-10-04',
    timezone: 'UTC',
    currency: 'EUR',
    grain: 'day',
    rows: [],
    ...partial,
  }
}

describe('trendSeries', () => {
  it('fills days without sales with zero and aligns the comparison day by day', () => {
    const points = trendSeries(
      answer({
        rows: [row('2026-10-01', 10), row('2026-10-03', 30)],
        comparison: {
          compare: 'previous_period',
          from: '2026-09-27',
          to: '2026-09-30',
          rows: [row('2026-09-28', 5), row('2026-09-30', 7)],
        },
      }),
      'revenue',
    )
    expect(points.map((p) => [p.bucket, p.current, p.comparisonBucket, p.previous])).toEqual([
      ['2026-10-01', 10, '2026-09-27', 0],
      ['2026-10-02', 0, '2026-09-28', 5],
      ['2026-10-03', 30, '2026-09-29', 0],
      ['2026-10-04', 0, '2026-09-30', 7],
    ])
  })

  it('leaves the comparison out when there is none', () => {
    const points = trendSeries(answer({ rows: [row('2026-10-02', 4)] }), 'quantity')
    expect(points.map((p) => [p.current, p.previous, p.comparisonBucket])).toEqual([
      [0, null, null],
      [0.4, null, null],
      [0, null, null],
      [0, null, null],
    ])
  })

  it('counts hours across days and weeks that start before the range', () => {
    const hours = trendSeries(
      answer({ grain: 'hour', to: '2026-10-01', rows: [row('2026-10-01 13:00:00', 8)] }),
      'revenue',
    )
    expect(hours).toHaveLength(24)
    expect(hours[13]).toMatchObject({ bucket: '2026-10-01 13:00', current: 8 })

    // 2026-10-01 is a Thursday: its week bucket starts on Monday 2026-09-28.
    const weeks = trendSeries(
      answer({
        grain: 'week',
        to: '2026-10-20',
        rows: [row('2026-09-28', 1), row('2026-10-12', 3)],
      }),
      'revenue',
    )
    expect(weeks.map((p) => p.current)).toEqual([1, 0, 3, 0])
  })

  it('counts months by calendar month', () => {
    const months = trendSeries(
      answer({ grain: 'month', from: '2025-11-15', to: '2026-02-10', rows: [row('2026-01-01', 9)] }),
      'revenue',
    )
    expect(months.map((p) => [p.bucket, p.current])).toEqual([
      ['2025-11-01', 0],
      ['2025-12-01', 0],
      ['2026-01-01', 9],
      ['2026-02-01', 0],
    ])
  })
})

import { describe, expect, it } from 'vitest'
import type { Merchant } from '../../server/contract.ts'
import {
  filtersFromParams,
  paramsFromFilters,
  resolveRange,
  trendGrain,
} from '../../web/pages/insights/insightsFilters.ts'

const merchant: Merchant = {
  merchantId: 'cafe',
  name: 'Café',
  currency: 'EUR',
  timezone: 'Europe/Paris',
  stores: 2,
  cities: ['Paris'],
  // 23:30 UTC on 31 Oct is already 1 Nov in Paris (UTC+1 after the clocks change).
  lastSaleAt: '2026-10-31T23:30:00Z',
}

describe('insights filters in the URL', () => {
  it('reads defaults from an empty URL and writes nothing back', () => {
    const filters = filtersFromParams(new URLSearchParams())
    expect(filters).toEqual({
      merchant: null,
      range: '30d',
      from: null,
      to: null,
      compare: 'previous_period',
      currency: null,
      tz: null,
      stores: [],
      category: null,
      top: 10,
      view: 'overview',
    })
    expect(paramsFromFilters(filters).toString()).toBe('')
  })

  it('round-trips every setting, repeated stores included', () => {
    const url =
      'merchant=cafe&view=weather&range=custom&from=2026-01-01&to=2026-01-31&compare=none&currency=USD&tz=UTC&store=s1&store=s2&category=Coffee&top=20'
    expect(paramsFromFilters(filtersFromParams(new URLSearchParams(url))).toString()).toBe(url)
  })

  it.each([
    ['range=forever', 'range', '30d'],
    ['compare=tomorrow', 'compare', 'previous_period'],
    ['top=7', 'top', 10],
    ['view=secret', 'view', 'overview'],
    ['range=custom&from=2026-1-1', 'from', null],
  ] as const)('ignores the unknown value in %s', (query, key, expected) => {
    expect(filtersFromParams(new URLSearchParams(query))[key]).toEqual(expected)
  })

  it('keeps from/to only for a custom range', () => {
    const filters = filtersFromParams(new URLSearchParams('range=7d&from=2026-01-01&to=2026-01-31'))
    expect(paramsFromFilters(filters).toString()).toBe('range=7d')
  })
})

describe('resolveRange', () => {
  const at = (query: string) => resolveRange(filtersFromParams(new URLSearchParams(query)), merchant)

  it.each([
    ['range=7d', { from: '2026-10-26', to: '2026-11-01' }],
    ['', { from: '2026-10-03', to: '2026-11-01' }],
    ['range=90d', { from: '2026-08-04', to: '2026-11-01' }],
    ['range=ytd', { from: '2026-01-01', to: '2026-11-01' }],
    ['range=custom&from=2026-02-01&to=2026-02-28', { from: '2026-02-01', to: '2026-02-28' }],
    ['range=custom&from=2026-03-01&to=2026-02-28', { from: '2026-01-30', to: '2026-02-28' }],
  ])('%s ends on the local day of the newest sale', (query, expected) => {
    expect(at(query)).toEqual(expected)
  })

  it('takes the local day in the chosen time zone', () => {
    expect(at('range=7d&tz=America/New_York')).toEqual({ from: '2026-10-25', to: '2026-10-31' })
  })
})

describe('trendGrain', () => {
  it.each([
    ['2026-10-01', '2026-10-02', 'hour'],
    ['2026-10-01', '2026-10-03', 'day'],
    ['2026-08-01', '2026-10-31', 'day'],
    ['2026-01-01', '2026-10-31', 'week'],
    ['2024-01-01', '2026-10-31', 'month'],
  ] as const)('%s to %s is shown per %s', (from, to, grain) => {
    expect(trendGrain(from, to)).toBe(grain)
  })
})

import { describe, expect, it } from 'vitest'
import { niceAxis } from '../../web/charts/niceAxis.ts'

describe('niceAxis', () => {
  it('steps a share axis by round fractions from zero', () => {
    expect(niceAxis([0.249, 0.154])).toEqual({ domain: [0, 0.25], ticks: [0, 0.05, 0.1, 0.15, 0.2, 0.25] })
    expect(niceAxis([0.378, 0.19]).ticks).toEqual([0, 0.1, 0.2, 0.3, 0.4])
  })

  it('keeps to the ticks asked for, however the range falls', () => {
    expect(niceAxis([0.077, 0.113, 0.095], 4)).toEqual({ domain: [0, 0.15], ticks: [0, 0.05, 0.1, 0.15] })
    for (const high of [0.113, 1.7, 37, 999, 12_345]) {
      expect(niceAxis([high], 4).ticks.length).toBeLessThanOrEqual(4)
      expect(niceAxis([high]).ticks.length).toBeLessThanOrEqual(6)
      expect(niceAxis([high]).domain[1]).toBeGreaterThanOrEqual(high)
    }
  })

  it('reaches below zero for a negative value, and keeps zero on the axis', () => {
    const axis = niceAxis([0.077, 0.113, -0.012])
    expect(axis.domain[0]).toBeLessThan(0)
    expect(axis.ticks).toContain(0)
    expect(axis.domain[1]).toBeGreaterThanOrEqual(0.113)
  })

  it('draws an axis for nothing but zeros, and ignores values that are not numbers', () => {
    expect(niceAxis([0, 0])).toEqual({ domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] })
    expect(niceAxis([Number.NaN, 18_200]).domain).toEqual([0, 20_000])
  })
})

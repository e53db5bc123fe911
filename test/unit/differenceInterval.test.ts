import { describe, expect, it } from 'vitest'
import { newcombeHybridInterval, wilsonInterval } from '../../server/queries/differenceInterval.ts'

describe("Newcombe's hybrid score interval (method 10 of Newcombe 1998)", () => {
  // Worked examples of the paper's Table II, as reproduced to four places by the R package propint's tests
  // ("produces the results reported in Newcombe1998").
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
  ])('%i/%i vs %i/%i gives %f to %f', (x1, n1, x2, n2, low, high) => {
    const [l, u] = newcombeHybridInterval(x1, n1, x2, n2)
    expect(l).toBeCloseTo(low, 4)
    expect(u).toBeCloseTo(high, 4)
  })

  it('builds on Wilson intervals that stay inside [0, 1] at the extremes', () => {
    const [l0, u0] = wilsonInterval(0, 10)
    expect(l0).toBe(0)
    expect(u0).toBeCloseTo(0.2775, 4)
    const [l1, u1] = wilsonInterval(10, 10)
    expect(l1).toBeCloseTo(0.7225, 4)
    expect(u1).toBeCloseTo(1, 12)
  })
})

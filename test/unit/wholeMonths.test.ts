import { describe, expect, it } from 'vitest'
import { wholeMonths } from '../../server/queries/salesSource.ts'

describe('wholeMonths', () => {
  it('finds the whole months inside a range of local dates', () => {
    expect(wholeMonths('2025-01-01', '2025-12-31')).toEqual({ from: '2025-01-01', to: '2026-01-01' })
    expect(wholeMonths('2025-01-15', '2025-03-31')).toEqual({ from: '2025-02-01', to: '2025-04-01' })
    expect(wholeMonths('2025-01-31', '2025-03-30')).toEqual({ from: '2025-02-01', to: '2025-03-01' })
    expect(wholeMonths('2024-02-01', '2024-02-29')).toEqual({ from: '2024-02-01', to: '2024-03-01' })
    expect(wholeMonths('2025-12-02', '2026-01-31')).toEqual({ from: '2026-01-01', to: '2026-02-01' })
    expect(wholeMonths('2025-01-02', '2025-01-31')).toBeNull()
    expect(wholeMonths('2025-01-15', '2025-02-27')).toBeNull()
    expect(wholeMonths('2025-03-05', '2025-03-05')).toBeNull()
  })
})

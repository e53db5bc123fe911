import { describe, expect, it } from 'vitest'
import { weatherLabel } from '../../web/pages/insights/weatherLabel.ts'

describe('weatherLabel', () => {
  it('names conditions, and passes an unknown one through', () => {
    expect(weatherLabel('condition', 'rain')).toBe('Rain')
    expect(weatherLabel('condition', 'hail')).toBe('hail')
  })

  it('names a temperature band by its ends, shorter for a chart axis', () => {
    expect(weatherLabel('temperature', '10')).toBe('10 to 15 °C')
    expect(weatherLabel('temperature', '10', 'short')).toBe('10–15 °C')
  })

  it('writes a negative end with a minus sign, not the dash that joins the ends', () => {
    expect(weatherLabel('temperature', '-5', 'short')).toBe('\u22125–0 °C')
    expect(weatherLabel('temperature', '-10')).toBe('\u221210 to \u22125 °C')
  })

  it('passes a bucket that is not a number through', () => {
    expect(weatherLabel('temperature', 'unknown')).toBe('unknown')
    expect(weatherLabel('temperature', '')).toBe('')
  })
})

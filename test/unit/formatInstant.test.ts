import { describe, expect, it } from 'vitest'
import { formatInstant } from '../../web/components/numberFormat.ts'

describe('formatInstant', () => {
  it('shows an instant in the viewer’s zone, as every page does', () => {
    const expected = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
      new Date('2026-10-31T23:54:13Z'),
    )
    expect(formatInstant('2026-10-31T23:54:13Z')).toBe(expected)
    // The offset is read, not cut off: the same instant written in Paris time prints the same.
    expect(formatInstant('2026-11-01T00:54:13.000+01:00')).toBe(expected)
    expect(formatInstant('2026-11-01T00:54:13.000+02:00')).not.toBe(expected)
  })

  it('leaves a value that is not an instant as it came rather than printing "Invalid Date"', () => {
    expect(formatInstant('not a time')).toBe('not a time')
  })
})

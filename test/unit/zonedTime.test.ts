import { describe, expect, it } from 'vitest'
import { instantOf, localDateTimeOf } from '../../web/pages/wallet/zonedTime.ts'

describe('zoned wall-clock times', () => {
  it.each([
    ['a winter morning in New York', '2026-01-15T09:00', 'America/New_York', '2026-01-15T14:00:00.000Z'],
    ['a summer morning in New York', '2026-07-15T09:00', 'America/New_York', '2026-07-15T13:00:00.000Z'],
    [
      'the day of spring forward, after the change',
      '2026-03-08T12:00',
      'America/New_York',
      '2026-03-08T16:00:00.000Z',
    ],
    [
      'a time skipped by spring forward (moves on by the gap)',
      '2026-03-08T02:30',
      'America/New_York',
      '2026-03-08T07:30:00.000Z',
    ],
    [
      'a time repeated by fall back (its first occurrence)',
      '2026-11-01T01:30',
      'America/New_York',
      '2026-11-01T05:30:00.000Z',
    ],
    ['Paris across midnight', '2026-11-30T00:15', 'Europe/Paris', '2026-11-29T23:15:00.000Z'],
    ['Hong Kong (no DST)', '2026-11-30T08:00', 'Asia/Hong_Kong', '2026-11-30T00:00:00.000Z'],
  ])('finds the instant of %s', (_case, local, zone, instant) => {
    expect(instantOf(local, zone)).toBe(instant)
  })

  it('reads the wall clock of an instant back', () => {
    expect(localDateTimeOf(new Date('2026-11-01T05:30:00Z'), 'America/New_York')).toBe('2026-11-01T01:30')
    expect(localDateTimeOf(new Date('2026-11-29T23:15:00Z'), 'Europe/Paris')).toBe('2026-11-30T00:15')
  })

  it('refuses what is not a date-time', () => {
    expect(instantOf('2026-11-30', 'Europe/Paris')).toBeNull()
    expect(instantOf('', 'Europe/Paris')).toBeNull()
  })
})

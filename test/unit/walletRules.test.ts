import { describe, expect, it } from 'vitest'
import { createBurstLimiter } from '../../server/wallet/burstLimiter.ts'
import { coarseCell, distanceM } from '../../server/wallet/greatCircle.ts'
import { isHeldOut } from '../../server/wallet/holdout.ts'
import { checkSchedule } from '../../server/wallet/offerSchedule.ts'
import { localTime, localToInstant } from '../../server/wallet/storeClock.ts'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()

describe('store clock', () => {
  it('reads the local date, ISO weekday and minute across a zone', () => {
    // 2026-11-27 is a Friday in UTC; 15:30Z is already Saturday 00:30 in Tokyo.
    expect(localTime('Asia/Tokyo', at('2026-11-27T15:30:00Z'))).toEqual({
      date: '2026-11-28',
      weekday: 6,
      minute: 30,
    })
    expect(localTime('America/New_York', at('2026-12-02T04:59:00Z'))).toEqual({
      date: '2026-12-01',
      weekday: 2,
      minute: 23 * 60 + 59,
    })
  })

  it('maps wall times to instants through DST: a repeated time takes its first instant, a skipped one the jump', () => {
    // Paris falls back on 2026-10-25: 02:00-02:59 happens twice (00:xxZ CEST, then 01:xxZ CET).
    expect(iso(localToInstant('Europe/Paris', '2026-10-25', 120))).toBe('2026-10-25T00:00:00.000Z')
    expect(iso(localToInstant('Europe/Paris', '2026-10-25', 180))).toBe('2026-10-25T02:00:00.000Z')
    // Paris springs forward on 2026-03-29: 02:30 does not exist, it becomes 03:00 CEST = 01:00Z.
    expect(iso(localToInstant('Europe/Paris', '2026-03-29', 150))).toBe('2026-03-29T01:00:00.000Z')
    expect(iso(localToInstant('Europe/Paris', '2026-03-29', 240))).toBe('2026-03-29T02:00:00.000Z')
    expect(iso(localToInstant('America/New_York', '2026-12-01', 1440))).toBe('2026-12-02T05:00:00.000Z')
  })
})

describe('offer schedule in a store’s local time', () => {
  const autumn = { from: '2026-10-01', to: '2026-10-31', hours: { from: '22:00', to: '02:00' } }

  it('opens a window that runs past midnight, and closes it at 02:00 local on the night DST ends', () => {
    // 23:30Z on Oct 24 = 01:30 CEST on Oct 25 (inside 22:00-02:00); the window ends at the first 02:00.
    expect(checkSchedule(autumn, 'Europe/Paris', at('2026-10-24T23:30:00Z'))).toEqual({
      open: true,
      until: at('2026-10-25T00:00:00Z'),
      localDate: '2026-10-25',
    })
    // 01:30Z = 02:30 CET after the fall-back: outside.
    expect(checkSchedule(autumn, 'Europe/Paris', at('2026-10-25T01:30:00Z'))).toMatchObject({ open: false })
    // 21:30Z on Oct 25 = 22:30 CET: inside, until 02:00 CET on Oct 26 = 01:00Z.
    expect(checkSchedule(autumn, 'Europe/Paris', at('2026-10-25T21:30:00Z'))).toEqual({
      open: true,
      until: at('2026-10-26T01:00:00Z'),
      localDate: '2026-10-25',
    })
    // 20:59Z = 21:59 CET: one minute early.
    expect(checkSchedule(autumn, 'Europe/Paris', at('2026-10-25T20:59:00Z'))).toMatchObject({ open: false })
  })

  it('follows the spring-forward jump: 01:00-04:00 local is three wall hours but two real ones', () => {
    const spring = { from: '2026-03-01', to: '2026-03-31', hours: { from: '01:00', to: '04:00' } }
    expect(checkSchedule(spring, 'Europe/Paris', at('2026-03-29T00:00:00Z'))).toEqual({
      open: true,
      until: at('2026-03-29T02:00:00Z'),
      localDate: '2026-03-29',
    })
    expect(checkSchedule(spring, 'Europe/Paris', at('2026-03-29T01:59:00Z'))).toMatchObject({ open: true })
    expect(checkSchedule(spring, 'Europe/Paris', at('2026-03-29T02:00:00Z'))).toMatchObject({ open: false })
  })

  it('ends the schedule at local midnight of its last day, not UTC midnight', () => {
    const december = { from: '2026-11-15', to: '2026-12-01' }
    expect(checkSchedule(december, 'America/New_York', at('2026-12-02T04:30:00Z'))).toEqual({
      open: true,
      until: at('2026-12-02T05:00:00Z'),
      localDate: '2026-12-01',
    })
    expect(checkSchedule(december, 'America/New_York', at('2026-12-02T05:00:00Z'))).toMatchObject({
      open: false,
      why: 'ended 2026-12-01',
    })
    expect(checkSchedule(december, 'America/New_York', at('2026-11-15T04:59:00Z'))).toMatchObject({
      open: false,
      why: 'starts 2026-11-15',
    })
  })

  it('judges weekdays on the store’s local date', () => {
    const weekend = { from: '2026-11-01', to: '2026-11-30', days: [6, 7] }
    expect(checkSchedule(weekend, 'Asia/Tokyo', at('2026-11-27T15:30:00Z'))).toEqual({
      open: true,
      until: at('2026-11-28T15:00:00Z'),
      localDate: '2026-11-28',
    })
    expect(checkSchedule(weekend, 'Europe/Paris', at('2026-11-27T15:30:00Z'))).toMatchObject({
      open: false,
      why: 'not on weekday 5',
    })
  })
})

describe('geofence distance and coarse cells', () => {
  const R = 6_371_008.8
  const northOf = (lat: number, metres: number) => lat + ((metres / R) * 180) / Math.PI

  it('measures great-circle metres exactly along a meridian', () => {
    expect(distanceM(48.8566, 2.3522, northOf(48.8566, 299.5), 2.3522)).toBeCloseTo(299.5, 6)
    expect(distanceM(48.8566, 2.3522, northOf(48.8566, 300.5), 2.3522)).toBeCloseTo(300.5, 6)
    // New York to Paris, about 5,837 km.
    expect(Math.round(distanceM(40.7128, -74.006, 48.8566, 2.3522) / 1000)).toBe(5837)
  })

  it('keeps positions as 0.01 degree cells, never finer', () => {
    expect(coarseCell(48.856613, 2.352222)).toBe('48.85,2.35')
    expect(coarseCell(-33.86882, 151.20929)).toBe('-33.87,151.20')
    expect(coarseCell(40.7128, -74.006)).toBe('40.71,-74.01')
  })
})

describe('holdout', () => {
  const customers = Array.from({ length: 10_000 }, (_, i) => `customer-${i}`)

  it.each([5, 10, 25, 50])(
    'holds out %i percent of 10,000 customers within 2 points, the same ones every time',
    (p) => {
      const held = customers.filter((c) => isHeldOut('off_0000000000000001', c, p))
      expect(Math.abs((held.length / customers.length) * 100 - p)).toBeLessThan(2)
      expect(customers.filter((c) => isHeldOut('off_0000000000000001', c, p))).toEqual(held)
    },
  )

  it('draws each offer’s group independently and never holds out at 0%', () => {
    const a = new Set(customers.filter((c) => isHeldOut('off_000000000000000a', c, 10)))
    const both = customers.filter((c) => a.has(c) && isHeldOut('off_000000000000000b', c, 10)).length
    expect(both).toBeGreaterThan(50)
    expect(both).toBeLessThan(150)
    expect(customers.some((c) => isHeldOut('off_000000000000000a', c, 0))).toBe(false)
  })
})

describe('burst limiter', () => {
  it('allows one second’s burst, then the steady rate', () => {
    let now = 0
    const take = createBurstLimiter(5, () => now)
    expect(Array.from({ length: 7 }, () => take('k'))).toEqual([true, true, true, true, true, false, false])
    expect(take('other')).toBe(true)
    now = 400
    expect([take('k'), take('k'), take('k')]).toEqual([true, true, false])
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { zoneOffsetSql } from '../../server/db/zoneOffset.ts'
import { offsetAt } from '../../server/wallet/storeClock.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>

beforeAll(async () => {
  db = await createTestDb()
})
afterAll(async () => {
  await db.cleanup()
})

/** The zone's offset at an instant from Intl's zone data (the wallet's clock), not the engine's: seconds. */
const intlOffset = (zone: string, instant: Date) => offsetAt(zone, instant.getTime()) / 1000

const zones = [
  // Zones that skipped a day to cross the date line: the engine's timeZoneOffset is a day off in them.
  'Pacific/Kiritimati',
  'Pacific/Apia',
  'Pacific/Fakaofo',
  'Pacific/Kanton',
  'Kwajalein',
  // Summer time both ways, half and three-quarter hours, and UTC.
  'America/New_York',
  'Pacific/Auckland',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Pago_Pago',
  'UTC',
]

describe('zoneOffsetSql', () => {
  it('gives every zone its offset as Intl has it, also where the engine’s timeZoneOffset is a day off', async () => {
    const instants = [
      '2024-01-15T12:00:00Z',
      '2024-03-10T07:30:00Z',
      '2024-07-01T23:59:59Z',
      '2025-11-02T05:00:00Z',
    ]
    for (const zone of zones) {
      const got = await rows<{ offset: number; engine: number }>(
        db,
        `SELECT toInt32(${zoneOffsetSql('t', '{zone:String}')}) AS offset,
                timeZoneOffset(toTimeZone(t, {zone:String})) AS engine
         FROM (SELECT arrayJoin({instants:Array(DateTime64(3, 'UTC'))}) AS t)`,
        { zone, instants: instants.map((i) => i.replace('T', ' ').replace('Z', '')) },
      )
      const want = instants.map((i) => intlOffset(zone, new Date(i)))
      expect(
        got.map((r) => r.offset),
        zone,
      ).toEqual(want)
      // What the helper is for: the engine's own function disagrees in the date-line zones.
      if (zone === 'Pacific/Kiritimati') expect(got.map((r) => r.engine)).toEqual(want.map((o) => o - 86_400))
    }
  })

  it('agrees with Intl for every zone the engine knows, in winter and summer', async () => {
    const zones = (await rows<{ zone: string }>(db, 'SELECT time_zone AS zone FROM system.time_zones')).map(
      (z) => z.zone,
    )
    expect(zones.length).toBeGreaterThan(400)
    const instants = ['2024-01-15T12:00:00Z', '2024-07-15T12:00:00Z']
    const differ: string[] = []
    // A hundred zones a statement (a zone must be a constant, so each is its own SELECT).
    for (let i = 0; i < zones.length; i += 100) {
      const part = zones.slice(i, i + 100)
      const params = Object.fromEntries(part.map((zone, k) => [`z${k}`, zone]))
      const got = await rows<{ k: number; offsets: number[] }>(
        db,
        part
          .map(
            (_, k) =>
              `SELECT ${k} AS k, arrayMap(t -> toInt32(${zoneOffsetSql('t', `{z${k}:String}`)}),
                 [toDateTime('2024-01-15 12:00:00', 'UTC'), toDateTime('2024-07-15 12:00:00', 'UTC')]) AS offsets`,
          )
          .join(' UNION ALL '),
        params,
      )
      for (const { k, offsets } of got) {
        const zone = part[k] ?? ''
        let want: number[]
        try {
          want = instants.map((t) => intlOffset(zone, new Date(t)))
        } catch {
          continue // a name Intl does not know (the engine keeps some old aliases)
        }
        if (offsets.join() !== want.join())
          differ.push(`${zone}: ${offsets.join()} against Intl ${want.join()}`)
      }
    }
    expect(differ).toEqual([])
  })
})

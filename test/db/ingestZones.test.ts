import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../support/testApp.ts'
import { createTestDb, rows } from '../support/testDb.ts'

/** Stores in zones with a DST change in 2025, and the local days of both changes. */
const dstZones = [
  ['nyc', 'America/New_York', ['2025-03-09', '2025-11-02']],
  ['lon', 'Europe/London', ['2025-03-30', '2025-10-26']],
  ['akl', 'Pacific/Auckland', ['2025-04-06', '2025-09-28']],
  ['cht', 'Pacific/Chatham', ['2025-04-06', '2025-09-28']],
  // Lord Howe moves by half an hour.
  ['lhi', 'Australia/Lord_Howe', ['2025-04-06', '2025-10-05']],
] as const

let db: Awaited<ReturnType<typeof createTestDb>>
let app: TestApp
let admin: string

function post(kind: string, body: string) {
  return app.call(`/api/v1/ingest/${kind}`, {
    method: 'POST',
    key: admin,
    body,
    headers: new Headers({ 'content-type': 'text/csv' }),
  })
}

beforeAll(async () => {
  db = await createTestDb()
  app = await startTestApp(db)
  admin = await app.key({ role: 'admin' })
  const stores = [
    'merchant_id,store_id,name,lat,lon,timezone,country,city,currency',
    'kiwi,akl,Auckland,-36.8,174.7,Pacific/Auckland,NZ,Auckland,NZD',
    'kiwi,cht,Chatham,-43.9,-176.5,Pacific/Chatham,NZ,Waitangi,NZD',
    'isles,apw,Apia,-13.8,-171.8,Pacific/Apia,WS,Apia,WST',
    'isles,cxi,Kiritimati,1.9,-157.5,Pacific/Kiritimati,KI,London,AUD',
    ...dstZones.map(([store, zone]) => `dst,${store},${zone},0,0,${zone},XX,${zone},USD`),
  ].join('\n')
  expect((await post('stores', stores)).status).toBe(200)
})
afterAll(async () => {
  await app.close()
  await db.cleanup()
})

/** Loads the CSV lines, all of which must be stored, and reads back the merchant's instants and wall clocks. */
async function storedTimes(merchant: string, lines: string[]) {
  const header = 'transaction_id,merchant_id,store_id,occurred_at,product_id,quantity,unit_price'
  const response = await post('transactions', [header, ...lines].join('\n') + '\n')
  expect(response.body).toMatchObject({ received: lines.length, inserted: lines.length, rejected: 0 })
  return rows<{ transaction_id: string; at: string; local: string }>(
    db,
    `SELECT transaction_id, toString(occurred_at) AS at, toString(local_at) AS local
     FROM transactions WHERE merchant_id = {merchant:String} ORDER BY transaction_id`,
    { merchant },
  )
}

describe('local times in zones 12 hours or more from UTC', () => {
  it('resolves the DST gap and overlap by the same rule as everywhere else', async () => {
    const stored = await storedTimes('kiwi', [
      // Auckland springs forward on 2023-09-24 02:00 (+12 -> +13): 02:30 is read with +12, i.e. 03:30 NZDT.
      'gap,kiwi,akl,2023-09-24 02:30:00,flat-white,1,5',
      // Auckland falls back on 2023-04-02 03:00 (+13 -> +12): 02:30 happens twice, the first (+13) is taken.
      'overlap,kiwi,akl,2023-04-02 02:30:00,flat-white,1,5',
      // An ordinary summer time (+13) and winter time (+12).
      'summer,kiwi,akl,2023-01-15 12:00:00,flat-white,1,5',
      'winter,kiwi,akl,2023-07-15 12:00:00,flat-white,1,5',
      // Chatham falls back on 2023-04-02 03:45 (+13:45 -> +12:45): 02:45 happens twice, the first is taken.
      'chatham,kiwi,cht,2023-04-02 02:45:00,flat-white,1,5',
    ])
    expect(stored).toEqual([
      { transaction_id: 'chatham', at: '2023-04-01 13:00:00.000', local: '2023-04-02 02:45:00' },
      { transaction_id: 'gap', at: '2023-09-23 14:30:00.000', local: '2023-09-24 03:30:00' },
      { transaction_id: 'overlap', at: '2023-04-01 13:30:00.000', local: '2023-04-02 02:30:00' },
      { transaction_id: 'summer', at: '2023-01-14 23:00:00.000', local: '2023-01-15 12:00:00' },
      { transaction_id: 'winter', at: '2023-07-15 00:00:00.000', local: '2023-07-15 12:00:00' },
    ])
  })

  it('places lines in zones that skipped a day to cross the date line on their own day', async () => {
    // The engine's timeZoneOffset runs Apia at UTC-11 and Kiritimati at UTC-10, a day behind their
    // clocks (UTC+13 and UTC+14); a line must land on the day its receipt shows either way it is sent.
    const stored = await storedTimes('isles', [
      'apia-utc,isles,apw,2024-03-01T00:30:00Z,taro,1,5',
      'apia-wall,isles,apw,2024-03-01 13:30:00,taro,1,5',
      'kiri-utc,isles,cxi,2024-12-31T11:00:00Z,copra,1,5',
      'kiri-wall,isles,cxi,2025-01-01 01:00:00,copra,1,5',
    ])
    expect(stored).toEqual([
      { transaction_id: 'apia-utc', at: '2024-03-01 00:30:00.000', local: '2024-03-01 13:30:00' },
      { transaction_id: 'apia-wall', at: '2024-03-01 00:30:00.000', local: '2024-03-01 13:30:00' },
      { transaction_id: 'kiri-utc', at: '2024-12-31 11:00:00.000', local: '2025-01-01 01:00:00' },
      { transaction_id: 'kiri-wall', at: '2024-12-31 11:00:00.000', local: '2025-01-01 01:00:00' },
    ])
  })
})

describe('local times through DST changes', () => {
  it("gives every line the wall clock its instant shows in the store's zone, through both DST changes", async () => {
    // Every 10 minutes (some with seconds and milliseconds) of both change days: the wall clock stored must
    // be the engine's own printing of the stored instant in the zone, in gaps and overlaps alike.
    const lines = dstZones.flatMap(([store, , days]) =>
      days.flatMap((day) =>
        Array.from({ length: 144 }, (_, i) => {
          const hh = String(Math.floor(i / 6)).padStart(2, '0')
          const mm = String((i % 6) * 10).padStart(2, '0')
          const ss = i % 4 === 1 ? '59.250' : '00'
          return `${store}-${day}-${i},dst,${store},${day} ${hh}:${mm}:${ss},tea,1,5`
        }),
      ),
    )
    const stored = await storedTimes('dst', lines)
    expect(stored).toHaveLength(lines.length)
    const sent = new Map(lines.map((l) => [l.split(',')[0], l.split(',')[3]?.slice(0, 19)]))
    for (const [store, zone] of dstZones) {
      const wrong = await rows(
        db,
        `SELECT transaction_id, toString(local_at) AS local,
                formatDateTime(occurred_at, '%Y-%m-%d %H:%i:%S', {zone:String}) AS shown
         FROM transactions
         WHERE merchant_id = 'dst' AND store_id = {store:String} AND toString(local_at) != shown`,
        { store, zone },
      )
      expect(wrong).toEqual([])
    }
    // Only lines sent in a gap are stored at another wall clock than sent: an hour each in New York,
    // London, Auckland and Chatham springing forward, half an hour at Lord Howe.
    const moved = stored.filter((r) => r.local !== sent.get(r.transaction_id))
    expect(moved).toHaveLength(6 + 6 + 6 + 6 + 3)
  })
})

import { afterAll, beforeAll, expect, it } from 'vitest'
import { fxCte } from '../../server/queries/reportFx.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
beforeAll(async () => {
  db = await createTestDb()
})
afterAll(() => db.cleanup())

it('takes each day’s own rate when rates change daily, and the latest earlier one on a day without', async () => {
  // EUR->USD on 1..10 June at 1.01, 1.02, ..., except 6 June (no rate: it takes 5 June's).
  const days = Array.from({ length: 10 }, (_, i) => i + 1).filter((d) => d !== 6)
  await db.client.insert({
    table: 'fx_rates',
    format: 'JSONEachRow',
    values: days.map((d) => ({
      date: `2026-06-${String(d).padStart(2, '0')}`,
      base: 'EUR',
      quote: 'USD',
      rate: (1 + d / 100).toFixed(2),
      batch_id: 'fx',
    })),
  })
  const result = await rows<{ day: string; rate: number }>(
    db,
    `WITH ${fxCte} SELECT toString(day) AS day, toFloat64(rate) AS rate FROM fx WHERE currency = 'EUR' ORDER BY day`,
    { currency: 'USD', fxFrom: '2026-06-01', fxTo: '2026-06-10' },
  )
  expect(result).toEqual(
    Array.from({ length: 10 }, (_, i) => ({
      day: `2026-06-${String(i + 1).padStart(2, '0')}`,
      rate: i + 1 === 6 ? 1.05 : 1 + (i + 1) / 100,
    })),
  )
})

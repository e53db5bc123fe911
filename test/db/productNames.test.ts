import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveInsightsScope } from '../../server/queries/insightsScope.ts'
import { salesByProduct } from '../../server/queries/salesByProduct.ts'
import { insertLines, type LineInput } from '../support/insightsFixture.ts'
import { createTestDb, insertStores, storeRow } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>

const sale = (tx: string, day: string, product: string, name: string): LineInput => ({
  store: 's1',
  tx,
  at: `2024-05-${day} 14:00:00`,
  local: `2024-05-${day} 10:00:00`,
  product,
  name,
  qty: '1',
  amount: '4.00',
})

beforeAll(async () => {
  db = await createTestDb()
  await insertStores(db, [
    storeRow('cafe', 's1', 40.7, -74, 'America/New_York', 'USD', { country: 'US', city: 'New York' }),
  ])
  await insertLines(db, [sale('t1', '01', 'latte', 'Caffè Latte'), sale('t2', '02', 'mocha', '')])
  // Later lines without a name, and one that renames: the latest named line wins.
  await insertLines(db, [sale('t3', '03', 'latte', '')])
  await insertLines(db, [sale('t4', '04', 'latte', ''), sale('t5', '05', 'tea', 'Green Tea')])
  await insertLines(db, [sale('t6', '06', 'tea', 'Sencha'), sale('t7', '07', 'tea', '')])
})

afterAll(async () => {
  await db.cleanup()
})

describe('product names', () => {
  it("keep the latest line's name that has one; a product never named is shown by its id", async () => {
    const scope = await resolveInsightsScope(
      db,
      'cafe',
      { from: '2024-05-01', to: '2024-05-31' },
      { rangeDays: 1100 },
    )
    for (const source of ['raw', 'productDailyRollup'] as const) {
      const names = (await salesByProduct(db, scope, { limit: 10, source })).map((p) => [
        p.productId,
        p.product,
      ])
      expect(names.sort()).toEqual([
        ['latte', 'Caffè Latte'],
        ['mocha', 'mocha'],
        ['tea', 'Sencha'],
      ])
    }
  })
})

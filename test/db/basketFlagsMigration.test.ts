import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createDb } from '../../server/db/createDb.ts'
import { migrate, readMigrations } from '../../server/db/migrate.ts'
import { resolveInsightsScope } from '../../server/queries/insightsScope.ts'
import { summary } from '../../server/queries/summary.ts'
import { derivedMismatches } from '../support/derivedConsistency.ts'
import { rows, testStore } from '../support/testDb.ts'

// A store upgraded to migration 0130 (basket flags): the lines it already holds get their flags and the
// new rollups are filled from them. (A file of its own: one embedded store per process.)
const range = { from: '2024-05-01', to: '2024-05-31' }

describe('migration 0130 on a store with lines', () => {
  it('flags the lines stored before it and fills the new rollups from them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-flags-'))
    const old = await createDb(testStore(dir).options)
    try {
      const all = readMigrations()
      await migrate(
        old,
        all.filter((m) => m.version < 130),
      )
      await old.client.command({
        query: `INSERT INTO transactions (merchant_id, store_id, transaction_id, line_no, occurred_at, local_at,
                  product_id, product_name, category, quantity, unit_price, amount, currency, status, store_country)
                VALUES
                  ('cafe', 's1', 't1', 2, '2024-05-02 13:00:00', '2024-05-02 09:00:00', 'latte', 'Latte', 'Coffee', 1, 3.5, 3.5, 'USD', 'completed', 'US'),
                  ('cafe', 's1', 't1', 1, '2024-05-02 13:00:00', '2024-05-02 09:00:00', 'mocha', 'Mocha', 'Coffee', 1, 4.1, 4.1, 'USD', 'completed', 'US'),
                  ('cafe', 's1', 't1', 3, '2024-05-02 13:00:00', '2024-05-02 09:00:00', 'latte', 'Latte', 'Coffee', 1, 3.5, 3.5, 'USD', 'refunded', 'US'),
                  ('cafe', 's2', 't1', 4, '2024-05-02 13:00:00', '2024-05-02 09:00:00', 'latte', 'Latte', 'Coffee', 1, 3.5, 3.5, 'USD', 'completed', 'US')`,
      })
      // A second part: the basket's late line.
      await old.client.command({
        query: `INSERT INTO transactions (merchant_id, store_id, transaction_id, line_no, occurred_at, local_at,
                  product_id, product_name, category, quantity, unit_price, amount, currency, status, store_country)
                VALUES ('cafe', 's1', 't1', 5, '2024-05-02 13:00:00', '2024-05-02 09:00:00', 'latte', 'Latte', 'Coffee', 1, 3.5, 3.5, 'USD', 'completed', 'US')`,
      })
      await migrate(old, all)
      await old.client.command({
        query: `INSERT INTO stores (merchant_id, store_id, name, lat, lon, timezone, country, city, currency)
                VALUES ('cafe', 's1', 'One', 40.7, -74, 'America/New_York', 'US', 'New York', 'USD'),
                       ('cafe', 's2', 'Two', 40.7, -74, 'America/New_York', 'US', 'New York', 'USD')`,
      })
      expect(
        await rows(
          old,
          `SELECT store_id AS s, line_no AS n, basket_first AS b, product_first AS p FROM transactions ORDER BY s, n`,
        ),
      ).toEqual([
        { s: 's1', n: 1, b: 1, p: 1 },
        { s: 's1', n: 2, b: 0, p: 1 },
        { s: 's1', n: 3, b: 1, p: 1 },
        { s: 's1', n: 5, b: 0, p: 0 },
        { s: 's2', n: 4, b: 1, p: 1 },
      ])
      expect(await derivedMismatches(old, 'cafe', range)).toEqual([])
      const scope = await resolveInsightsScope(old, 'cafe', range, { rangeDays: 1100 })
      expect((await summary(old, scope)).transactions).toBe(2)
    } finally {
      await old.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
beforeAll(async () => {
  db = await createTestDb()
})
afterAll(() => db.cleanup())

it('answers a quick query while a long statement runs, on the same tables', async () => {
  await db.client.command({ query: 'CREATE TABLE shared (n UInt8) ENGINE = Memory' })
  const finished: string[] = []
  const long = db.client
    .query({
      query: 'SELECT sleepEachRow(0.4) FROM numbers(3) SETTINGS max_block_size = 1',
      format: 'JSONEachRow',
    })
    .then((r) => r.text())
    .then(() => finished.push('long'))
  await db.client.command({ query: 'INSERT INTO shared VALUES (7)' })
  expect(await rows(db, 'SELECT n FROM shared')).toEqual([{ n: 7 }])
  finished.push('quick')
  await long
  expect(finished).toEqual(['quick', 'long'])
})

it('gives concurrent bound statements each its own values, beside a long unbound one', async () => {
  const long = db.client
    .query({
      query: 'SELECT sleepEachRow(0.2) FROM numbers(3) SETTINGS max_block_size = 1',
      format: 'JSONEachRow',
    })
    .then((r) => r.text())
  // chdb's parameter binder is process-wide (chdb-io/chdb-node#51): bound statements share one connection.
  const answers = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      rows<{ v: number; s: string }>(db, 'SELECT {v:UInt32} AS v, {s:String} AS s', {
        v: i,
        s: `value ${i}`,
      }),
    ),
  )
  expect(answers).toEqual(Array.from({ length: 12 }, (_, i) => [{ v: i, s: `value ${i}` }]))
  await long
})

it('starts the embedded engine with background merges at a lower CPU priority than statements', async (ctx) => {
  // A remote server keeps its own configuration.
  if (db.mode !== 'embedded') ctx.skip()
  const [setting] = await rows<{ value: string }>(
    db,
    `SELECT value FROM system.server_settings WHERE name = 'os_threads_nice_value_merge_mutate'`,
  )
  expect(setting?.value).toBe('10')
})

it("keeps a statement's settings to that statement", async () => {
  // Bound statements share one connection (above), so each of these runs where the one before it ran.
  const settings = (n: number) =>
    rows<{ threads: string; block: string; comment: string }>(
      db,
      `SELECT toString(getSetting('max_threads')) AS threads, toString(getSetting('max_block_size')) AS block,
              toString(getSetting('log_comment')) AS comment, {n:UInt8} AS n`,
      { n },
    ).then((r) => r.map(({ threads, block, comment }) => ({ threads, block, comment })))
  const before = await settings(1)
  expect(before).toEqual([{ threads: expect.any(String), block: '65409', comment: '' }])
  const during = await db.client.query({
    query: `SELECT toString(getSetting('max_threads')) AS threads, toString(getSetting('max_block_size')) AS block,
                   {n:UInt8} AS n`,
    query_params: { n: 2 },
    format: 'JSONEachRow',
    clickhouse_settings: { max_threads: 1, max_block_size: '1000', log_comment: 'settingsTest' },
  })
  expect(await during.json()).toEqual([{ threads: '1', block: '1000', n: 2 }])
  expect(await settings(3)).toEqual(before)
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deleteTogether } from '../../server/db/deleteTogether.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>

beforeAll(async () => {
  db = await createTestDb()
  for (const table of ['delete_a', 'delete_b']) {
    await db.client.command({
      query: `CREATE TABLE ${table} (m String, d Date, v UInt64)
              ENGINE = MergeTree PARTITION BY toYYYYMM(d) ORDER BY (m, d)`,
    })
    // Many parts in several partitions: each is a task of its own for a mutation.
    for (let i = 0; i < 8; i++) {
      await db.client.command({
        query: `INSERT INTO ${table} SELECT if(number % 2 = 0, 'x', 'y'), toDate('2024-01-01') + number % 90, number
                FROM numbers(200)`,
      })
    }
  }
})
afterAll(async () => {
  await db.cleanup()
})

const counts = (table: string) =>
  rows(
    db,
    `SELECT countIf(m = 'x' AND d >= '2024-02-01') AS deleted, countIf(m = 'x' AND d < '2024-02-01') AS january,
            countIf(m = 'y') AS other FROM ${table}`,
  )

describe('deleteTogether', () => {
  it('returns only when every table’s delete has finished', async () => {
    expect(await counts('delete_a')).toEqual([{ deleted: 8 * 58, january: 8 * 42, other: 8 * 100 }])
    await deleteTogether(
      db,
      ['delete_a', 'delete_b'].map((table) => ({
        table,
        where: `m = {m:String} AND toStartOfMonth(d) IN {months:Array(Date)}`,
      })),
      { m: 'x', months: ['2024-02-01', '2024-03-01'] },
      'test',
    )
    // Read at once: a DELETE still running would leave its rows visible.
    for (const table of ['delete_a', 'delete_b']) {
      expect(await counts(table)).toEqual([{ deleted: 0, january: 8 * 42, other: 8 * 100 }])
    }
  })

  it('throws the failure of a delete, as a synchronous one does', async () => {
    try {
      await expect(
        deleteTogether(
          db,
          [{ table: 'delete_b', where: `m = {m:String} AND throwIf(v >= 0, 'no delete today') = 0` }],
          { m: 'y' },
          'test',
        ),
      ).rejects.toThrow(/mutation \S+ of delete_b failed: .*no delete today/)
    } finally {
      // A failed mutation is retried for ever: take it back.
      await db.client.command({ query: `KILL MUTATION WHERE table = 'delete_b' AND NOT is_done SYNC` })
    }
    expect(await counts('delete_b')).toEqual([{ deleted: 0, january: 8 * 42, other: 8 * 100 }])
  })
})

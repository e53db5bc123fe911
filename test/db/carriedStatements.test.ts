import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { carrierColumns, connectionPool, type ClientConnection } from '../../server/db/connectionPool.ts'
import { memoryTableSql } from '../../server/db/memoryTable.ts'

// The embedded engine's pool itself (a remote server has no binder to get round): three connections to a
// fresh store, statements logged as 'carried' sent with their values as data.
let dir: string
let client: ClickHouseClient
const tables = ['statement_values_1', 'statement_values_2']

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-carried-'))
  const connections = Array.from({ length: 3 }, () => createChdbConnection({ path: dir }))
  client = createClient({
    connection: connectionPool(connections as unknown as ClientConnection[], {
      statements: new Map([['carried', { max_threads: 1 }]]),
      tables,
    }),
  })
  for (const table of tables) await client.command({ query: memoryTableSql(table, carrierColumns) })
})
afterAll(async () => {
  await client.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

async function answer(comment: string, query: string, params: Record<string, unknown>) {
  const result = await client.query({
    query,
    query_params: params,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: comment },
  })
  return result.json<Record<string, unknown>>()
}

describe('statements carried with their values as data', () => {
  it('answer exactly what the binder answers, for every shape a value takes', async () => {
    const query = `
      SELECT n, n IN {picked:Array(UInt32)} AS picked, {names:Array(String)} AS names,
             has({names:Array(String)}, {name:String}) AS named, empty({none:Array(String)}) AS none,
             {day:Date} + n AS day, toString(toTimeZone({at:DateTime}, {zone:String})) AS wall,
             {ratio:Float64} * n AS scaled, {flag:Bool} AS flag, {big:Int64} AS big,
             -- the binder's own reading of a placeholder in a literal: none
             '{name:String}' AS literal
      FROM (SELECT toUInt32(number) AS n FROM numbers(4)) WHERE n NOT IN {skipped:Array(UInt32)} ORDER BY n`
    const params = {
      picked: [1, 3],
      skipped: [2],
      names: ["O'Brien", 'back\\slash', '{x:String}', 'zürich'],
      name: "O'Brien",
      none: [],
      day: '2024-02-28',
      at: '2024-03-01 00:30:00',
      zone: 'Pacific/Apia',
      ratio: 0.1,
      flag: true,
      big: 1_700_000_000_123,
    }
    const bound = await answer('bound', query, params)
    expect(bound).toHaveLength(3)
    expect(bound[0]).toMatchObject({
      names: params.names,
      named: 1,
      none: 1,
      wall: '2024-03-01 13:30:00',
      literal: '{name:String}',
    })
    expect(await answer('carried', query, params)).toEqual(bound)
  })

  it('run beside a long bound statement instead of after it, and leave no values behind', async () => {
    const finished: string[] = []
    // chdb's binder runs bound statements one at a time across the process (chdb-io/chdb-node#51).
    const long = answer(
      'bound',
      'SELECT sleepEachRow(0.5) FROM numbers(4) WHERE {on:Bool} SETTINGS max_block_size = 1',
      {
        on: true,
      },
    ).then(() => finished.push('long'))
    await new Promise((resolve) => setTimeout(resolve, 200))
    const quick = answer('carried', 'SELECT {v:UInt32} AS v', { v: 7 }).then((rows) => {
      finished.push('carried')
      return rows
    })
    const queued = answer('bound', 'SELECT {v:UInt32} AS v', { v: 8 }).then(() => finished.push('bound'))
    expect(await quick).toEqual([{ v: 7 }])
    await Promise.all([long, queued])
    expect(finished).toEqual(['carried', 'long', 'bound'])
    for (const table of tables)
      expect(
        await (
          await client.query({ query: `SELECT toUInt8(count()) AS n FROM ${table}`, format: 'JSONEachRow' })
        ).json(),
      ).toEqual([{ n: 0 }])
  })

  it('run with the settings given for them', async () => {
    const query = "SELECT toUInt32(getSetting('max_threads')) AS threads, {v:UInt8} AS v"
    expect(await answer('carried', query, { v: 1 })).toEqual([{ threads: 1, v: 1 }])
    expect((await answer('bound', query, { v: 1 }))[0]?.threads).toBeGreaterThan(1)
  })

  it("never read an earlier statement's values, even when emptying the table after it failed", async () => {
    // Connections 2 and 3 (the carrying ones) fail to empty their table once, while failEmptying is set.
    let failEmptying = false
    const connections = Array.from({ length: 3 }, () => {
      const connection = createChdbConnection({ path: dir }) as unknown as ClientConnection
      return new Proxy(connection, {
        get(target, name, receiver) {
          const member: unknown = Reflect.get(target, name, receiver)
          if (typeof member !== 'function') return member
          // The connection's own methods, on the connection itself (it keeps private state).
          if (name !== 'command') return (member as (...a: unknown[]) => unknown).bind(target)
          return (params: { query: string }) => {
            if (failEmptying && params.query.startsWith('TRUNCATE')) {
              failEmptying = false
              return Promise.reject(new Error('emptying failed'))
            }
            return (member as (p: unknown) => Promise<unknown>).call(target, params)
          }
        },
      })
    })
    const pool = createClient({
      connection: connectionPool(connections, { statements: new Map([['carried', {}]]), tables }),
    })
    const carried = async (v: number) =>
      (
        await pool.query({
          query: 'SELECT {v:UInt32} AS v',
          query_params: { v },
          format: 'JSONEachRow',
          clickhouse_settings: { log_comment: 'carried' },
        })
      ).json()
    try {
      expect(await carried(1)).toEqual([{ v: 1 }])
      failEmptying = true
      await expect(carried(2)).rejects.toThrow('emptying failed')
      // The next statement on that connection finds the table held, and empties it before writing.
      for (const v of [3, 4, 5]) expect(await carried(v)).toEqual([{ v }])
    } finally {
      await pool.close()
    }
  })

  it('go through the binder when a value has no plain text form', async () => {
    const query = 'SELECT toString({amount:Decimal(18, 4)} * 2) AS twice, {maybe:Nullable(String)} AS maybe'
    const params = { amount: '1.2345', maybe: null }
    expect(await answer('carried', query, params)).toEqual(await answer('bound', query, params))
  })
})

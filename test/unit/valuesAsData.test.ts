import { describe, expect, it } from 'vitest'
import { valuesAsData } from '../../server/db/valuesAsData.ts'

const from = (name: string) => `FROM t WHERE name = '${name}'`

describe('valuesAsData', () => {
  it('reads every value in one subquery of the WITH clause, names each once there, and makes a set after IN', () => {
    const out = valuesAsData(
      'SELECT {n:UInt32}, {n:UInt32} + 1, has({xs:Array(String)}, s) FROM a WHERE s NOT IN {xs:Array(String)}',
      { n: 7, xs: ['a', "b'c"] },
      't',
    )
    expect(out?.query).toBe(
      `WITH (SELECT tuple(CAST(anyIf(value, name = 'n'), 'UInt32'), ` +
        `CAST(arrayMap(v -> v.2, arraySort(groupArrayIf((i, value), name = 'xs'))), 'Array(String)')) FROM t) AS __carried, ` +
        `tupleElement(__carried, 1) AS __carried_1, tupleElement(__carried, 2) AS __carried_2 ` +
        `SELECT __carried_1, __carried_1 + 1, has(__carried_2, s) ` +
        `FROM a WHERE s NOT IN (SELECT CAST(value, 'String') ${from('xs')})`,
    )
    // Each value once, as data, in order.
    expect([...(out?.rows ?? [])].sort((a, b) => a.name.localeCompare(b.name) || a.i - b.i)).toEqual([
      { name: 'n', i: 0, value: '7' },
      { name: 'xs', i: 0, value: 'a' },
      { name: 'xs', i: 1, value: "b'c" },
    ])
  })

  it("joins a statement's own WITH clause, after INSERT INTO and its columns too", () => {
    const sub = `(SELECT CAST(anyIf(value, name = 'k'), 'String') FROM t)`
    const carried = `(SELECT tuple(CAST(anyIf(value, name = 'k'), 'String')) FROM t) AS __carried, tupleElement(__carried, 1)`
    expect(
      valuesAsData(
        'INSERT INTO x (a, b) WITH c AS (SELECT {k:String} AS a) SELECT a, 1 FROM c',
        { k: 'v' },
        't',
      )?.query,
    ).toBe(
      `INSERT INTO x (a, b) WITH ${carried} AS __carried_1, c AS (SELECT __carried_1 AS a) SELECT a, 1 FROM c`,
    )
    expect(valuesAsData('\n  INSERT INTO x\n  SELECT {k:String}', { k: 'v' }, 't')?.query).toBe(
      `\n  INSERT INTO x\n  WITH ${carried} AS __carried_1 SELECT __carried_1`,
    )
    // Any other statement keeps a subquery at each use.
    expect(
      valuesAsData('CREATE TABLE y ENGINE = Memory AS SELECT {k:String} AS a', { k: 'v' }, 't')?.query,
    ).toBe(`CREATE TABLE y ENGINE = Memory AS SELECT ${sub} AS a`)
  })

  it('leaves string literals, quoted names and comments as they are', () => {
    const query = [
      "SELECT '{n:UInt32}' AS a, 'it''s {n:UInt32}' AS b, \"{n:UInt32}\" AS c, `{n:UInt32}` AS d,",
      "  -- the store's {n:UInt32}",
      '  /* {n:UInt32} */ {n:UInt32} AS e',
    ].join('\n')
    const out = valuesAsData(query, { n: 1 }, 't')
    expect(out?.query).toBe(
      `WITH (SELECT tuple(CAST(anyIf(value, name = 'n'), 'UInt32')) FROM t) AS __carried, tupleElement(__carried, 1) AS __carried_1 ` +
        query.replace(/\{n:UInt32\} AS e/, `__carried_1 AS e`),
    )
  })

  it('gives up (the binder then takes the statement) on values without a plain text form, and on mutations', () => {
    expect(valuesAsData('SELECT {d:Decimal(18, 4)}', { d: '1.5' }, 't')).toBeNull()
    expect(valuesAsData('SELECT {s:Nullable(String)}', { s: null }, 't')).toBeNull()
    expect(valuesAsData('SELECT {xs:Array(Array(UInt8))}', { xs: [[1]] }, 't')).toBeNull()
    expect(valuesAsData('SELECT {n:UInt32}', {}, 't')).toBeNull()
    expect(valuesAsData('SELECT {n:Float64}', { n: Number.NaN }, 't')).toBeNull()
    // Mutations may read their subqueries after the statement returns, when the values are gone.
    expect(valuesAsData('ALTER TABLE a DELETE WHERE k = {k:String}', { k: 'x' }, 't')).toBeNull()
    expect(valuesAsData(' DELETE FROM a WHERE k = {k:String}', { k: 'x' }, 't')).toBeNull()
  })
})

import { describe, expect, it } from 'vitest'
import { valuesAsData } from '../../server/db/valuesAsData.ts'

const from = (name: string) => `FROM t WHERE name = '${name}'`

describe('valuesAsData', () => {
  it('turns each placeholder into a subquery of its values, a set after IN', () => {
    const out = valuesAsData(
      'SELECT {n:UInt32}, has({xs:Array(String)}, s) FROM a WHERE s NOT IN {xs:Array(String)}',
      { n: 7, xs: ['a', "b'c"] },
      't',
    )
    expect(out?.query).toBe(
      `SELECT (SELECT CAST(any(value), 'UInt32') ${from('n')}), ` +
        `has((SELECT CAST(arrayMap(v -> v.2, arraySort(groupArray((i, value)))), 'Array(String)') ${from('xs')}), s) ` +
        `FROM a WHERE s NOT IN (SELECT CAST(value, 'String') ${from('xs')})`,
    )
    // Each value once, as data, in order.
    expect([...(out?.rows ?? [])].sort((a, b) => a.name.localeCompare(b.name) || a.i - b.i)).toEqual([
      { name: 'n', i: 0, value: '7' },
      { name: 'xs', i: 0, value: 'a' },
      { name: 'xs', i: 1, value: "b'c" },
    ])
  })

  it('leaves string literals, quoted names and comments as they are', () => {
    const query = [
      "SELECT '{n:UInt32}' AS a, 'it''s {n:UInt32}' AS b, \"{n:UInt32}\" AS c, `{n:UInt32}` AS d,",
      "  -- the store's {n:UInt32}",
      '  /* {n:UInt32} */ {n:UInt32} AS e',
    ].join('\n')
    const out = valuesAsData(query, { n: 1 }, 't')
    expect(out?.query).toBe(
      query.replace(/\{n:UInt32\} AS e/, `(SELECT CAST(any(value), 'UInt32') ${from('n')}) AS e`),
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

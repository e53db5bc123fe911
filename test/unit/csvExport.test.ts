import { describe, expect, it } from 'vitest'
import { toCsv } from '../../web/components/csvExport.ts'

describe('toCsv', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1', "'+1"],
    ['@cmd', "'@cmd"],
    ['-cmd', "'-cmd"],
    ['-12.5', '-12.5'],
  ])('writes %j as %j', (value, written) => {
    expect(toCsv({ filename: 'x', columns: ['v'], rows: [[value]] })).toBe(`v\r\n${written}\r\n`)
  })

  it('writes numbers raw, and null, undefined and booleans plainly', () => {
    expect(
      toCsv({ filename: 'x', columns: ['a', 'b', 'c', 'd'], rows: [[1234.5, null, undefined, true]] }),
    ).toBe('a,b,c,d\r\n1234.5,,,true\r\n')
  })
})

import { describe, expect, it } from 'vitest'
import {
  firstRecords,
  lastRecordEnd,
  lineChunks,
  longLineStart,
  type TextLimits,
} from '../../pipelines/lineChunks.ts'

async function collect(parts: string[], format: 'csv' | 'ndjson', chunkBytes: number, limits?: TextLimits) {
  async function* source() {
    for (const p of parts) yield Buffer.from(p)
  }
  const out: { header: string; body: string }[] = []
  for await (const c of lineChunks(source(), format, chunkBytes, limits)) {
    out.push({ header: c.header.toString(), body: c.body.toString() })
  }
  return out
}

/** The chunks handed out before the stream stopped, and why it stopped. */
async function collectUntilError(
  parts: string[],
  format: 'csv' | 'ndjson',
  chunkBytes: number,
  limits: TextLimits,
) {
  const out: string[] = []
  async function* source() {
    for (const p of parts) yield Buffer.from(p)
  }
  try {
    for await (const c of lineChunks(source(), format, chunkBytes, limits)) out.push(c.body.toString())
  } catch (err) {
    return { out, error: (err as Error).message, header: (err as { header?: boolean }).header }
  }
  return { out, error: undefined, header: undefined }
}

describe('lineChunks', () => {
  it('repeats the CSV header before every chunk and cuts only between records', async () => {
    const chunks = await collect(['\ufeffa,b\n1,"x\ny"\n2,z\n', '3,w'], 'csv', 4)
    expect(chunks).toEqual([
      { header: 'a,b\n', body: '1,"x\ny"\n2,z\n' },
      { header: 'a,b\n', body: '3,w\n' },
    ])
  })

  it('never cuts inside a quoted field that spans pieces', async () => {
    const chunks = await collect(['a\n"one\n', 'two"\n', 'three\n'], 'csv', 1)
    expect(chunks.map((c) => c.body)).toEqual(['"one\ntwo"\n', 'three\n'])
  })

  it('passes NDJSON through in whole lines and ignores an empty stream', async () => {
    expect(await collect(['{"a":1}\n{"a"', ':2}\n'], 'ndjson', 3)).toEqual([
      { header: '', body: '{"a":1}\n' },
      { header: '', body: '{"a":2}\n' },
    ])
    expect(await collect([], 'csv', 10)).toEqual([])
    expect(await collect(['only,header'], 'csv', 10)).toEqual([])
  })
})

describe('record boundaries', () => {
  it.each([
    ['a\nb\nc', false, 3],
    ['a\n"b\nc', true, 1],
    ['"a\nb"\n', true, 5],
    ['abc', false, -1],
  ])('lastRecordEnd(%j, csv=%s) = %i', (text, csv, expected) => {
    expect(lastRecordEnd(Buffer.from(text), csv)).toBe(expected)
  })

  it('takes the first n records, quote-aware for CSV', () => {
    expect(firstRecords(Buffer.from('1\n"2\n2"\n3\n'), 2, true).toString()).toBe('1\n"2\n2"\n')
    expect(firstRecords(Buffer.from('1\n2\n3\n'), 0, false).toString()).toBe('')
  })
})

describe('line limits', () => {
  it.each([
    ['abc\ndef\n', 3, -1],
    ['abc\ndefg\n', 3, 4],
    ['abcd', 3, 0],
    ['ab\n\nabc', 3, -1],
    ['ab\n' + 'x'.repeat(10) + '\nab\n', 5, 3],
  ])('longLineStart(%j, %i) = %i', (text, limit, start) => {
    expect(longLineStart(Buffer.from(text), limit)).toBe(start)
  })

  const limits = { lineBytes: 8, columns: 3 }
  it('hands out the records before a long line, then stops, wherever the chunks are cut', async () => {
    for (const chunkBytes of [1, 4, 1000]) {
      const run = await collectUntilError(
        ['{"a":1}\n{"a":2}\n{"a":"', 'toolong"}\n{"a":3}\n'],
        'ndjson',
        chunkBytes,
        limits,
      )
      expect(run.out.join('')).toBe('{"a":1}\n{"a":2}\n')
      expect(run.error).toBe('longer than the limit of 8 bytes (MAX_LINE_BYTES)')
      expect(run.header).toBe(false)
    }
    // A line that never ends is refused once it passes the limit, not held whole.
    const endless = await collectUntilError(
      ['x'.repeat(5), 'x'.repeat(5), 'x'.repeat(5)],
      'ndjson',
      4,
      limits,
    )
    expect(endless).toEqual({
      out: [],
      error: 'longer than the limit of 8 bytes (MAX_LINE_BYTES)',
      header: false,
    })
  })

  it('limits a CSV record spanning lines, the header, and its columns', async () => {
    const record = await collectUntilError(
      ['a\n1\n"x\nxx\n', 'xx\nxx\n', 'xx\nxx\n', 'x"\n'],
      'csv',
      4,
      limits,
    )
    expect(record.out.join('')).toBe('1\n')
    expect(record.error).toBe('a record longer than the limit of 8 bytes (MAX_LINE_BYTES)')
    expect(await collectUntilError(['a,b,c,d\n1,2,3,4\n'], 'csv', 4, limits)).toEqual({
      out: [],
      error: 'the header names 4 columns; the limit is 3 (MAX_COLUMNS)',
      header: true,
    })
    expect((await collectUntilError(['"a,b",c\n1,2\n'], 'csv', 4, limits)).error).toBeUndefined()
    expect((await collectUntilError(['abcdefghij'], 'csv', 4, limits)).error).toBe(
      'the header is longer than the limit of 8 bytes (MAX_LINE_BYTES)',
    )
  })
})

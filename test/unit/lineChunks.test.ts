import { describe, expect, it } from 'vitest'
import { firstRecords, lastRecordEnd, lineChunks } from '../../pipelines/lineChunks.ts'

async function collect(parts: string[], format: 'csv' | 'ndjson', chunkBytes: number) {
  async function* source() {
    for (const p of parts) yield Buffer.from(p)
  }
  const out: { header: string; body: string }[] = []
  for await (const c of lineChunks(source(), format, chunkBytes)) {
    out.push({ header: c.header.toString(), body: c.body.toString() })
  }
  return out
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

import { describe, expect, it } from 'vitest'
import {
  firstRecords,
  lastRecordEnd,
  lineParts,
  longLineStart,
  type TextLimits,
} from '../../pipelines/lineChunks.ts'
import { engineFormats, spoolChunks } from '../../pipelines/stageChunk.ts'

/** The chunks lineParts cuts (grouped as ingest groups them, without spooling), each its pieces joined. */
async function* lineChunks(
  source: AsyncIterable<Buffer>,
  format: 'csv' | 'ndjson',
  chunkBytes: number,
  limits?: TextLimits,
) {
  const parts = lineParts(source, format, chunkBytes, limits)
  for await (const chunk of spoolChunks(parts, engineFormats[format], undefined))
    yield { header: chunk.header, body: Buffer.concat(chunk.body) }
}

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

describe('lineParts', () => {
  it('hands out the stream whole, cut only at record ends, whatever the pieces and chunk size', async () => {
    // A fixed pseudo-random sequence: CSV records with quoted newlines and quotes, cut at random places.
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const records = Array.from({ length: 300 }, (_, i) =>
      random(4) === 0 ? `${i},"a\nb ""q"" ${'x'.repeat(random(30))}"\n` : `${i},${'y'.repeat(random(40))}\n`,
    )
    const text = `id,v\n${records.join('')}`
    for (const chunkBytes of [1, 50, 700, 100_000]) {
      const bytes = Buffer.from(text)
      const pieces: Buffer[] = []
      for (let at = 0; at < bytes.length;) {
        const size = 1 + random(120)
        pieces.push(bytes.subarray(at, at + size))
        at += size
      }
      const chunks = await collect(
        pieces.map((p) => p.toString('latin1')),
        'csv',
        chunkBytes,
      )
      expect(chunks.map((c) => c.body).join('')).toBe(records.join(''))
      for (const c of chunks) {
        expect(c.header).toBe('id,v\n')
        // Each chunk is whole records: balanced quotes, ending with a newline.
        expect((c.body.match(/"/g) ?? []).length % 2).toBe(0)
        expect(c.body.endsWith('\n')).toBe(true)
      }
    }
  })

  it('hands out the pieces it was given rather than copies', async () => {
    // Unpooled buffers, so each has an ArrayBuffer of its own to recognise.
    const unpooled = (text: string) => Buffer.concat([Buffer.from(text)], 8192).subarray(0, text.length)
    const first = unpooled('{"a":1}\n{"a":2}\n')
    const second = unpooled('{"a":3}\n')
    async function* source() {
      yield first
      yield second
    }
    const pieces: Buffer[] = []
    for await (const part of lineParts(source(), 'ndjson', 1 << 20)) if (!part.end) pieces.push(part.piece)
    expect(pieces).toHaveLength(2)
    expect(pieces[0]?.buffer).toBe(first.buffer)
    expect(pieces[1]?.buffer).toBe(second.buffer)
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

  it('finds record ends before a point, from inside an open quoted field', () => {
    // 'b"\nc\n' read after an open quote: the quote closes it, so both newlines end records.
    expect(lastRecordEnd(Buffer.from('b"\nc\n'), true, 5, true)).toBe(4)
    expect(lastRecordEnd(Buffer.from('b"\nc\n'), true, 4, true)).toBe(2)
    // Still inside the quoted field: no newline ends a record.
    expect(lastRecordEnd(Buffer.from('b\nc\n'), true, 4, true)).toBe(-1)
    expect(lastRecordEnd(Buffer.from('a\nb\n'), false, 0)).toBe(-1)
  })

  it('takes the first n records, quote-aware for CSV', () => {
    expect(firstRecords(Buffer.from('1\n"2\n2"\n3\n'), 2, true).toString()).toBe('1\n"2\n2"\n')
    expect(firstRecords(Buffer.from('1\n2\n3\n'), 0, false).toString()).toBe('')
  })
})

describe('line limits', () => {
  it.each([
    ['abc\ndef\n', 3, 0, null],
    ['abc\ndefg\n', 3, 0, 4],
    ['abcd', 3, 0, 0],
    ['ab\n\nabc', 3, 0, null],
    ['ab\n' + 'x'.repeat(10) + '\nab\n', 5, 0, 3],
    // The line at the start began earlier: its start is before buf.
    ['ab\ncd\n', 3, 2, -2],
    ['a\ncd\n', 3, 2, null],
    ['abc', 3, 4, -4],
  ])('longLineStart(%j, %i, before %i) = %s', (text, limit, before, start) => {
    expect(longLineStart(Buffer.from(text), limit, before)).toBe(start)
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

  it('reads a header sent a byte at a time, and refuses one that passes the limit', async () => {
    expect(await collect([...'\ufeffa,b\n1,2\n'], 'csv', 100)).toEqual([{ header: 'a,b\n', body: '1,2\n' }])
    const long = await collectUntilError([...'x'.repeat(20)], 'csv', 4, limits)
    expect(long.error).toBe('the header is longer than the limit of 8 bytes (MAX_LINE_BYTES)')
    expect(long.header).toBe(true)
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

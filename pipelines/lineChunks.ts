/** A run of whole records from a text stream, ready to insert as one statement. */
export interface TextChunk {
  /** The CSV header line (with its newline), repeated before every chunk; empty for NDJSON. */
  header: Buffer
  body: Buffer
}

const newline = 0x0a
const quote = 0x22

function countQuotes(buf: Buffer, from: number, to: number): number {
  let n = 0
  for (let i = buf.indexOf(quote, from); i !== -1 && i < to; i = buf.indexOf(quote, i + 1)) n++
  return n
}

/**
 * Where to cut buf so the first part ends with a whole record: after the last newline that is not inside a
 * quoted CSV field (quotes balanced before it). -1 when no such newline exists yet.
 */
export function lastRecordEnd(buf: Buffer, csv: boolean): number {
  let nl = buf.lastIndexOf(newline)
  if (!csv || nl === -1) return nl
  let quotes = countQuotes(buf, 0, nl)
  while (nl !== -1 && quotes % 2 === 1) {
    const previous = nl === 0 ? -1 : buf.lastIndexOf(newline, nl - 1)
    if (previous === -1) return -1
    quotes -= countQuotes(buf, previous, nl)
    nl = previous
  }
  return nl
}

/**
 * Cuts a byte stream of CSV (with header) or NDJSON into chunks of whole records of about chunkBytes, so
 * each chunk is one independent INSERT and memory stays bounded whatever the stream's size. The stream is
 * pulled, so a slow engine slows the reader (backpressure) instead of piling up bytes.
 */
export async function* lineChunks(
  source: AsyncIterable<Buffer>,
  format: 'csv' | 'ndjson',
  chunkBytes: number,
): AsyncGenerator<TextChunk> {
  const csv = format === 'csv'
  let header: Buffer | undefined = csv ? undefined : Buffer.alloc(0)
  let pending: Buffer[] = []
  let size = 0
  for await (const piece of source) {
    pending.push(piece)
    size += piece.length
    if (header === undefined) {
      const joined = Buffer.concat(pending)
      const end = joined.indexOf(newline)
      if (end === -1) continue
      const start = joined[0] === 0xef && joined[1] === 0xbb && joined[2] === 0xbf ? 3 : 0
      header = joined.subarray(start, end + 1)
      pending = [joined.subarray(end + 1)]
      size = joined.length - end - 1
    }
    if (size < chunkBytes) continue
    const joined = Buffer.concat(pending)
    const cut = lastRecordEnd(joined, csv)
    if (cut === -1) {
      pending = [joined]
      continue
    }
    yield { header, body: joined.subarray(0, cut + 1) }
    pending = [joined.subarray(cut + 1)]
    size = joined.length - cut - 1
  }
  // A header without any record (or an empty stream) has nothing to load.
  if (header === undefined) return
  const rest = Buffer.concat(pending)
  if (rest.length > 0) {
    yield {
      header,
      body: rest[rest.length - 1] === newline ? rest : Buffer.concat([rest, Buffer.from('\n')]),
    }
  }
}

/** The first `records` records of a chunk body (newline-separated, quote-aware for CSV). */
export function firstRecords(body: Buffer, records: number, csv: boolean): Buffer {
  let end = 0
  let quotes = 0
  let taken = 0
  while (taken < records) {
    const nl = body.indexOf(newline, end)
    if (nl === -1) return body
    if (csv) quotes += countQuotes(body, end, nl)
    end = nl + 1
    if (!csv || quotes % 2 === 0) taken++
  }
  return body.subarray(0, end)
}

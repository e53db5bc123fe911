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

/** Limits on the text a client sends (MAX_LINE_BYTES and MAX_COLUMNS in server/config.ts). */
export interface TextLimits {
  /** Longest line in bytes; also the most of a quoted CSV record (newlines inside) held open at once. */
  lineBytes: number
  /** Most columns a CSV header may name. */
  columns: number
}

/** A line over a limit: the batch stops there, after the records before it are stored. */
export class LineTooLong extends Error {
  /** The CSV header itself (line 1) is at fault, not a record. */
  constructor(
    message: string,
    readonly header: boolean,
  ) {
    super(message)
  }
}

/**
 * Where the first line longer than lineBytes starts in buf (a last line without its newline counts too),
 * or -1. Each look-up jumps a whole window ahead: the last newline within lineBytes of a line's start ends
 * it, so normal text costs a few look-ups per chunk, not one per line.
 */
export function longLineStart(buf: Buffer, lineBytes: number): number {
  let start = 0
  while (buf.length - start > lineBytes) {
    const end = buf.lastIndexOf(newline, start + lineBytes)
    if (end < start) return start
    start = end + 1
  }
  return -1
}

/** Columns a CSV header names: commas outside quotes, plus one. */
function headerColumns(header: Buffer): number {
  let columns = 1
  let quoted = false
  for (const byte of header) {
    if (byte === quote) quoted = !quoted
    else if (byte === 0x2c && !quoted) columns++
  }
  return columns
}

/**
 * Cuts a byte stream of CSV (with header) or NDJSON into chunks of whole records of about chunkBytes, so
 * each chunk is one independent INSERT and memory stays bounded whatever the stream's size. The stream is
 * pulled, so a slow engine slows the reader (backpressure) instead of piling up bytes. With limits, a line
 * (or CSV record) longer than limits.lineBytes ends the stream with LineTooLong after the whole records
 * before it, and so does a CSV header naming more than limits.columns columns: no more than about
 * max(chunkBytes, lineBytes) is ever held waiting for a record's end.
 */
export async function* lineChunks(
  source: AsyncIterable<Buffer>,
  format: 'csv' | 'ndjson',
  chunkBytes: number,
  limits?: TextLimits,
): AsyncGenerator<TextChunk> {
  const csv = format === 'csv'
  const lineBytes = limits?.lineBytes ?? Infinity
  let header: Buffer | undefined = csv ? undefined : Buffer.alloc(0)
  let pending: Buffer[] = []
  let size = 0
  /** The records of joined before a line over the limit, if any, then the error; else nothing. */
  function* cutAtLongLine(joined: Buffer, head: Buffer): Generator<TextChunk> {
    const long = longLineStart(joined, lineBytes)
    if (long === -1) return
    const cut = lastRecordEnd(joined.subarray(0, long), csv)
    if (cut !== -1) yield { header: head, body: joined.subarray(0, cut + 1) }
    throw new LineTooLong(`longer than the limit of ${lineBytes} bytes (MAX_LINE_BYTES)`, false)
  }
  for await (const piece of source) {
    pending.push(piece)
    size += piece.length
    if (header === undefined) {
      const joined = Buffer.concat(pending)
      const end = joined.indexOf(newline)
      if (end === -1 && joined.length > lineBytes) {
        throw new LineTooLong(
          `the header is longer than the limit of ${lineBytes} bytes (MAX_LINE_BYTES)`,
          true,
        )
      }
      if (end === -1) continue
      const start = joined[0] === 0xef && joined[1] === 0xbb && joined[2] === 0xbf ? 3 : 0
      header = joined.subarray(start, end + 1)
      if (end - start > lineBytes) {
        throw new LineTooLong(
          `the header is longer than the limit of ${lineBytes} bytes (MAX_LINE_BYTES)`,
          true,
        )
      }
      const columns = limits ? headerColumns(header) : 0
      if (limits && columns > limits.columns) {
        throw new LineTooLong(
          `the header names ${columns} columns; the limit is ${limits.columns} (MAX_COLUMNS)`,
          true,
        )
      }
      pending = [joined.subarray(end + 1)]
      size = joined.length - end - 1
    }
    if (size < chunkBytes) continue
    const joined = Buffer.concat(pending)
    yield* cutAtLongLine(joined, header)
    const cut = lastRecordEnd(joined, csv)
    if (cut === -1) {
      // One CSV record (quoted newlines) that has not ended yet: as long as a line may be, no longer.
      if (joined.length > lineBytes)
        throw new LineTooLong(`a record longer than the limit of ${lineBytes} bytes (MAX_LINE_BYTES)`, false)
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
  yield* cutAtLongLine(rest, header)
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

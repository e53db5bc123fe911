const newline = 0x0a
const quote = 0x22

/**
 * Quotes in buf[from, to). Past the first quote, a byte loop: for CSV with every field quoted it ran three
 * to four times faster than a look-up per quote (26-29 ms against 86-103 per 35 MB, 2026-12-02).
 */
function countQuotes(buf: Buffer, from: number, to: number): number {
  const first = buf.indexOf(quote, from)
  if (first === -1 || first >= to) return 0
  let n = 0
  for (let i = first; i < to; i++) if (buf[i] === quote) n++
  return n
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
 * Where to cut buf so the part before upTo ends with a whole record: after the last newline before upTo
 * that is not inside a quoted CSV field (quotes balanced before it, counting from an open quoted field
 * when quotedBefore). -1 when no such newline exists yet.
 */
export function lastRecordEnd(buf: Buffer, csv: boolean, upTo = buf.length, quotedBefore = false): number {
  let nl = upTo > 0 ? buf.lastIndexOf(newline, upTo - 1) : -1
  if (!csv || nl === -1) return nl
  let quoted = quotedBefore !== (countQuotes(buf, 0, nl) % 2 === 1)
  while (quoted) {
    const previous = nl === 0 ? -1 : buf.lastIndexOf(newline, nl - 1)
    if (previous === -1) return -1
    if (countQuotes(buf, previous, nl) % 2 === 1) quoted = !quoted
    nl = previous
  }
  return nl
}

/**
 * Where in buf the first line longer than lineBytes starts (a last line without its newline counts too),
 * given that the line at buf's start began `before` bytes earlier (so the answer may be 0 or less), or
 * null. Each look-up jumps a whole window ahead: the last newline within lineBytes of a line's start ends
 * it, so normal text costs a few look-ups per piece, not one per line.
 */
export function longLineStart(buf: Buffer, lineBytes: number, before = 0): number | null {
  let start = 0 - before
  while (buf.length - start > lineBytes) {
    const limit = start + lineBytes
    if (limit < 0) return start
    const end = buf.lastIndexOf(newline, limit)
    if (end < Math.max(start, 0)) return start
    start = end + 1
  }
  return null
}

/**
 * What lineParts hands out: whole records of the current chunk as they arrive, then the chunk's end. The
 * pieces are the stream's own buffers (or parts of them), never copied.
 */
export type LinePart =
  { header: Buffer; piece: Buffer; end?: undefined } | { header: Buffer; piece?: undefined; end: true }

/**
 * Cuts a byte stream of CSV (with header) or NDJSON into chunks of whole records of about chunkBytes, so
 * each chunk is one independent INSERT and memory stays bounded whatever the stream's size. Records are
 * handed out as soon as they are whole, so a chunk can be written to its spool file while the rest of it
 * is still arriving; only the unfinished record at a piece's end is held back. The stream is pulled, so a
 * slow engine slows the reader (backpressure) instead of piling up bytes. With limits, a line (or CSV
 * record) longer than limits.lineBytes ends the stream with LineTooLong after the whole records before it,
 * and so does a CSV header naming more than limits.columns columns: no more than about
 * max(chunkBytes, lineBytes) is ever held waiting for a record's end.
 *
 * Pieces used to be joined into one buffer per chunk: for a 36 MB request that took 136-151 ms of fresh
 * memory (page faults) before the chunk could even be written to its spool file (2026-12-02).
 */
export async function* lineParts(
  source: AsyncIterable<Buffer>,
  format: 'csv' | 'ndjson',
  chunkBytes: number,
  limits?: TextLimits,
): AsyncGenerator<LinePart> {
  const csv = format === 'csv'
  const lineBytes = limits?.lineBytes ?? Infinity
  let header: Buffer | undefined = csv ? undefined : Buffer.alloc(0)
  let headerPending: Buffer[] = []
  let headerBytes = 0
  /** The unfinished record after the last record end, and whether a quoted field is open in it. */
  let held: Buffer[] = []
  let heldBytes = 0
  let heldQuoted = false
  /** Bytes since the last newline of any kind: the length so far of the line being read. */
  let lineSoFar = 0
  /** Bytes of records handed out in the current chunk. */
  let chunkSize = 0
  for await (const piece of source) {
    if (piece.length === 0) continue
    let data = piece
    if (header === undefined) {
      headerPending.push(piece)
      headerBytes += piece.length
      // Joined only once a piece ends the header: joining at every piece of a header sent a byte at a
      // time would copy up to MAX_LINE_BYTES once per byte.
      if (piece.indexOf(newline) === -1) {
        if (headerBytes > lineBytes) {
          throw new LineTooLong(
            `the header is longer than the limit of ${lineBytes} bytes (MAX_LINE_BYTES)`,
            true,
          )
        }
        continue
      }
      const joined = Buffer.concat(headerPending)
      const end = joined.indexOf(newline)
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
      headerPending = []
      data = joined.subarray(end + 1)
      if (data.length === 0) continue
    }
    const long = longLineStart(data, lineBytes, lineSoFar)
    // Records end in data before the long line (if any) starts; after it, nothing more is read.
    const end = lastRecordEnd(data, csv, long ?? data.length, heldQuoted)
    if (end !== -1) {
      for (const h of held) yield { header, piece: h }
      yield { header, piece: data.subarray(0, end + 1) }
      chunkSize += heldBytes + end + 1
      const rest = data.subarray(end + 1)
      held = rest.length > 0 ? [rest] : []
      heldBytes = rest.length
      heldQuoted = csv && countQuotes(rest, 0, rest.length) % 2 === 1
    } else {
      held.push(data)
      heldBytes += data.length
      heldQuoted = heldQuoted !== (csv && countQuotes(data, 0, data.length) % 2 === 1)
    }
    if (long !== null) {
      if (chunkSize > 0) yield { header, end: true }
      throw new LineTooLong(`longer than the limit of ${lineBytes} bytes (MAX_LINE_BYTES)`, false)
    }
    if (heldBytes > lineBytes) {
      // One CSV record (quoted newlines) that has not ended yet: as long as a line may be, no longer.
      if (chunkSize > 0) yield { header, end: true }
      throw new LineTooLong(`a record longer than the limit of ${lineBytes} bytes (MAX_LINE_BYTES)`, false)
    }
    const lastNewline = data.lastIndexOf(newline)
    lineSoFar = lastNewline === -1 ? lineSoFar + data.length : data.length - lastNewline - 1
    if (chunkSize >= chunkBytes) {
      yield { header, end: true }
      chunkSize = 0
    }
  }
  // A header without any record (or an empty stream) has nothing to load.
  if (header === undefined) return
  if (heldBytes > 0) {
    for (const h of held) yield { header, piece: h }
    const last = held[held.length - 1]
    if (last?.[last.length - 1] !== newline) yield { header, piece: Buffer.from('\n') }
    chunkSize += heldBytes
  }
  if (chunkSize > 0) yield { header, end: true }
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

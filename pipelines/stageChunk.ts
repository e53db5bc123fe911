import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { ClickHouseSettings } from '@clickhouse/client'
import type { IngestFormat } from '../server/contract.ts'
import type { Db } from '../server/db/createDb.ts'
import { quoteIdentifier } from './columnSql.ts'
import type { LinePart } from './lineChunks.ts'
import { cardColumnSql } from './rowChecks.ts'

/** The engine's name of each ingest format. */
export const engineFormats = {
  csv: 'CSVWithNames',
  ndjson: 'JSONEachRow',
  arrow: 'ArrowStream',
  parquet: 'Parquet',
} as const satisfies Record<IngestFormat, string>

/** Settings of the staging INSERT: every column is read as text, unknown columns are skipped. */
const stageSettings = {
  input_format_skip_unknown_fields: 1,
  input_format_with_names_use_header: 1,
  input_format_csv_empty_as_default: 1,
  input_format_allow_errors_num: '0',
  input_format_json_read_numbers_as_strings: 1,
  input_format_json_read_bools_as_strings: 1,
  input_format_json_read_objects_as_strings: 1,
  input_format_json_read_arrays_as_strings: 1,
  input_format_parquet_preserve_order: 1,
  input_format_arrow_case_insensitive_column_matching: 0,
  // The card scan of _card_column runs its Luhn check only for the few values its guard lets through.
  short_circuit_function_evaluation: 'force_enable',
} as const satisfies ClickHouseSettings

/**
 * A text chunk: the CSV header line (with its newline, repeated before every chunk; empty for NDJSON), its
 * records as the pieces they arrived in, and (embedded engine) the spool file they are being written to.
 */
export interface SpooledChunk {
  header: Buffer
  body: Buffer[]
  file: Promise<string> | undefined
}

/**
 * Groups lineParts into chunks. With a spool directory (the embedded engine's) each piece is written to the
 * chunk's spool file in it as it arrives (the writes run on libuv's threads), so the file is ready about
 * when the chunk's last byte is in; without one (a remote server's chunks) nothing is spooled.
 */
export async function* spoolChunks(
  parts: AsyncIterable<LinePart>,
  format: (typeof engineFormats)['csv' | 'ndjson'],
  spoolDir: string | undefined,
): AsyncGenerator<SpooledChunk> {
  let body: Buffer[] = []
  let spool: ReturnType<typeof spoolWriter> | undefined
  try {
    for await (const part of parts) {
      if (part.end) {
        const file = spool?.close()
        spool = undefined
        // Awaited when the chunk is staged; a batch that stops first must not leave it unobserved.
        file?.catch(() => undefined)
        yield { header: part.header, body, file }
        body = []
        continue
      }
      if (spoolDir !== undefined) {
        spool ??= spoolWriter(part.header, format, spoolDir)
        spool.write(part.piece)
      }
      body.push(part.piece)
    }
  } finally {
    // A batch that stopped mid-chunk: its file goes with the batch's spool directory.
    spool?.abandon()
  }
}

/** A spool file written piece by piece; close() resolves with its path once every byte is written. */
function spoolWriter(header: Buffer, format: string, spoolDir: string) {
  const file = spoolPath(format, spoolDir)
  const stream = fs.createWriteStream(file)
  const done = new Promise<string>((resolve, reject) => {
    stream.on('error', reject)
    stream.once('close', () => resolve(file))
  })
  done.catch(() => undefined)
  if (header.length > 0) stream.write(header)
  return {
    write: (piece: Buffer) => stream.write(piece),
    close: () => {
      stream.end()
      return done
    },
    abandon: () => stream.destroy(),
  }
}

function spoolPath(format: string, spoolDir: string): string {
  return path.join(spoolDir, `chunk-${randomBytes(8).toString('hex')}.${format.toLowerCase()}`)
}

async function spoolFile(
  body: Iterable<Buffer> | AsyncIterable<Buffer>,
  format: string,
  spoolDir: string,
): Promise<string> {
  const file = spoolPath(format, spoolDir)
  await fs.promises.writeFile(file, Readable.from(body, { objectMode: false }))
  return file
}

/**
 * One chunk of text into the staging table: the header line (CSV) and whole records. A remote server
 * receives it as the body of a streamed INSERT ... FORMAT: it cannot read our files, and needs none. The
 * embedded engine reads it from a spooled file with file(): that parses in parallel at about half the CPU of
 * handing it the Buffer (rawInsert), and the file is in the page cache.
 */
export async function stageText(
  db: Db,
  stage: string,
  columns: string[],
  format: (typeof engineFormats)['csv' | 'ndjson'],
  chunk: { header: Buffer; body: Buffer[]; file?: Promise<string> | undefined },
  spoolDir: string | undefined,
): Promise<void> {
  const bytes = [chunk.header, ...chunk.body]
  if (db.mode === 'remote') return stageStream(db, stage, columns, format, bytes)
  const file = await (chunk.file ?? spoolFile(bytes, format, embeddedSpool(spoolDir)))
  try {
    await stageFile(db, stage, columns, format, file, { max_block_size: String(stagedBlockRows) })
  } finally {
    fs.rmSync(file, { force: true })
  }
}

/**
 * Rows per block of a staged text chunk. A Memory table is read one block per thread, and the parser's
 * blocks of a 100,000-line chunk were one of about 87,000 rows and a small one: the check (the costliest
 * statement before the insert) ran on one core of two. Even blocks let it use both.
 */
const stagedBlockRows = 16_384

/**
 * A whole Arrow or Parquet body into the staging table (these formats are not line-based), the same two
 * ways. Row order is what numbers the lines. The embedded engine reads a spooled Parquet file on every
 * core, its row groups in any order, and numbers each row by its place in the file (`_row_number`, the
 * Parquet reader's own count); an Arrow stream is read on one thread, in order.
 */
export async function stageBinary(
  db: Db,
  stage: string,
  columns: string[],
  format: (typeof engineFormats)['arrow' | 'parquet'],
  body: AsyncIterable<Buffer>,
  spoolDir: string | undefined,
): Promise<void> {
  if (db.mode === 'remote') return stageStream(db, stage, columns, format, body)
  const file = await spoolFile(body, format, embeddedSpool(spoolDir))
  try {
    if (format === engineFormats.parquet) {
      // Staging a 2M-line body on one thread took about 4.2 s, with the other core idle (2026-12-02).
      await stageFile(
        db,
        stage,
        columns,
        format,
        file,
        { input_format_parquet_preserve_order: 0, max_insert_threads: '2' },
        '_row_number',
      )
    } else {
      await stageFile(db, stage, columns, format, file, { max_threads: 1 })
    }
  } finally {
    fs.rmSync(file, { force: true })
  }
}

function embeddedSpool(spoolDir: string | undefined): string {
  if (!spoolDir) throw new Error('the embedded engine stages chunks through a spool directory')
  return spoolDir
}

async function stageStream(
  db: Db,
  stage: string,
  columns: string[],
  format: string,
  body: Iterable<Buffer> | AsyncIterable<Buffer>,
): Promise<void> {
  const result = await db.client.exec({
    query: `INSERT INTO ${stage} (${columns.map(quoteIdentifier).join(', ')}) FORMAT ${format}`,
    values: Readable.from(body, { objectMode: false }),
    clickhouse_settings: stageSettings,
  })
  result.stream.resume()
}

async function stageFile(
  db: Db,
  stage: string,
  columns: string[],
  format: string,
  file: string,
  settings: ClickHouseSettings,
  /** What numbers the rows (the stage's _row): by default the order they arrive in. */
  rowNumber?: string,
): Promise<void> {
  const columnList = columns.map(quoteIdentifier).join(', ')
  const structure = columns.map((c) => `${quoteIdentifier(c)} Nullable(String)`).join(', ')
  // _card_column is computed here rather than by the table's default (which a streamed INSERT ... FORMAT
  // uses): staging 100,000 lines took 270-350 ms with the default, 200-210 ms so (2026-12-01).
  await db.client.command({
    query: `INSERT INTO ${stage} (${columnList}, _card_column${rowNumber ? ', _row' : ''})
            SELECT ${columnList}, ${cardColumnSql(columns.map(quoteIdentifier))}${rowNumber ? `, ${rowNumber}` : ''}
            FROM file({file:String}, ${format}, {structure:String})`,
    query_params: { file, structure },
    clickhouse_settings: { ...stageSettings, ...settings },
  })
}

/**
 * DATA_DIR/spool, emptied: where ingest spools its chunks. The process holding DATA_DIR's lock owns it,
 * so whatever is there at start was left by a crash.
 */
export function resetSpool(dataDir: string): string {
  const spoolDir = path.join(dataDir, 'spool')
  fs.rmSync(spoolDir, { recursive: true, force: true })
  fs.mkdirSync(spoolDir, { recursive: true })
  return spoolDir
}

/**
 * Staging tables are per batch and in memory; a crash leaves their empty definitions behind. The embedded
 * engine belongs to this process, so every one found at start is stale; on a shared server only old ones.
 */
export async function dropStaleStaging(db: Db): Promise<number> {
  const result = await db.client.query({
    query: `SELECT name FROM system.tables
            WHERE database = currentDatabase() AND match(name, '^ingest_(stage|checked|scratch)_[0-9a-f]{16}$')
              AND metadata_modification_time < now() - toIntervalSecond({age:UInt32})`,
    query_params: { age: db.mode === 'embedded' ? 0 : 86_400 },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'dropStaleStaging' },
  })
  const stale = await result.json<{ name: string }>()
  for (const { name } of stale) {
    if (/^ingest_(stage|checked|scratch)_[0-9a-f]{16}$/.test(name)) {
      await db.client.command({ query: `DROP TABLE IF EXISTS ${name}` })
    }
  }
  return stale.length
}

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { ClickHouseSettings } from '@clickhouse/client'
import type { IngestFormat } from '../server/contract.ts'
import type { Db } from '../server/db/createDb.ts'
import { quoteIdentifier } from './columnSql.ts'

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
} as const satisfies ClickHouseSettings

/**
 * One chunk of text into the staging table: the header line (CSV) and whole records. A remote server
 * receives it as a streamed INSERT. The embedded engine reads it from a spooled file with file(): that parses
 * in parallel at about half the CPU of handing it the Buffer (rawInsert), and the file is in the page cache.
 */
export function stageText(
  db: Db,
  stage: string,
  columns: string[],
  format: (typeof engineFormats)['csv' | 'ndjson'],
  header: Buffer,
  body: Buffer,
  spoolDir: string | undefined,
): Promise<void> {
  return stageBody(db, stage, columns, format, [header, body], spoolDir, {})
}

/**
 * A whole Arrow or Parquet body into the staging table (these formats are not line-based), the same two
 * ways; the embedded engine reads the spooled file on one thread so row order, and so line numbers, hold.
 */
export function stageBinary(
  db: Db,
  stage: string,
  columns: string[],
  format: (typeof engineFormats)['arrow' | 'parquet'],
  body: AsyncIterable<Buffer>,
  spoolDir: string | undefined,
): Promise<void> {
  return stageBody(db, stage, columns, format, body, spoolDir, { max_threads: 1 })
}

async function stageBody(
  db: Db,
  stage: string,
  columns: string[],
  format: string,
  body: Iterable<Buffer> | AsyncIterable<Buffer>,
  spoolDir: string | undefined,
  embeddedSettings: ClickHouseSettings,
): Promise<void> {
  const columnList = columns.map(quoteIdentifier).join(', ')
  const bytes = Readable.from(body, { objectMode: false })
  if (db.mode === 'remote') {
    const result = await db.client.exec({
      query: `INSERT INTO ${stage} (${columnList}) FORMAT ${format}`,
      values: bytes,
      clickhouse_settings: stageSettings,
    })
    result.stream.resume()
    return
  }
  const dir = fs.mkdtempSync(path.join(spoolDir ?? os.tmpdir(), 'tillsight-spool-'))
  const file = path.join(dir, `body.${format.toLowerCase()}`)
  try {
    await fs.promises.writeFile(file, bytes)
    const structure = columns.map((c) => `${quoteIdentifier(c)} Nullable(String)`).join(', ')
    await db.client.command({
      query: `INSERT INTO ${stage} (${columnList})
              SELECT ${columnList} FROM file({file:String}, ${format}, {structure:String})`,
      query_params: { file, structure },
      clickhouse_settings: { ...stageSettings, ...embeddedSettings },
    })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Staging tables are per batch and in memory; a crash leaves their empty definitions behind. The embedded
 * engine belongs to this process, so every one found at start is stale; on a shared server only old ones.
 */
export async function dropStaleStaging(db: Db): Promise<number> {
  const result = await db.client.query({
    query: `SELECT name FROM system.tables
            WHERE database = currentDatabase() AND match(name, '^ingest_(stage|checked)_[0-9a-f]{16}$')
              AND metadata_modification_time < now() - toIntervalSecond({age:UInt32})`,
    query_params: { age: db.mode === 'embedded' ? 0 : 86_400 },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'dropStaleStaging' },
  })
  const stale = await result.json<{ name: string }>()
  for (const { name } of stale) {
    if (/^ingest_(stage|checked)_[0-9a-f]{16}$/.test(name)) {
      await db.client.command({ query: `DROP TABLE IF EXISTS ${name}` })
    }
  }
  return stale.length
}

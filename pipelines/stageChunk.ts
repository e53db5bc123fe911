import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { ClickHouseSettings } from '@clickhouse/client'
import type { Db } from '../server/db/createDb.ts'
import { quoteIdentifier } from './columnSql.ts'

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
 * One chunk of text into the staging table. A remote server receives it as a streamed INSERT. The embedded
 * engine reads it from a spooled file with file(): that parses in parallel at about half the CPU of handing
 * it the Buffer (rawInsert), and the file is in the page cache anyway.
 */
export async function stageText(
  db: Db,
  stage: string,
  columns: string[],
  format: 'CSVWithNames' | 'JSONEachRow',
  header: Buffer,
  body: Buffer,
  spoolDir: string | undefined,
): Promise<void> {
  const columnList = columns.map(quoteIdentifier).join(', ')
  if (db.mode === 'embedded') {
    await fromSpool(db, stage, columnList, format, Readable.from([header, body]), spoolDir, {})
    return
  }
  const result = await db.client.exec({
    query: `INSERT INTO ${stage} (${columnList}) FORMAT ${format}`,
    values: Readable.from([header, body], { objectMode: false }),
    clickhouse_settings: stageSettings,
  })
  result.stream.resume()
}

/** Writes the bytes to a temporary file and stages them from there with file(); the file is removed after. */
async function fromSpool(
  db: Db,
  stage: string,
  columns: string,
  format: string,
  body: Readable,
  spoolDir: string | undefined,
  settings: ClickHouseSettings,
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(spoolDir ?? os.tmpdir(), 'tillsight-spool-'))
  const file = path.join(dir, `body.${format.toLowerCase()}`)
  try {
    await fs.promises.writeFile(file, body)
    const structure = columns
      .split(', ')
      .map((c) => `${c} Nullable(String)`)
      .join(', ')
    await db.client.command({
      query: `INSERT INTO ${stage} (${columns})
              SELECT ${columns} FROM file({file:String}, ${format}, {structure:String})`,
      query_params: { file, structure },
      clickhouse_settings: { ...stageSettings, ...settings },
    })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Arrow and Parquet are not line-based: a remote server receives the bytes as one streamed INSERT; the
 * embedded engine reads them from a spooled file with file(), which it parses in parallel.
 */
export async function stageBinary(
  db: Db,
  stage: string,
  columns: string,
  format: string,
  body: AsyncIterable<Buffer>,
  spoolDir: string | undefined,
): Promise<void> {
  if (db.mode === 'remote') {
    const result = await db.client.exec({
      query: `INSERT INTO ${stage} (${columns}) FORMAT ${format}`,
      values: Readable.from(body, { objectMode: false }),
      clickhouse_settings: stageSettings,
    })
    result.stream.resume()
    return
  }
  await fromSpool(db, stage, columns, format, Readable.from(body, { objectMode: false }), spoolDir, {
    max_threads: 1,
  })
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

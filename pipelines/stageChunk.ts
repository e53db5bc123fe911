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
 * One chunk of text into the staging table: the embedded engine takes the Buffer as it is (rawInsert, parsed
 * in parallel without a string copy); a remote server receives it as a streamed INSERT.
 */
export async function stageText(
  db: Db,
  stage: string,
  columns: string[],
  format: 'CSVWithNames' | 'JSONEachRow',
  header: Buffer,
  body: Buffer,
): Promise<void> {
  // rawInsert takes plain identifiers only; names with spaces or units go through the client.
  if (db.chdb && columns.every((c) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(c))) {
    await db.chdb.rawInsert({
      table: stage,
      values: header.length > 0 ? Buffer.concat([header, body]) : body,
      format,
      columns,
      settings: stageSettings,
    })
    return
  }
  const result = await db.client.exec({
    query: `INSERT INTO ${stage} (${columns.map(quoteIdentifier).join(', ')}) FORMAT ${format}`,
    values: Readable.from([header, body], { objectMode: false }),
    clickhouse_settings: stageSettings,
  })
  result.stream.resume()
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
  const dir = fs.mkdtempSync(path.join(spoolDir ?? os.tmpdir(), 'tillsight-spool-'))
  const file = path.join(dir, `body.${format.toLowerCase()}`)
  try {
    await fs.promises.writeFile(file, Readable.from(body, { objectMode: false }))
    const structure = columns
      .split(', ')
      .map((c) => `${c} Nullable(String)`)
      .join(', ')
    await db.client.command({
      query: `INSERT INTO ${stage} (${columns})
              SELECT ${columns} FROM file({file:String}, ${format}, {structure:String})`,
      query_params: { file, structure },
      clickhouse_settings: { ...stageSettings, max_threads: 1 },
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

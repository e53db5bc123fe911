import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { BatchLedger, type IngestFormat, type IngestKind } from '../server/contract.ts'
import type { Db } from '../server/db/createDb.ts'
import { findBatch, writeLedger, type LedgerRow } from './batchLedger.ts'
import { mappedSelect, quoteIdentifier } from './columnSql.ts'
import { isoCurrencies } from './isoCurrencies.ts'
import { kinds } from './kinds/kinds.ts'
import { verdictColumns, type KindSpec } from './kinds/kindSpec.ts'
import { firstRecords, lineChunks } from './lineChunks.ts'
import { stageBinary, stageText } from './stageChunk.ts'
import type { Mapping } from './mapping.ts'
import { hmacPads } from './pseudonymKey.ts'
import { cardFieldSql, maskedRawSql, rawRowSql } from './rowChecks.ts'

/** Why a batch could not be (fully) loaded; the ledger of what was stored travels with it. */
export class BatchError extends Error {
  constructor(
    readonly status: 400 | 409 | 413,
    readonly code: 'malformed_stream' | 'batch_conflict' | 'too_large',
    message: string,
    readonly ledger: BatchLedger | undefined,
  ) {
    super(message)
  }
}

export interface Progress {
  bytes: number
  received: number
  inserted: number
  duplicates: number
  rejected: number
}

export interface BatchRequest {
  kind: IngestKind
  format: IngestFormat
  /** Where the rows came from, for the ledger: 'http', a file name, 'stdin'. */
  source: string
  body: AsyncIterable<Buffer>
  gzip: boolean
  mapping?: Mapping | undefined
  /** The idempotency key; a fresh id when omitted. */
  batchId?: string | undefined
  /** '' for an admin load, else the merchant the key belongs to. */
  scope: string
  /** Merchants the caller may load for; undefined = any (admin). */
  allowedMerchants: string[] | undefined
  maxBytes?: number | undefined
  onProgress?: ((progress: Progress) => void) | undefined
}

export interface PipelineOptions {
  db: Db
  pseudonymKey: string
  /**
   * Bytes of text per INSERT. Each chunk's check and insert cost a few hundred milliseconds of planning
   * whatever their size, so bigger is faster; smaller keeps memory (about 3-4 times this per running batch)
   * and the work redone after a crash small.
   */
  chunkBytes?: number
  /** Where Arrow/Parquet bodies are spooled for the embedded engine to read with file(). */
  spoolDir?: string
}

const formats = {
  csv: 'CSVWithNames',
  ndjson: 'JSONEachRow',
  arrow: 'ArrowStream',
  parquet: 'Parquet',
} as const satisfies Record<IngestFormat, string>

/** One at a time per engine: the duplicate check and the insert it guards must not interleave. */
const commitLocks = new WeakMap<Db, Promise<unknown>>()
async function exclusively<T>(db: Db, work: () => Promise<T>): Promise<T> {
  const previous = commitLocks.get(db) ?? Promise.resolve()
  const run = previous.then(work, work)
  commitLocks.set(
    db,
    run.catch(() => undefined),
  )
  return run
}

export function createPipeline({ db, pseudonymKey, chunkBytes = 64 << 20, spoolDir }: PipelineOptions) {
  const pads = hmacPads(pseudonymKey)

  async function run(request: BatchRequest): Promise<BatchLedger> {
    const spec: KindSpec = kinds[request.kind]
    const batchId = request.batchId ?? `b_${Date.now().toString(36)}_${randomBytes(6).toString('hex')}`
    const hash = createHash('sha256')
    let bytes = 0
    const counted = countBytes(request, hash, (n) => (bytes = n))

    const previous = await findBatch(db, request.scope, batchId)
    if (previous && previous.status === 'done') {
      // The batch is complete: only the content decides whether this is a replay or a conflict.
      for await (const piece of counted) void piece
      if (previous.kind === request.kind && previous.contentHash === hash.digest('hex')) {
        return BatchLedger.parse(previous)
      }
      throw new BatchError(
        409,
        'batch_conflict',
        `batch ${batchId} was already loaded with different content; use a new Idempotency-Key`,
        previous,
      )
    }

    const ledger: LedgerRow = {
      scope: request.scope,
      batchId,
      kind: request.kind,
      format: request.format,
      source: request.source.slice(0, 500),
      contentHash: '',
      status: 'running',
      received: 0,
      inserted: 0,
      duplicates: 0,
      rejected: 0,
      error: '',
      startedAt: new Date(),
      finishedAt: null,
    }
    await writeLedger(db, ledger)

    const mapped = mappedSelect(spec.canonical, request.mapping)
    const suffix = randomBytes(8).toString('hex')
    const stage = `ingest_stage_${suffix}`
    const checked = `ingest_checked_${suffix}`
    const stageColumns = mapped.stageColumns.map((c) => `${quoteIdentifier(c)} Nullable(String)`)
    // _row numbers the rows of one INSERT in arrival order (rowNumberInAllBlocks restarts per statement).
    await db.client.command({
      query: `CREATE TABLE ${stage} (${[...stageColumns, '_row UInt64 DEFAULT rowNumberInAllBlocks()'].join(', ')}) ENGINE = Memory`,
    })
    const checkedColumns = { ...spec.columns, ...verdictColumns }
    await db.client.command({
      query: `CREATE TABLE ${checked} (${Object.entries(checkedColumns)
        .map(([name, type]) => `${name} ${type}`)
        .join(', ')}) ENGINE = Memory`,
    })

    const staged = mapped.stageColumns.map((name, i) => ({ sql: quoteIdentifier(name), nameParam: `s${i}` }))
    const params: Record<string, unknown> = {
      ...mapped.params,
      ...Object.fromEntries(staged.map((s, i) => [s.nameParam, mapped.stageColumns[i]])),
      ipad: pads.ipad,
      opad: pads.opad,
      restricted: request.allowedMerchants !== undefined,
      allowed: request.allowedMerchants ?? [],
      currencies: isoCurrencies,
      batchId,
      scope: request.scope,
    }
    const mappedSql = (card = true) => `
      SELECT {base:UInt64} + _row AS _line,
        ${spec.canonical.map((c) => `${mapped.expressions[c]} AS ${c}`).join(',\n        ')},
        ${card ? cardFieldSql(staged) : "''"} AS _card
      FROM ${stage}`

    /** Checks, deduplicates and stores what is staged; rows of the stage are lines first..first+n-1. */
    const commit = (firstLine: number) =>
      exclusively(db, async () => {
        await spec.check({
          db,
          checked,
          mapped: mappedSql(),
          mappedWithoutCards: mappedSql(false),
          params: { ...params, base: firstLine },
          fallbackZone: request.mapping?.timezone ?? '',
        })
        const key = spec.key.join(', ')
        // Usually nothing in a chunk is stored already and no key repeats within it: then every good row is
        // new and the insert needs neither the anti-join nor the first-wins sort. Otherwise both, exactly.
        // Distinct key hashes prove distinct keys, and no stored key hash among the chunk's proves nothing is
        // stored; a hash collision only sends the chunk down the exact path.
        const overview = await db.client.query({
          query: `SELECT count() AS received, countIf(_reason != '') AS rejected, countIf(_reason = '') AS good,
                    uniqExactIf(cityHash64(${key}), _reason = '') AS distinctGood,
                    countIf(_reason = '' AND ${spec.mayBeStored?.(checked) ?? `(${key}) IN (${spec.existing(checked)})`}) AS stored
                  FROM ${checked}`,
          format: 'JSONEachRow',
          clickhouse_settings: { log_comment: 'ingestCounts' },
        })
        const [shape] = await overview.json<{
          received: number
          rejected: number
          good: number
          distinctGood: number
          stored: number
        }>()
        const simple = shape !== undefined && shape.stored === 0 && shape.distinctGood === shape.good
        const fresh = (from = checked) =>
          simple
            ? `FROM ${from} WHERE _reason = ''`
            : `FROM ${from} WHERE _reason = '' AND (${key}) NOT IN (${spec.existing(checked)})
             ORDER BY _line LIMIT 1 BY ${key}`
        let inserted = shape?.good ?? 0
        if (!simple) {
          const exact = await db.client.query({
            query: `SELECT count() AS inserted FROM (SELECT _line ${fresh()})`,
            format: 'JSONEachRow',
            clickhouse_settings: { log_comment: 'ingestCounts' },
          })
          inserted = (await exact.json<{ inserted: number }>())[0]?.inserted ?? 0
        }
        const count = { received: shape?.received ?? 0, rejected: shape?.rejected ?? 0, inserted }
        if (count.rejected > 0) {
          // The raw text is rebuilt from the staged columns for the rejected lines only.
          await db.client.command({
            query: `INSERT INTO ingest_rejects (scope, batch_id, line_no, merchant_id, reason, field, message, raw)
                    SELECT {scope:String}, {batchId:String}, c._line, c._merchant, c._reason, c._field, c._message,
                           if(c._reason = 'card_number', ${maskedRawSql('r._raw')}, r._raw)
                    FROM ${checked} AS c
                    INNER JOIN (
                      SELECT {base:UInt64} + _row AS _line, ${rawRowSql(staged)} AS _raw FROM ${stage}
                      WHERE {base:UInt64} + _row IN (SELECT _line FROM ${checked} WHERE _reason != '')
                    ) AS r ON r._line = c._line
                    WHERE c._reason != ''`,
            query_params: { ...params, base: firstLine },
            clickhouse_settings: { log_comment: 'ingestRejects' },
          })
        }
        const columns = Object.keys(spec.columns)
        const withBatch = spec.target === 'stores' ? columns : [...columns, 'batch_id']
        const added = (await spec.prepareInsert?.({ db, checked })) ?? { columns: [], from: checked }
        await db.client.command({
          query: `INSERT INTO ${spec.target} (${[...withBatch, ...added.columns].join(', ')})
                  SELECT ${columns.join(', ')}${spec.target === 'stores' ? '' : ', {batchId:String}'}
                         ${added.columns.map((c) => `, ${c}`).join('')} ${fresh(added.from)}`,
          query_params: params,
          clickhouse_settings: { log_comment: `ingestInsert_${spec.kind}` },
        })
        await db.client.command({ query: `TRUNCATE TABLE ${stage}` })
        await db.client.command({ query: `TRUNCATE TABLE ${checked}` })
        const { received, rejected } = count
        ledger.received += received
        ledger.rejected += rejected
        ledger.inserted += inserted
        ledger.duplicates += received - rejected - inserted
        // The running ledger shows progress; after a crash it shows what was committed before it.
        await writeLedger(db, ledger)
        return received
      })

    const report = () =>
      request.onProgress?.({
        bytes,
        received: ledger.received,
        inserted: ledger.inserted,
        duplicates: ledger.duplicates,
        rejected: ledger.rejected,
      })

    let nextLine = request.format === 'csv' ? 2 : 1
    try {
      if (request.mapping?.stores) await upsertPresetStores(db, request)
      if (request.format === 'csv' || request.format === 'ndjson') {
        const csv = request.format === 'csv'
        const textFormat = csv ? 'CSVWithNames' : 'JSONEachRow'
        for await (const chunk of lineChunks(counted, request.format, chunkBytes)) {
          try {
            await stageText(db, stage, mapped.stageColumns, textFormat, chunk.header, chunk.body, spoolDir)
          } catch (err) {
            const row = /\(at row (\d+)\)/.exec(err instanceof Error ? err.message : '')?.[1]
            if (!row) throw err
            // Everything before the broken record is good: store it, then stop at the record.
            const good = firstRecords(chunk.body, Number(row) - 1, csv)
            if (good.length > 0) {
              await db.client.command({ query: `TRUNCATE TABLE ${stage}` })
              await stageText(db, stage, mapped.stageColumns, textFormat, chunk.header, good, spoolDir)
              nextLine += await commit(nextLine)
            }
            throw new MalformedStream(`line ${nextLine}: ${firstLine(err)}`)
          }
          nextLine += await commit(nextLine)
          report()
        }
      } else {
        await stageBinary(db, stage, mapped.stageColumns, formats[request.format], counted, spoolDir)
        await commit(1)
      }
      ledger.contentHash = hash.digest('hex')
      ledger.status = 'done'
      ledger.finishedAt = new Date()
      await writeLedger(db, ledger)
      report()
    } catch (err) {
      ledger.status = 'failed'
      ledger.error = describe(err, nextLine)
      ledger.finishedAt = new Date()
      await writeLedger(db, ledger)
      const result = (await findBatch(db, request.scope, batchId)) ?? undefined
      if (err instanceof TooLarge) throw new BatchError(413, 'too_large', ledger.error, result)
      throw new BatchError(400, 'malformed_stream', `batch ${batchId}: ${ledger.error}`, result)
    } finally {
      await db.client.command({ query: `DROP TABLE IF EXISTS ${stage}` })
      await db.client.command({ query: `DROP TABLE IF EXISTS ${checked}` })
    }
    const done = await findBatch(db, request.scope, batchId)
    if (!done) throw new Error(`ledger of batch ${batchId} was not stored`)
    return BatchLedger.parse(done)
  }

  return { run }
}
export type Pipeline = ReturnType<typeof createPipeline>

class MalformedStream extends Error {}
class TooLarge extends Error {}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return (text.split('\n')[0] ?? text).replace(/:\s*$/, '').slice(0, 300)
}

function describe(err: unknown, nextLine: number): string {
  if (err instanceof MalformedStream || err instanceof TooLarge) return err.message
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || code === 'Z_STREAM_ERROR') {
    return `the gzip stream is truncated or corrupt after line ${nextLine - 1}: ${firstLine(err)}`
  }
  if (
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    (err as Error).message === 'aborted'
  ) {
    return `the stream ended early after line ${nextLine - 1}`
  }
  return `line ${nextLine} or later: ${firstLine(err)}`
}

/** Decompresses when asked, hashes and counts bytes, and stops at the size limit. */
async function* countBytes(
  request: BatchRequest,
  hash: ReturnType<typeof createHash>,
  onBytes: (n: number) => void,
): AsyncGenerator<Buffer> {
  let source: AsyncIterable<Buffer> = request.body
  if (request.gzip) {
    const gunzip = createGunzip()
    const input = Readable.from(request.body, { objectMode: false })
    input.on('error', (err) => gunzip.destroy(err))
    source = input.pipe(gunzip)
  }
  let bytes = 0
  for await (const piece of source) {
    const buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece)
    bytes += buf.length
    if (request.maxBytes !== undefined && bytes > request.maxBytes) {
      throw new TooLarge(`the body is larger than the limit of ${request.maxBytes} bytes`)
    }
    hash.update(buf)
    onBytes(bytes)
    yield buf
  }
}

/** Stores a preset declares are upserted (when missing or changed) before its rows are checked. */
async function upsertPresetStores(db: Db, request: BatchRequest): Promise<void> {
  const merchant = request.mapping?.columns.merchant_id
  if (!request.mapping?.stores || !merchant || typeof merchant === 'string' || !('constant' in merchant))
    return
  const merchantId = merchant.constant
  if (request.allowedMerchants && !request.allowedMerchants.includes(merchantId)) return
  const rows = request.mapping.stores.map((s) => ({ merchant_id: merchantId, ...s }))
  await db.client.command({
    query: `INSERT INTO stores (merchant_id, store_id, name, lat, lon, timezone, country, city, currency)
            SELECT * FROM format(JSONEachRow,
              'merchant_id String, store_id String, name String, lat Float64, lon Float64, timezone String, country String, city String, currency String',
              {rows:String})
            WHERE (merchant_id, store_id, name, lat, lon, timezone, country, city, currency) NOT IN (
              SELECT merchant_id, store_id, name, lat, lon, timezone, country, city, currency
              FROM stores FINAL WHERE merchant_id = {merchantId:String})`,
    query_params: { rows: rows.map((r) => JSON.stringify(r)).join('\n'), merchantId },
    clickhouse_settings: { log_comment: 'upsertPresetStores' },
  })
}

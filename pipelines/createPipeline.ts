import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { BatchLedger, type IngestFormat, type IngestKind } from '../server/contract.ts'
import { exclusively } from '../server/db/commitLock.ts'
import { compiledStatement, rollupInsert, type Db } from '../server/db/createDb.ts'
import { closeMarks, repairDerived } from '../server/db/derivedRepairs.ts'
import { memoryTableSql } from '../server/db/memoryTable.ts'
import { findBatch, ledgerOf, writeLedger, type LedgerRow } from './batchLedger.ts'
import { mappedSelect, quoteIdentifier } from './columnSql.ts'
import { isoCurrencies } from '../server/contract/isoCurrencies.ts'
import { kinds } from './kinds/kinds.ts'
import { verdictColumns, type KindSpec } from './kinds/kindSpec.ts'
import { firstRecords, LineTooLong, lineParts, type TextLimits } from './lineChunks.ts'
import { readAhead } from './readAhead.ts'
import { engineFormats, spoolChunks, stageBinary, stageText } from './stageChunk.ts'
import type { Mapping } from './mapping.ts'
import { hmacPads } from './pseudonymKey.ts'
import { cardColumnSql, maskedRawSql, rawRowSql } from './rowChecks.ts'

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
   * Bytes of text per INSERT. Each chunk's check and insert have a fixed cost, and every insert makes
   * parts in transactions and each rollup that background merges must combine, so bigger is faster (256
   * MiB against 64 MiB: NDJSON over HTTP 294-316k against 195-211k rows/s in docs/benchmarks.md). Smaller
   * keeps memory (about ten times this per running text batch at its peak: a chunk read ahead, one
   * being staged, two stages and two checked tables; a 256 MiB batch alone peaked at 1.7 GB) and the work
   * redone after a crash small: the default, 64 MiB, keeps a server with INGEST_CONCURRENCY batches under
   * 2 GB (docs/ingestion.md, "Memory"). Arrow and Parquet bodies are staged whole on disk whatever this is
   * (bounded by the request's maxBytes) and held in memory a slice (sliceRows) at a time.
   */
  chunkBytes?: number
  /**
   * Where the embedded engine's chunks are spooled to be read with file(); the system temp dir when omitted.
   * A remote server reads nothing of ours: its chunks travel in the request body and nothing is spooled.
   */
  spoolDir?: string | undefined
  /**
   * Arrow and Parquet rows per check and insert. Each slice pays the statements' fixed costs and leaves a
   * part in transactions and every rollup, which reads right after a load must unite until merges catch
   * up. Measured in-process on the bench's 10M-line Parquet body (2026-12-01, idle machine): 95 and 109 s
   * with 1,000,000 against 113 and 113 s with 250,000 (500,000: 103 s; 2,000,000: 95 s, peak memory
   * +0.5 GB), later 88 against 97 s, leaving 21-23 active parts in transactions and each rollup against
   * 51-53; the whole load's peak resident memory was 3.0-3.2 GB either way. On a 1M-line body, one slice
   * (no check beside an insert) took 11.1-13.2 s against 12.0-13.3 with four: no difference.
   */
  sliceRows?: number
  /** Limits on what a client sends; each has a setting in server/config.ts (defaults as there). */
  limits?: InputLimits
}

/** Longest field (characters; longer rows are quarantined as field_too_long), line and CSV header. */
export interface InputLimits extends TextLimits {
  fieldChars: number
}
export const defaultInputLimits: InputLimits = { fieldChars: 500, lineBytes: 4 << 20, columns: 1000 }

/** INGEST_CHUNK_BYTES's default (server/config.ts says why this size). */
export const defaultChunkBytes = 64 << 20

export function createPipeline({
  db,
  pseudonymKey,
  chunkBytes = defaultChunkBytes,
  spoolDir,
  sliceRows = 1_000_000,
  limits = defaultInputLimits,
}: PipelineOptions) {
  const pads = hmacPads(pseudonymKey)
  const slotTables = createSlotTables(db)

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
    // Marks of the derived state this run's inserts touch (derivedRepairs.ts); open until the run ends.
    const runId = `${batchId}:${randomBytes(6).toString('hex')}`
    let marksOpen = false

    const mapped = mappedSelect(spec.canonical, request.mapping)
    // The batch's spooled chunks (embedded engine only) live here, and go with it whatever happens.
    const batchSpool =
      db.mode === 'embedded'
        ? fs.mkdtempSync(path.join(spoolDir ?? os.tmpdir(), 'tillsight-batch-'))
        : undefined
    // Two slots, each a stage and a checked table: the next chunk is staged and checked while the one
    // before it is stored.
    // An Arrow or Parquet body is staged whole, however large, so its stage is on disk (see createSlotTables).
    const slots = await slotTables.take(
      spec,
      mapped.stageColumns,
      request.format === 'arrow' || request.format === 'parquet',
    )
    let slotsClean = false

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
      maxFieldChars: limits.fieldChars,
    }
    // The staged column holding a card number, by name (the stage's _card_column numbers it).
    const cardNameSql =
      staged.length === 0
        ? "''"
        : `if(_card_column = 0, '', arrayElement([${staged.map((s) => `{${s.nameParam}:String}`).join(', ')}], _card_column))`
    const mappedSql = (stage: string, card = true) => `
      SELECT {base:UInt64} + _row AS _line,
        ${spec.canonical.map((c) => `${mapped.expressions[c]} AS ${c}`).join(',\n        ')},
        ${card ? cardNameSql : "''"} AS _card
      FROM ${stage}
      WHERE _row >= {rowsFrom:UInt64} AND _row < {rowsTo:UInt64}`

    const key = spec.key.join(', ')

    /** Checks a part of what is staged into the part's checked table, and counts its verdicts. */
    const check = async (part: Part): Promise<PartCounts> => {
      await spec.check({
        db,
        checked: part.checked,
        mapped: mappedSql(part.stage),
        mappedWithoutCards: mappedSql(part.stage, false),
        params: { ...params, ...partParams(part) },
        fallbackZone: request.mapping?.timezone ?? '',
      })
      const result = await db.client.query({
        query: `SELECT count() AS received, countIf(_reason != '') AS rejected, countIf(_reason = '') AS good,
                  uniqExactIf(cityHash64(${key}), _reason = '') AS distinctGood
                FROM ${part.checked}`,
        format: 'JSONEachRow',
        clickhouse_settings: { log_comment: 'ingestCounts' },
      })
      const [counts] = await result.json<PartCounts>()
      if (!counts) throw new Error('counting a checked part returned no row')
      return counts
    }

    /**
     * Deduplicates and stores a checked part, then empties its checked table. The check needs no lock; the
     * duplicate look-up and the insert it guards run one part at a time per engine.
     */
    const store = (part: Part, shape: PartCounts) =>
      exclusively(db, async () => {
        try {
          return await storeLocked(part, shape)
        } catch (err) {
          // An insert that failed may have written the lines and some rollups but not others: rebuild
          // the months this run marked before the next insert takes its turn. If that fails too, the
          // marks stay open for the next start.
          await repairDerived(db, { runId }).catch(() => (marksOpen = true))
          throw err
        }
      })

    const storeLocked = async ({ stage, checked, scratch, ...lines }: Part, shape: PartCounts) => {
      // Usually nothing in a chunk is stored already and no key repeats within it: then every good row is
      // new and the insert needs neither the anti-join nor the first-wins sort. Otherwise both, exactly.
      // Distinct key hashes prove distinct keys, and no stored key hash among the chunk's proves nothing is
      // stored; a hash collision only sends the chunk down the exact path.
      const storedQuery = db.client.query({
        query:
          spec.storedMatches?.(checked) ??
          `SELECT count() AS n FROM ${checked} WHERE _reason = '' AND (${key}) IN (${spec.existing(checked)})`,
        format: 'JSONEachRow',
        clickhouse_settings: { log_comment: 'ingestStoredKeys' },
      })
      const matches = (await (await storedQuery).json<Record<string, number>>())[0] ?? {}
      const simple = (matches.n ?? 0) === 0 && shape.distinctGood === shape.good
      const fresh = (from: string) =>
        simple
          ? `FROM ${from} WHERE _reason = ''`
          : `FROM ${from} WHERE _reason = '' AND (${key}) NOT IN (${spec.existing(checked)})
             ORDER BY _line LIMIT 1 BY ${key}`
      const keepFresh = (from: string) => `(SELECT * ${fresh(from)})`
      let inserted = shape.good
      if (!simple) {
        const exact = await db.client.query({
          query: `SELECT count() AS inserted FROM (SELECT _line ${fresh(checked)})`,
          format: 'JSONEachRow',
          clickhouse_settings: { log_comment: 'ingestCounts' },
        })
        inserted = (await exact.json<{ inserted: number }>())[0]?.inserted ?? 0
      }
      const count = { received: shape.received, rejected: shape.rejected, inserted }
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
          query_params: { ...params, ...partParams(lines) },
          clickhouse_settings: { log_comment: 'ingestRejects' },
        })
      }
      const columns = Object.keys(spec.columns)
      const withBatch = spec.target === 'stores' ? columns : [...columns, 'batch_id']
      const added = (await spec.prepareInsert?.({ db, checked, scratch, runId, matches, keepFresh })) ?? {
        columns: [],
        from: keepFresh(checked),
      }
      // No bound parameters (the batch id comes from the checked rows): the embedded engine runs
      // parameterised statements one at a time process-wide, and this, the longest statement of a
      // part, should run beside the next part's staging and check.
      await db.client.command({
        query: `INSERT INTO ${spec.target} (${[...withBatch, ...added.columns].join(', ')})
                  SELECT ${columns.join(', ')}${spec.target === 'stores' ? '' : ', _batch'}
                         ${added.columns.map((c) => `, ${c}`).join('')} FROM ${added.from}`,
        clickhouse_settings: {
          ...compiledStatement,
          ...rollupInsert,
          log_comment: `ingestInsert_${spec.kind}`,
        },
      })
      // The insert wrote its lines and every rollup: the months it marked need no rebuild now. Closed per
      // insert, not per batch, so a large body killed late rebuilds the months of its last slice only
      // (a run's marks are versions of one key: the next insert's mark opens a month again).
      if (spec.prepareInsert) await closeMarks(db, runId)
      await db.client.command({ query: `TRUNCATE TABLE ${checked}` })
      const { received, rejected } = count
      ledger.received += received
      ledger.rejected += rejected
      ledger.inserted += inserted
      ledger.duplicates += received - rejected - inserted
      // The running ledger shows progress; after a crash it shows what was committed before it.
      await writeLedger(db, ledger)
      return received
    }

    /**
     * Checks and stores parts in order. A part is checked as soon as it is staged, beside the storing of
     * the part before it; the next part is pulled (read and staged) once the part before that is stored,
     * so its tables are free again.
     */
    const commitInOrder = async (parts: AsyncIterable<Part>) => {
      for await (const part of parts) {
        const previous = committing
        const checking = check(part)
        committing = Promise.allSettled([previous, checking]).then(async ([before, own]) => {
          // Settled both ways first: a failure must not drop the tables under work still running.
          if (before.status === 'rejected') throw before.reason
          if (own.status === 'rejected') throw own.reason
          await store(part, own.value)
          report()
        })
        // Awaited in turn below or when the batch ends; never left unobserved meanwhile.
        committing.catch(() => undefined)
        await previous
      }
      await committing
    }

    /** Text chunks staged in turn into the two slots; a broken record ends them after its good lines. */
    async function* textParts(format: 'csv' | 'ndjson'): AsyncGenerator<Part> {
      const csv = format === 'csv'
      const textFormat = engineFormats[format]
      let slot = 0
      const chunks = spoolChunks(lineParts(counted, format, chunkBytes, limits), textFormat, batchSpool)
      for await (const chunk of readAhead(chunks)) {
        const { stage, checked, scratch } = slots[slot] ?? slots[0]
        slot = 1 - slot
        await db.client.command({ query: `TRUNCATE TABLE ${stage}` })
        let broken: unknown
        try {
          await stageText(db, stage, mapped.stageColumns, textFormat, chunk, batchSpool)
        } catch (err) {
          const row = /\(at row (\d+)\)/.exec(err instanceof Error ? err.message : '')?.[1]
          if (!row) throw err
          // Everything before the broken record is good: store it, then stop at the record.
          broken = err
          await db.client.command({ query: `TRUNCATE TABLE ${stage}` })
          const good = firstRecords(Buffer.concat(chunk.body), Number(row) - 1, csv)
          if (good.length > 0) {
            await stageText(
              db,
              stage,
              mapped.stageColumns,
              textFormat,
              { header: chunk.header, body: [good] },
              batchSpool,
            )
          }
        }
        const rows = await stagedRows(db, stage)
        const base = nextLine
        nextLine += rows
        if (rows > 0) yield { stage, checked, scratch, base, rowsFrom: 0, rowsTo: rows }
        if (broken) throw new MalformedStream(`line ${nextLine}: ${firstLineOf(broken)}`)
      }
    }

    /** An Arrow or Parquet body, staged whole (on disk), then checked and stored in slices of its rows. */
    async function* binaryParts(format: 'arrow' | 'parquet'): AsyncGenerator<Part> {
      const { stage } = slots[0]
      await stageBinary(db, stage, mapped.stageColumns, engineFormats[format], counted, batchSpool)
      const rows = await stagedRows(db, stage)
      for (let from = 0, slot = 0; from < rows; from += sliceRows, slot = 1 - slot) {
        const { checked, scratch } = slots[slot] ?? slots[0]
        yield { stage, checked, scratch, base: 1, rowsFrom: from, rowsTo: Math.min(rows, from + sliceRows) }
      }
      nextLine = rows + 1
    }

    const report = () =>
      request.onProgress?.({
        bytes,
        received: ledger.received,
        inserted: ledger.inserted,
        duplicates: ledger.duplicates,
        rejected: ledger.rejected,
      })

    let nextLine = request.format === 'csv' ? 2 : 1
    // The part being stored (parts are stored in order, one at a time); its failure ends the batch.
    let committing: Promise<void> = Promise.resolve()
    try {
      if (request.mapping?.stores) await upsertPresetStores(db, request)
      await commitInOrder(
        request.format === 'csv' || request.format === 'ndjson'
          ? textParts(request.format)
          : binaryParts(request.format),
      )
      ledger.contentHash = hash.digest('hex')
      ledger.status = 'done'
      ledger.finishedAt = new Date()
      await writeLedger(db, ledger)
      report()
      slotsClean = true
    } catch (thrown) {
      // A failed commit outranks what stopped the reading after it; the ledger counts what was committed.
      const err = await committing.then(
        () => thrown,
        (failed: unknown) => failed,
      )
      // Every insert either completed or was repaired (or left its marks for the next start).
      if (!marksOpen) await closeMarks(db, runId).catch(() => undefined)
      ledger.status = 'failed'
      ledger.error = describe(err, nextLine)
      ledger.finishedAt = new Date()
      await writeLedger(db, ledger)
      const result = ledgerOf(ledger)
      if (err instanceof TooLarge) throw new BatchError(413, 'too_large', ledger.error, result)
      throw new BatchError(400, 'malformed_stream', `batch ${batchId}: ${ledger.error}`, result)
    } finally {
      await slotTables.give(slots, slotsClean)
      if (batchSpool) fs.rmSync(batchSpool, { recursive: true, force: true })
    }
    return ledgerOf(ledger)
  }

  return { run }
}
export type Pipeline = ReturnType<typeof createPipeline>

interface Slot {
  stage: string
  checked: string
  /** The kind's scratch table (KindSpec.scratchColumns), when it has one. */
  scratch?: string | undefined
}

/**
 * The Memory tables of the batches' slots. Creating and dropping four tables cost every batch about 40 ms
 * (more on a busy engine), so the embedded engine keeps the tables of finished batches, emptied, for the
 * next batch of the same kind and staged columns; a crash leaves them to dropStaleStaging at the next start.
 * A remote server's are dropped with their batch: dropStaleStaging on another server sharing it drops
 * tables older than a day, which kept tables of a long-running server would be.
 */
function createSlotTables(db: Db) {
  const idle = new Map<string, [Slot, Slot][]>()
  const shapes = new WeakMap<[Slot, Slot], string>()
  const shapeOf = (spec: KindSpec, stageColumns: readonly string[], onDisk: boolean) =>
    JSON.stringify([spec.kind, stageColumns, onDisk])

  /**
   * A text chunk is staged in memory (it is at most chunkBytes); a whole Arrow or Parquet body `onDisk`,
   * sorted by _row so that each slice reads only its rows.
   */
  async function create(
    spec: KindSpec,
    stageColumns: readonly string[],
    onDisk: boolean,
  ): Promise<[Slot, Slot]> {
    const stageDefinition = [
      ...stageColumns.map((c) => `${quoteIdentifier(c)} Nullable(String)`),
      // _row numbers the rows of one INSERT in arrival order (rowNumberInAllBlocks restarts per statement).
      '_row UInt64 DEFAULT rowNumberInAllBlocks()',
      // The first column holding a full card number (from 1; 0 for none), found as the rows are staged.
      `_card_column UInt8 DEFAULT ${cardColumnSql(stageColumns.map(quoteIdentifier))}`,
    ].join(', ')
    const { scratchColumns } = spec
    const slots = [0, 1].map(() => {
      const suffix = randomBytes(8).toString('hex')
      return {
        stage: `ingest_stage_${suffix}`,
        checked: `ingest_checked_${suffix}`,
        scratch: scratchColumns && `ingest_scratch_${suffix}`,
      }
    }) as [Slot, Slot]
    for (const { stage, checked, scratch } of slots) {
      await db.client.command({
        query: `CREATE TABLE ${stage} (${stageDefinition}) ENGINE = ${onDisk ? 'MergeTree ORDER BY _row' : 'Memory'}`,
      })
      await db.client.command({ query: memoryTableSql(checked, { ...spec.columns, ...verdictColumns }) })
      if (scratch && scratchColumns)
        await db.client.command({ query: memoryTableSql(scratch, scratchColumns) })
    }
    return slots
  }

  return {
    async take(spec: KindSpec, stageColumns: readonly string[], onDisk: boolean): Promise<[Slot, Slot]> {
      const shape = shapeOf(spec, stageColumns, onDisk)
      const slots = idle.get(shape)?.pop() ?? (await create(spec, stageColumns, onDisk))
      shapes.set(slots, shape)
      return slots
    },
    /** Empties a batch's tables (checked tables are emptied as their parts are stored: `clean`) for reuse. */
    async give(slots: [Slot, Slot], clean: boolean): Promise<void> {
      const shape = shapes.get(slots)
      const tables = slots.flatMap((s) => (clean ? [s.stage] : [s.stage, s.checked]))
      if (db.mode === 'embedded' && shape !== undefined) {
        for (const table of tables) await db.client.command({ query: `TRUNCATE TABLE ${table}` })
        idle.set(shape, [...(idle.get(shape) ?? []), slots])
        return
      }
      for (const table of slots.flatMap((s) => [s.stage, s.checked, ...(s.scratch ? [s.scratch] : [])])) {
        await db.client.command({ query: `DROP TABLE IF EXISTS ${table}` })
      }
    },
  }
}

/** Staged rows rowsFrom..rowsTo-1 (of the stage's _row), which are lines base + _row. */
interface Part extends Slot {
  base: number
  rowsFrom: number
  rowsTo: number
}

interface PartCounts {
  received: number
  rejected: number
  good: number
  /** Distinct key hashes among the good rows: equal to good proves no key repeats within the part. */
  distinctGood: number
}

function partParams(part: Omit<Part, keyof Slot>): Record<string, number> {
  return { base: part.base, rowsFrom: part.rowsFrom, rowsTo: part.rowsTo }
}

class MalformedStream extends Error {}
class TooLarge extends Error {}

function firstLineOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return (text.split('\n')[0] ?? text).replace(/:\s*$/, '').slice(0, 300)
}

function describe(err: unknown, nextLine: number): string {
  if (err instanceof MalformedStream || err instanceof TooLarge) return err.message
  // The records before the long line were staged, so nextLine is the long line's own (the header is line 1).
  if (err instanceof LineTooLong) return `line ${err.header ? 1 : nextLine}: ${err.message}`
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || code === 'Z_STREAM_ERROR') {
    return `the gzip stream is truncated or corrupt after line ${nextLine - 1}: ${firstLineOf(err)}`
  }
  if (
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    (err as Error).message === 'aborted'
  ) {
    return `the stream ended early after line ${nextLine - 1}`
  }
  return `line ${nextLine} or later: ${firstLineOf(err)}`
}

async function stagedRows(db: Db, stage: string): Promise<number> {
  const result = await db.client.query({
    query: `SELECT count() AS n FROM ${stage}`,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'ingestStagedRows' },
  })
  return (await result.json<{ n: number }>())[0]?.n ?? 0
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

import type { IngestKind } from '../../server/contract.ts'
import type { Db } from '../../server/db/createDb.ts'

/** What a kind's checks need besides the mapped rows. */
export interface CheckContext {
  db: Db
  /** Memory table the verdicts go to (columns: checkedColumns plus the common verdict columns). */
  checked: string
  /** SELECT over the staging table: _line, the canonical columns (Nullable(String)), _card. */
  mapped: string
  /** The same without the card-number scan (_card = ''), for questions that only need a few columns. */
  mappedWithoutCards: string
  params: Record<string, unknown>
  /** Zone of local times whose store is unknown ('' = such times are rejected). */
  fallbackZone: string
}

/**
 * One kind of data: its canonical columns, how a staged row is checked and typed (in SQL), and the key
 * that makes loading it idempotent (rows whose key is already stored count as duplicates).
 */
export interface KindSpec {
  kind: IngestKind
  canonical: readonly string[]
  /** Typed columns of the checked table, in target order: name -> ClickHouse type. */
  columns: Readonly<Record<string, string>>
  target: string
  key: readonly string[]
  /** Merchant-scoped data (merchant keys may load their own); otherwise shared reference data (admin). */
  merchantScoped: boolean
  /** Fills ctx.checked from ctx.mapped: typed values plus _line, _merchant, _reason, _field, _message, _batch. */
  check(ctx: CheckContext): Promise<void>
  /** SELECT of the key tuples already stored that the checked rows could collide with. */
  existing(checked: string): string
  /**
   * A cheaper look-up: SELECT count() AS n of stored rows that may share a key with a good checked row (it
   * may count rows that do not). When it finds none, nothing of the chunk is stored and the exact look-up
   * is skipped. It should build its set from the chunk and scan the stored side, not the other way round:
   * the stored side grows with every load. Other counts of the same row (the same scan answering more
   * questions) reach prepareInsert as `matches`.
   */
  storedMatches?(checked: string): string
  /**
   * Runs in the commit lock after the check, before the insert, for kinds whose insert needs more than
   * the checked columns: it may store what those need (transactions number their new customers) and
   * answers the columns it adds and the table expression to insert from: `keepFresh(table)` keeps the
   * rows of a table expression (the checked table's columns plus others) that the insert stores (good,
   * key not yet stored, each key once); the kind may add columns before or after it. Kinds with derived state mark
   * what the insert will touch under `runId` (derivedRepairs.ts): the pipeline closes the marks when the
   * batch ends, or rebuilds the marked months when an insert fails.
   */
  prepareInsert?(ctx: {
    db: Db
    checked: string
    /** The slot's Memory table of scratchColumns (undefined when the kind has none). */
    scratch: string | undefined
    runId: string
    matches: Readonly<Record<string, number>>
    keepFresh(table: string): string
  }): Promise<{ columns: readonly string[]; from: string }>
  /** Columns of a Memory table beside each checked table, for prepareInsert's own use (ctx.scratch). */
  scratchColumns?: Readonly<Record<string, string>>
}

/** Verdict columns every checked table has besides the kind's own. */
export const verdictColumns = {
  _line: 'UInt64',
  _merchant: 'String',
  _reason: 'String',
  _field: 'String',
  _message: 'String',
  /** The batch id, so the insert needs no bound parameter (see createPipeline). */
  _batch: 'String',
} as const

import { TupleParam } from '@clickhouse/client'
import type { Db } from './createDb.ts'

/**
 * Basket flags (migration 0130): of the stored lines of one basket (merchant_id, store_id, transaction_id,
 * status) exactly one has basket_first = 1, and of those of one basket and product (… product_id) exactly
 * one has product_first = 1, so the baskets of any set of whole baskets are sum(basket_first). Every
 * insert into transactions sets them here, against the lines already stored; it must run where no other
 * insert can slip in between (the ingest pipeline's commit lock; the demo loader and fixtures run alone).
 *
 * Status is part of the basket because reports count completed lines only: a basket whose first line was
 * refunded still counts once among its completed lines, whichever of them arrives first.
 */

const basket = 'merchant_id, store_id, transaction_id, toString(status)'

/** A hash of the basket without the merchant, stored with each line as basket_hash (migration 0130). */
const basketHashSql = 'cityHash64(store_id, transaction_id)'

/**
 * A condition that keeps the stored lines of the chunk's transaction ids, and only through the index: it
 * lets the engine read the projection ordered by transaction id (migration 0150) and skip every granule
 * whose id range holds none of the chunk's ids, then costs nothing per line (a line of one of the chunk's
 * keys or baskets has one of its ids). `chunk` has a transaction_id column.
 */
function chunkIdsSql(chunk: string): string {
  return `indexHint(transaction_id IN (SELECT transaction_id FROM ${chunk}))`
}

/**
 * A table expression: the rows of `lines` (a table or parenthesised SELECT of the rows about to be
 * inserted) with basket_first and product_first. A row is first when it has the lowest `order` among the
 * rows of its basket (basket and product) in `rows` and no stored line belongs to that basket. `rows` is
 * a cheaper table expression of the same rows (the same `order` values, no joins), read once per flag for
 * the lowest `order` of each basket. `order` must differ between any two of the rows (the chunk's line
 * number; or the basket's columns with line_no, which the idempotency key makes unique within a basket):
 * then a row whose `order` is the lowest of some basket is that basket's lowest row, and the rows are
 * compared by `order` alone (with the chunk's line numbers, a set of numbers instead of one of baskets'
 * strings). On 100,000 lines (a shared machine) this added about 100-150 ms to the insert, where
 * row_number() over each basket, which sorts every column, added about 170 ms.
 * `chunk` is a table or SELECT with merchant_id, store_id and transaction_id of the same rows (or more)
 * that narrows the stored lines to compare: one read of basket_hash, then the few stored lines whose hash
 * matches are compared by their exact keys (a hash collision never loses a basket). Pass `chunk: null`
 * when no stored line can share a basket with the rows (a look-up of basket_hash found none).
 */
export function withBasketFlags(
  lines: string,
  { order, rows, chunk }: { order: string; rows: string; chunk: string | null },
): string {
  const stored = (
    chunk: string,
  ) => `SELECT merchant_id, store_id, transaction_id, toString(status) AS s_status, product_id
    FROM transactions
    WHERE merchant_id IN (SELECT DISTINCT merchant_id FROM ${chunk}) AND ${chunkIdsSql(chunk)}
      AND basket_hash IN (SELECT ${basketHashSql} FROM ${chunk})`
  const first = (product: string) => {
    const lowest = `${order} IN (SELECT min(${order}) FROM ${rows} GROUP BY ${basket}${product})`
    const notStored = chunk
      ? ` AND (${basket}${product}) NOT IN (
            SELECT merchant_id, store_id, transaction_id, s_status${product} FROM (${stored(chunk)}))`
      : ''
    return `toUInt8(${lowest}${notStored})`
  }
  return `(SELECT *, ${first('')} AS basket_first, ${first(', product_id')} AS product_first FROM ${lines})`
}

/**
 * SELECT of one row counting, among the stored lines of the chunk's merchants, those whose basket_hash is
 * one of the chunk's baskets (`baskets`; 0 proves that no stored line shares a basket with the chunk).
 * `chunk` is a table or SELECT with merchant_id, store_id and transaction_id. `also` folds another
 * look-up of the same lines into the one scan: its count is `countIf(also.where) AS also.as`; it may only
 * match lines with one of the chunk's transaction ids (the scan reads no others).
 */
export function storedBasketsSql(chunk: string, also?: { where: string; as: string }): string {
  const baskets = `basket_hash IN (SELECT ${basketHashSql} FROM ${chunk})`
  return `
    SELECT countIf(${baskets}) AS baskets${also ? `, countIf(${also.where}) AS ${also.as}` : ''}
    FROM transactions
    WHERE merchant_id IN (SELECT DISTINCT merchant_id FROM ${chunk}) AND ${chunkIdsSql(chunk)}
      AND (${also ? `${also.where} OR ` : ''}${baskets})`
}

/** A merchant and one of its local months (first day, 'YYYY-MM-01'). */
export type MerchantMonth = readonly [merchantId: string, localMonth: string]

export interface FlagRepairScope {
  /** The merchant-months whose lines' baskets are checked. */
  merchantMonths: readonly MerchantMonth[]
  /** A UTC range holding every line of those months. */
  from: string
  to: string
}

interface BasketLine {
  merchant_id: string
  store_id: string
  transaction_id: string
  status: string
  product_id: string
  line_no: number
  basket_first: number
  product_first: number
  local_month: string
}

/**
 * Sets the basket flags right for every basket with a line in the scope's merchant-months: exactly one
 * first line per basket and per basket and product, counted over all the basket's stored lines (also those
 * in other months). Flags are set on insert against the lines stored before, so they hold unless an insert
 * stored only some of its lines: one part per UTC month, and a view failing on one month's part can leave
 * another's stored. A basket spanning those months then keeps lines flagged "not first" whose first line
 * never arrived, and a re-send counts them as duplicates (docs/ingestion.md, "Derived state never drifts").
 * A wrong basket keeps its lowest flagged line_no as first, or gets its lowest line_no when none is
 * flagged (the rule migration 0130 set the first flags by). Answers the merchant-months of the lines whose
 * flags changed (their rollups must be rebuilt). Run where no insert can slip in (as rebuildDerived).
 */
export async function repairBasketFlags(db: Db, scope: FlagRepairScope): Promise<MerchantMonth[]> {
  const merchants = [...new Set(scope.merchantMonths.map(([merchant]) => merchant))]
  const params = {
    flagsMerchants: merchants,
    flagsPairs: scope.merchantMonths.map((pair) => new TupleParam([...pair])),
    flagsFrom: scope.from,
    flagsTo: scope.to,
  }
  // The scope's baskets whose lines in the scope do not hold exactly one first line (and one per product):
  // the only ones that can be wrong (an insert's lines, stored in part or whole, never hold two), then
  // every stored line of those baskets, wherever it lies.
  const result = await db.client.query({
    query: `
      WITH suspects AS (
        SELECT DISTINCT merchant_id, transaction_id FROM (
          SELECT merchant_id, store_id, transaction_id, s, sum(b) AS baskets, max(p != 1) AS wrongProduct FROM (
            SELECT merchant_id, store_id, transaction_id, toString(status) AS s, product_id,
                   sum(basket_first) AS b, sum(product_first) AS p
            FROM transactions
            WHERE merchant_id IN {flagsMerchants:Array(String)}
              AND occurred_at >= {flagsFrom:DateTime} AND occurred_at < {flagsTo:DateTime}
              AND (merchant_id, toStartOfMonth(local_at)) IN {flagsPairs:Array(Tuple(String, Date))}
            GROUP BY merchant_id, store_id, transaction_id, s, product_id)
          GROUP BY merchant_id, store_id, transaction_id, s
          HAVING baskets != 1 OR wrongProduct))
      SELECT merchant_id, store_id, transaction_id, toString(status) AS status, product_id, line_no,
             basket_first, product_first, toString(toStartOfMonth(local_at)) AS local_month
      FROM transactions
      WHERE merchant_id IN {flagsMerchants:Array(String)}
        AND (merchant_id, transaction_id) IN (SELECT merchant_id, transaction_id FROM suspects)
      ORDER BY line_no`,
    query_params: params,
    format: 'JSONEachRow',
    // Grouping a basket and product per line holds every basket of the months at once: two months of all
    // merchants at 100M lines (16.7M lines) peaked at 4.0 GB. Past 512 MiB the groups go to disk.
    clickhouse_settings: {
      log_comment: 'repairBasketFlags',
      max_bytes_before_external_group_by: '536870912',
    },
  })
  const lines = await result.json<BasketLine>()
  if (lines.length === 0) return []
  const basketFirst = rightFirsts(
    lines,
    (l) => [l.merchant_id, l.store_id, l.transaction_id, l.status],
    'basket_first',
  )
  const productFirst = rightFirsts(
    lines,
    (l) => [l.merchant_id, l.store_id, l.transaction_id, l.status, l.product_id],
    'product_first',
  )
  const changed = lines.filter(
    (l) => basketFirst.has(l) !== (l.basket_first === 1) || productFirst.has(l) !== (l.product_first === 1),
  )
  if (changed.length === 0) return []
  const keys = (set: Iterable<BasketLine>) =>
    [...set].map((l) => new TupleParam([l.merchant_id, l.transaction_id, l.line_no]))
  const changedSet = new Set(changed)
  const key = '(merchant_id, transaction_id, line_no)'
  const keyType = 'Array(Tuple(String, String, UInt32))'
  await db.client.command({
    query: `ALTER TABLE transactions UPDATE
              basket_first = toUInt8(has({flagsBasketFirst:${keyType}}, ${key})),
              product_first = toUInt8(has({flagsProductFirst:${keyType}}, ${key}))
            WHERE merchant_id IN {flagsMerchants:Array(String)} AND has({flagsChanged:${keyType}}, ${key})`,
    query_params: {
      flagsMerchants: merchants,
      flagsBasketFirst: keys([...basketFirst].filter((l) => changedSet.has(l))),
      flagsProductFirst: keys([...productFirst].filter((l) => changedSet.has(l))),
      flagsChanged: keys(changed),
    },
    clickhouse_settings: { log_comment: 'repairBasketFlags', mutations_sync: '2' },
  })
  const months = new Map(changed.map((l) => [`${l.merchant_id}\n${l.local_month}`, l]))
  return [...months.values()].map((l) => [l.merchant_id, l.local_month] as const)
}

/** The line of each group (lines ordered by line_no) that should carry `flag`: see repairBasketFlags. */
function rightFirsts(
  lines: readonly BasketLine[],
  groupOf: (line: BasketLine) => string[],
  flag: 'basket_first' | 'product_first',
): Set<BasketLine> {
  const chosen = new Map<string, BasketLine>()
  for (const line of lines) {
    const group = JSON.stringify(groupOf(line))
    const held = chosen.get(group)
    if (held === undefined || (held[flag] !== 1 && line[flag] === 1)) chosen.set(group, line)
  }
  return new Set(chosen.values())
}

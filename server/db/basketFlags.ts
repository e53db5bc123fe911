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

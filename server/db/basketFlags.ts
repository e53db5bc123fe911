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
export const basketHashSql = 'cityHash64(store_id, transaction_id)'

/**
 * A table expression: the rows of `lines` (a table or parenthesised SELECT of the rows about to be
 * inserted, each stored line's key once) with basket_first and product_first. A row is first when it is
 * the lowest `order` among the rows of its basket (basket and product) in `lines` and no stored line
 * belongs to that basket. `chunk` is a table or SELECT with merchant_id, store_id and transaction_id of
 * the same rows (or more) that narrows the stored lines to compare: one read of basket_hash, then the few
 * stored lines whose hash matches are compared by their exact keys (a hash collision never loses a
 * basket). Pass `chunk: null` when no stored line can share a basket with the rows (a look-up of
 * basket_hash found none).
 */
export function withBasketFlags(lines: string, order: string, chunk: string | null): string {
  const stored = `SELECT merchant_id, store_id, transaction_id, toString(status) AS s_status, product_id
    FROM transactions
    WHERE merchant_id IN (SELECT DISTINCT merchant_id FROM ${chunk})
      AND basket_hash IN (SELECT ${basketHashSql} FROM ${chunk})`
  const notStored = (product: string) =>
    chunk
      ? ` AND (${basket}${product}) NOT IN (
            SELECT merchant_id, store_id, transaction_id, s_status${product} FROM (${stored}))`
      : ''
  return `(
    SELECT *,
      toUInt8(row_number() OVER (PARTITION BY ${basket} ORDER BY ${order}) = 1${notStored('')}) AS basket_first,
      toUInt8(row_number() OVER (PARTITION BY ${basket}, product_id ORDER BY ${order}) = 1${notStored(', product_id')}) AS product_first
    FROM ${lines})`
}

/**
 * SELECT of one row counting, among the stored lines of the chunk's merchants, those whose basket_hash is
 * one of the chunk's baskets (`baskets`; 0 proves that no stored line shares a basket with the chunk).
 * `chunk` is a table or SELECT with merchant_id, store_id and transaction_id. `also` folds another
 * look-up of the same lines into the one scan: its count is `countIf(also.where) AS also.as`.
 */
export function storedBasketsSql(chunk: string, also?: { where: string; as: string }): string {
  const baskets = `basket_hash IN (SELECT ${basketHashSql} FROM ${chunk})`
  return `
    SELECT countIf(${baskets}) AS baskets${also ? `, countIf(${also.where}) AS ${also.as}` : ''}
    FROM transactions
    WHERE merchant_id IN (SELECT DISTINCT merchant_id FROM ${chunk})
      AND (${also ? `${also.where} OR ` : ''}${baskets})`
}

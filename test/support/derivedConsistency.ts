import type { Db } from '../../server/db/createDb.ts'
import { customerOrigins } from '../../server/queries/customerOrigins.ts'
import { resolveInsightsScope } from '../../server/queries/insightsScope.ts'
import { salesByProduct } from '../../server/queries/salesByProduct.ts'
import { salesByTime } from '../../server/queries/salesByTime.ts'
import { summary } from '../../server/queries/summary.ts'
import { rows } from './testDb.ts'

const tourist = `customer_home_country != '' AND store_country != '' AND customer_home_country != store_country`
const knownOrigin = `customer_home_country != '' AND store_country != ''`
const origin = `customer_home_country AS home, toBool(${knownOrigin}) AS known, toBool(known AND customer_home_country != store_country) AS tourist`
const money = (column: string, where = '') =>
  `toString(sum${where ? 'If' : ''}(toDecimal128(${column}, 4)${where ? `, ${where}` : ''}))`

/**
 * Each derived table of a merchant, as its rows read (finalised per key), beside the same rows computed
 * from the completed lines themselves: the two must be equal, row for row.
 */
const tables: Record<string, { fromLines: string; fromTable: string }> = {
  sales_store_hourly: {
    fromLines: `SELECT toString(toStartOfHour(occurred_at)) AS hour, store_id, toString(currency) AS cur,
                  toString(toStartOfHour(local_at)) AS local, toString(sum(toDecimal128(quantity, 3))) AS q,
                  ${money('amount')} AS a, ${money('amount', tourist)} AS ta, ${money('amount', knownOrigin)} AS ka,
                  sum(basket_first) AS tx
                FROM lines GROUP BY ALL`,
    fromTable: `SELECT toString(hour_utc) AS hour, store_id, toString(currency) AS cur, toString(local_hour) AS local,
                  toString(sum(quantity)) AS q, toString(sum(amount)) AS a, toString(sum(tourist_amount)) AS ta,
                  toString(sum(known_origin_amount)) AS ka, sum(baskets) AS tx
                FROM sales_store_hourly WHERE merchant_id = {merchantId:String} GROUP BY ALL`,
  },
  sales_store_daily: {
    fromLines: `SELECT toString(toDate(local_at)) AS day, store_id, toString(currency) AS cur,
                  toString(toDate(occurred_at)) AS utc, toString(sum(toDecimal128(quantity, 3))) AS q,
                  ${money('amount')} AS a, ${money('amount', tourist)} AS ta, ${money('amount', knownOrigin)} AS ka,
                  sum(basket_first) AS tx
                FROM lines GROUP BY ALL`,
    fromTable: `SELECT toString(local_day) AS day, store_id, toString(currency) AS cur, toString(utc_day) AS utc,
                  toString(sum(quantity)) AS q, toString(sum(amount)) AS a, toString(sum(tourist_amount)) AS ta,
                  toString(sum(known_origin_amount)) AS ka, sum(baskets) AS tx
                FROM sales_store_daily WHERE merchant_id = {merchantId:String} GROUP BY ALL`,
  },
  sales_product_daily: {
    fromLines: `SELECT toString(toDate(local_at)) AS day, product_id, toString(category) AS cat,
                  toString(currency) AS cur, toString(toDate(occurred_at)) AS utc,
                  toString(sum(toDecimal128(quantity, 3))) AS q, ${money('amount')} AS a, sum(product_first) AS tx
                FROM lines GROUP BY ALL`,
    fromTable: `SELECT toString(local_day) AS day, product_id, toString(category) AS cat,
                  toString(currency) AS cur, toString(utc_day) AS utc, toString(sum(quantity)) AS q,
                  toString(sum(amount)) AS a, sum(baskets) AS tx
                FROM sales_product_daily WHERE merchant_id = {merchantId:String} GROUP BY ALL`,
  },
  product_names: {
    fromLines: `SELECT product_id, argMax(product_name, occurred_at) AS name FROM lines GROUP BY ALL`,
    fromTable: `SELECT product_id, argMaxMerge(name) AS name
                FROM product_names WHERE merchant_id = {merchantId:String} GROUP BY ALL`,
  },
  customers_daily_bitmap: {
    fromLines: `SELECT toString(toDate(local_at)) AS day, store_id, ${origin}, toString(currency) AS cur,
                  toString(toDate(occurred_at)) AS utc,
                  arraySort(groupUniqArrayIf(customer_no, customer_no != 0)) AS members, ${money('amount')} AS a
                FROM lines GROUP BY ALL`,
    fromTable: `SELECT toString(local_day) AS day, store_id, home_country AS home, known, tourist,
                  toString(currency) AS cur, toString(utc_day) AS utc,
                  arraySort(bitmapToArray(groupBitmapMergeState(customers))) AS members, toString(sum(amount)) AS a
                FROM customers_daily_bitmap WHERE merchant_id = {merchantId:String} GROUP BY ALL`,
  },
  customer_days: {
    fromLines: `SELECT toString(toDate(local_at)) AS day, cityHash64(customer_key) AS person, customer_no AS no,
                  store_id, toString(customer_home_country) AS home, toString(store_country) AS sc,
                  toString(wallet) AS w, toString(payment_method) AS pm, toString(currency) AS cur,
                  toString(toDate(occurred_at)) AS utc, toString(max(local_at)) AS last,
                  ${money('amount')} AS a
                FROM lines WHERE customer_key != '' GROUP BY ALL`,
    fromTable: `SELECT toString(local_day) AS day, customer_hash AS person, customer_no AS no, store_id,
                  toString(home_country) AS home, toString(store_country) AS sc, toString(wallet) AS w,
                  toString(payment_method) AS pm, toString(currency) AS cur,
                  toString(utc_day) AS utc, toString(max(last_local_at)) AS last, toString(sum(amount)) AS a
                FROM customer_days WHERE merchant_id = {merchantId:String} GROUP BY ALL`,
  },
  customers_monthly_bitmap: {
    fromLines: `SELECT toString(toStartOfMonth(local_at)) AS month, store_id, ${origin},
                  arraySort(groupUniqArrayIf(customer_no, customer_no != 0)) AS members
                FROM lines GROUP BY ALL`,
    fromTable: `SELECT toString(local_month) AS month, store_id, home_country AS home, known, tourist,
                  arraySort(bitmapToArray(groupBitmapMergeState(customers))) AS members
                FROM customers_monthly_bitmap WHERE merchant_id = {merchantId:String} GROUP BY ALL`,
  },
  merchant_customers_monthly: {
    fromLines: `SELECT toString(toStartOfMonth(local_at)) AS month, ${origin},
                  arraySort(groupUniqArrayIf(customer_no, customer_no != 0)) AS members
                FROM lines GROUP BY ALL`,
    fromTable: `SELECT toString(local_month) AS month, home_country AS home, known, tourist,
                  arraySort(bitmapToArray(groupBitmapMergeState(customers))) AS members
                FROM merchant_customers_monthly WHERE merchant_id = {merchantId:String} GROUP BY ALL`,
  },
  merchant_customers_daily: {
    fromLines: `SELECT toString(toDate(local_at)) AS day, ${origin},
                  arraySort(groupUniqArrayIf(customer_no, customer_no != 0)) AS members
                FROM lines GROUP BY ALL`,
    fromTable: `SELECT toString(local_day) AS day, home_country AS home, known, tourist,
                  arraySort(bitmapToArray(groupBitmapMergeState(customers))) AS members
                FROM merchant_customers_daily WHERE merchant_id = {merchantId:String} GROUP BY ALL`,
  },
  merchant_customers_hourly: {
    fromLines: `SELECT toString(toStartOfHour(occurred_at)) AS hour, toString(toDate(local_at)) AS day, ${origin},
                  arraySort(groupUniqArray(customer_no)) AS members
                FROM lines WHERE customer_no != 0 GROUP BY ALL`,
    fromTable: `SELECT toString(hour_utc) AS hour, toString(local_day) AS day, home_country AS home, known, tourist,
                  arraySort(bitmapToArray(groupBitmapMergeState(customers))) AS members
                FROM merchant_customers_hourly WHERE merchant_id = {merchantId:String} GROUP BY ALL`,
  },
}

/**
 * Basket flag faults (migration 0130), from the lines alone: each should be 0. Every basket (merchant,
 * store, transaction, status) and every basket and product has exactly one first line.
 */
const flagChecks = {
  basketsWithoutOneFirstLine: `SELECT count() AS n FROM (SELECT sum(basket_first) AS f FROM transactions
      WHERE merchant_id = {merchantId:String} GROUP BY store_id, transaction_id, status HAVING f != 1)`,
  basketProductsWithoutOneFirstLine: `SELECT count() AS n FROM (SELECT sum(product_first) AS f FROM transactions
      WHERE merchant_id = {merchantId:String} GROUP BY store_id, transaction_id, status, product_id HAVING f != 1)`,
}

/** Customer numbering faults: each should be 0. */
const numberingChecks = {
  keysWithoutNumber: `SELECT count() AS n FROM (SELECT DISTINCT customer_key FROM transactions
      WHERE merchant_id = {merchantId:String} AND customer_key != ''
        AND customer_key NOT IN (SELECT customer_key FROM customer_numbers WHERE merchant_id = {merchantId:String}))`,
  keysWithSeveralNumbers: `SELECT count() AS n FROM (SELECT customer_key FROM customer_numbers
      WHERE merchant_id = {merchantId:String} GROUP BY customer_key HAVING uniqExact(customer_no) > 1)`,
  numbersOfSeveralKeys: `SELECT count() AS n FROM (SELECT customer_no FROM customer_numbers
      WHERE merchant_id = {merchantId:String} GROUP BY customer_no HAVING uniqExact(customer_key) > 1)`,
  linesWithAnotherNumber: `SELECT count() AS n FROM transactions AS t
      LEFT JOIN (SELECT customer_key, min(customer_no) AS no FROM customer_numbers
                 WHERE merchant_id = {merchantId:String} GROUP BY customer_key) AS c ON c.customer_key = t.customer_key
      WHERE t.merchant_id = {merchantId:String} AND t.customer_no != if(t.customer_key = '', 0, c.no)
      SETTINGS join_use_nulls = 0`,
  topBelowNumbers: `SELECT count() AS n FROM (SELECT max(customer_no) AS no FROM customer_numbers
      WHERE merchant_id = {merchantId:String}) AS n
      WHERE n.no > (SELECT max(top) FROM customer_number_tops WHERE merchant_id = {merchantId:String})`,
}

/**
 * The lines as the projection by transaction id (migration 0150) holds them, and as the table holds them:
 * the stored-key look-up reads the projection, so a line missing from it would be loaded twice.
 */
const projectedLines = (from: string) => `
  SELECT count() AS lines, toString(sum(key_hash)) AS keys, toString(sum(basket_hash)) AS baskets,
         toString(groupBitXor(cityHash64(store_id, transaction_id, line_no, status, product_id))) AS flagKeys
  FROM ${from} WHERE merchant_id = {merchantId:String}`

/**
 * Where a merchant's derived state differs from its lines: every rollup row for row, customer numbering,
 * the projection by transaction id, and every report (summary, by product, by time, origins) from each
 * source that can answer it against the raw lines, over from..to (local dates). Empty when everything
 * agrees.
 */
export async function derivedMismatches(
  db: Db,
  merchantId: string,
  range: { from: string; to: string },
): Promise<string[]> {
  const found: string[] = []
  const lines = `lines AS (SELECT * FROM transactions WHERE merchant_id = {merchantId:String} AND status = 'completed')`
  for (const [table, { fromLines, fromTable }] of Object.entries(tables)) {
    const expected = await rows(db, `WITH ${lines} SELECT * FROM (${fromLines}) ORDER BY ALL`, { merchantId })
    const actual = await rows(db, `SELECT * FROM (${fromTable}) ORDER BY ALL`, { merchantId })
    const expectedRows = new Set(expected.map((r) => JSON.stringify(r)))
    const actualRows = new Set(actual.map((r) => JSON.stringify(r)))
    const missing = [...expectedRows].filter((r) => !actualRows.has(r))
    const extra = [...actualRows].filter((r) => !expectedRows.has(r))
    if (missing.length || extra.length)
      found.push(
        `${table}: ${missing.length} rows missing or wrong (${missing[0]}), ${extra.length} not from the lines (${extra[0]})`,
      )
  }
  for (const [kind, checks] of Object.entries({
    'basket flags': flagChecks,
    'customer numbers': numberingChecks,
  })) {
    for (const [check, sql] of Object.entries(checks)) {
      const n = (await rows<{ n: number }>(db, sql, { merchantId }))[0]?.n ?? 0
      if (Number(n) !== 0) found.push(`${kind}: ${check} = ${n}`)
    }
  }
  const viaProjection = await rows(
    db,
    projectedLines('mergeTreeProjection(currentDatabase(), transactions, by_transaction_id)'),
    { merchantId },
  )
  const viaTable = await rows(db, projectedLines('transactions'), { merchantId })
  if (JSON.stringify(viaProjection) !== JSON.stringify(viaTable))
    found.push(`by_transaction_id: ${JSON.stringify(viaProjection)} instead of ${JSON.stringify(viaTable)}`)
  const scope = await resolveInsightsScope(db, merchantId, range, { rangeDays: 1100 })
  const reports = {
    summary: async (raw: boolean) =>
      summary(db, scope, {
        source: raw ? 'raw' : 'storeRollup',
        customerSource: raw ? 'raw' : 'customerRollup',
      }),
    summaryDaily: async (raw: boolean) =>
      summary(db, scope, { source: raw ? 'raw' : 'storeDailyRollup', customerSource: 'raw' }),
    // The daily product rollup answers in the stores' own zone only (stores on one clock).
    byProductDaily: async (raw: boolean) =>
      salesByProduct(db, scope, {
        limit: 1000,
        source: raw || scope.clock !== 'local' ? 'raw' : 'productDailyRollup',
      }),
    byHour: async (raw: boolean) =>
      salesByTime(db, scope, { grain: 'hour', source: raw ? 'raw' : 'storeRollup' }),
    byDay: async (raw: boolean) =>
      salesByTime(db, scope, { grain: 'day', source: raw ? 'raw' : 'storeRollup' }),
    // Days from the daily store rollup are the stores' own days (other zones read it for totals only).
    byDayDaily: async (raw: boolean) =>
      salesByTime(db, scope, {
        grain: 'day',
        source: raw || scope.clock !== 'local' ? 'raw' : 'storeDailyRollup',
      }),
    origins: async (raw: boolean) =>
      customerOrigins(db, scope, { limit: 1000, threshold: 0, source: raw ? 'raw' : 'customerRollup' }),
  }
  for (const [report, answer] of Object.entries(reports)) {
    const fromLines = JSON.stringify(await answer(true))
    const fromRollups = JSON.stringify(await answer(false))
    if (fromLines !== fromRollups)
      found.push(`${report}: ${fromRollups.slice(0, 300)} instead of ${fromLines.slice(0, 300)}`)
  }
  return found
}

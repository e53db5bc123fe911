import { storedBasketsSql, withBasketFlags } from '../../server/db/basketFlags.ts'
import { compiledStatement } from '../../server/db/createDb.ts'
import { markDerived } from '../../server/db/derivedRepairs.ts'
import { chunkNumberColumns, numberCustomers, withCustomerNo } from '../../server/db/numberCustomers.ts'
import { zoneOffsetSql } from '../../server/db/zoneOffset.ts'
import {
  currencyCheck,
  merchantChecks,
  receivedChecks,
  required,
  verdictSql,
  type RowCheck,
} from '../rowChecks.ts'
import { customerKeySql } from '../pseudonymKey.ts'
import type { CheckContext, KindSpec } from './kindSpec.ts'

const canonical = [
  'transaction_id',
  'line_no',
  'merchant_id',
  'store_id',
  'occurred_at',
  'product_id',
  'product_name',
  'category',
  'product_type',
  'quantity',
  'unit_price',
  'amount',
  'currency',
  'status',
  'payment_method',
  'wallet',
  'customer_id',
  'customer_home_country',
  'captured_offline',
] as const

const dateTime = '[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?'
const offset = '([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)'

/**
 * Rows with their store (zone, country, currency) and the parsed time. Local times are read in the
 * store's zone (or the mapping's); zone is '' when neither is known, and then only times with an offset
 * are accepted.
 *
 * A local time in the spring-forward gap does not exist: it is read with the offset before the gap, so
 * 02:30 on the day New York springs forward becomes 03:30 EDT (07:30Z). A local time in the fall-back
 * overlap exists twice: the first (daylight) one is taken, so 01:30 becomes 01:30 EDT (05:30Z). This is
 * the "compatible" disambiguation of the JavaScript Temporal API. See wallOffsetSql for how.
 */
const storesOfChunk = `
  stores_of_chunk AS (
    SELECT merchant_id, store_id, argMax(timezone, updated_at) AS tz, argMax(country, updated_at) AS country,
           argMax(currency, updated_at) AS currency
    FROM stores
    GROUP BY merchant_id, store_id
  )`
const storeJoin = `LEFT JOIN stores_of_chunk AS st ON st.merchant_id = m.merchant_id AND st.store_id = m.store_id`
const zone = `if(st.tz != '', st.tz, {fallbackZone:String})`
const joined = `${storesOfChunk},
  j AS (
    SELECT m.*, st.country AS store_country, st.currency AS store_currency, ${zone} AS zone,
           trim(coalesce(m.occurred_at, '')) AS ts
    FROM m ${storeJoin}
  )`

async function check(ctx: CheckContext): Promise<void> {
  const { db, params } = ctx
  const zones = await db.client.query({
    // The zones of the chunk's distinct stores, by the rule of `j`: a few rows to join, not every line.
    query: `WITH m AS (SELECT DISTINCT merchant_id, store_id FROM (${ctx.mappedWithoutCards})), ${storesOfChunk}
            SELECT DISTINCT ${zone} AS zone FROM m ${storeJoin}`,
    query_params: { ...params, fallbackZone: ctx.fallbackZone },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'ingestTransactionZones', join_use_nulls: 0 },
  })
  const named = (await zones.json<{ zone: string }>()).map((z) => z.zone).filter((z) => z !== '')
  await db.client.command({
    query: checkSql(ctx, named.length),
    query_params: {
      ...params,
      fallbackZone: ctx.fallbackZone,
      ...Object.fromEntries(named.map((z, i) => [`z${i}`, z])),
    },
    // Forced short-circuit: the Luhn scan and the DST look-ups only run for the few rows that need them.
    clickhouse_settings: {
      ...compiledStatement,
      log_comment: 'ingestTransactionsCheck',
      join_use_nulls: 0,
      short_circuit_function_evaluation: 'force_enable',
    },
  })
}

/**
 * The UTC offset (seconds) of the row's zone at instant e. Time-zone arguments must be constants, so each
 * zone of the chunk is its own branch ({z0}, {z1}, ...); each row evaluates only the branch of its zone.
 *
 * Each branch names the instant five times, and e is itself built on the parsed wall clock and its own
 * offset: written out in place, a chunk with ten zones made the planner expand the text of e fifty times
 * over, into names of megabytes (docs/ingestion.md, "Most of the check was analysis"). So the branches read
 * a lambda's argument x, and e is written once, as the one element the lambda maps.
 */
function offsetSql(e: string, zones: number): string {
  if (zones === 0) return '0'
  return `arrayElement(arrayMap(x -> ${zoneBranches(zones, (z) => zoneOffsetSql('x', z))}, [${e}]), 1)`
}

/** multiIf over the chunk's zones: `zone = {zi}`, then the SQL `branch` makes of that zone's parameter. */
function zoneBranches(zones: number, branch: (zone: string) => string, otherwise = '0'): string {
  const branches = Array.from(
    { length: zones },
    (_, i) => `zone = {z${i}:String}, ${branch(`{z${i}:String}`)}`,
  )
  return `multiIf(${branches.join(', ')}, ${otherwise})`
}

/**
 * The offset to subtract from the wall clock (wall) to get the instant, two look-ups per row. The engine
 * reads a wall-clock time in a zone (toDateTime(text, zone)) with the earlier offset in an overlap (what we
 * want) and with the later offset in a gap, which lands before the transition; so the zone's offset at the
 * instant it reads is the right one in every case: the usual offset, the first in an overlap, the one
 * before the gap. (Unlike reading offsets 12 hours around the wall clock, this also holds for zones more
 * than 12 hours from UTC, such as Pacific/Chatham.) The wall clock goes in as text (six references to year,
 * month, ... of wall per branch measured several times slower), once, as a lambda's argument (see offsetSql).
 *
 * A pair: the offset, and the instant I the engine read (Unix seconds). The wall clock's distance from I
 * differs from the offset only in a gap. Where they agree, the instant is wall - offset, that is I, whose
 * offset is the one just looked up, so its wall clock is the wall clock sent: the check takes it as it is
 * rather than looking the offset up again (localAt). That second look-up per row cost about a tenth of the
 * check's CPU on 100,000 bench lines (2026-12-02).
 */
function wallOffsetSql(zones: number): string {
  if (zones === 0) return 'tuple(0, 0)'
  const offset = zoneBranches(
    zones,
    (z) => `tuple(${zoneOffsetSql(`toDateTime(t, ${z})`, z)}, toUnixTimestamp(toDateTime(t, ${z})))`,
    'tuple(0, 0)',
  )
  return `if(isNull(wall), tuple(0, 0), arrayElement(arrayMap(t -> ${offset}, [assumeNotNull(wall_text)]), 1))`
}

function checkSql(ctx: CheckContext, zones: number): string {
  const checks: RowCheck[] = [
    ...receivedChecks(canonical),
    ...required(['transaction_id', 'merchant_id', 'store_id', 'occurred_at', 'product_id']),
    ...merchantChecks,
    {
      when: `isNull(v_line_no)`,
      reason: 'bad_number',
      field: 'line_no',
      message: `'line_no must be a whole number from 0 to 4294967295'`,
    },
    {
      when: `is_local AND zone = ''`,
      reason: 'unknown_store',
      field: 'store_id',
      message: `concat('store ', store_id, ' of ', merchant_id, ' is not known and the time has no offset: load the store first or send times with an offset')`,
    },
    {
      when: `isNull(v_instant) OR toYear(v_instant) NOT BETWEEN 1970 AND 2105`,
      reason: 'bad_timestamp',
      field: 'occurred_at',
      message: `concat('not a timestamp (RFC 3339 with offset, or local YYYY-MM-DD HH:MM:SS): ', ts)`,
    },
    ...required(['quantity', 'unit_price']),
    {
      when: `isNull(v_quantity)`,
      reason: 'bad_number',
      field: 'quantity',
      message: `concat('not a number: ', quantity_text)`,
    },
    {
      when: `v_quantity <= 0`,
      reason: 'negative_quantity',
      field: 'quantity',
      message: `'quantity must be greater than 0; refunds use status = refunded'`,
    },
    {
      when: `isNull(v_unit_price) OR v_unit_price < 0`,
      reason: 'bad_number',
      field: 'unit_price',
      message: `concat('unit_price must be a number >= 0: ', unit_price_text)`,
    },
    {
      when: `isNotNull(amount) AND isNull(toDecimal64OrNull(amount, 4))`,
      reason: 'bad_number',
      field: 'amount',
      message: `concat('not a number: ', amount_text)`,
    },
    {
      when: `v_currency = ''`,
      reason: 'missing_field',
      field: 'currency',
      message: `'currency is required when the store is not known'`,
    },
    currencyCheck('v_currency', 'currency'),
    {
      when: `v_status NOT IN ('completed', 'refunded', 'voided')`,
      reason: 'bad_status',
      field: 'status',
      message: `'status must be completed, refunded or voided'`,
    },
    {
      when: `v_country != '' AND NOT match(v_country, '^[A-Z]{2}$')`,
      reason: 'bad_country',
      field: 'customer_home_country',
      message: `'customer_home_country must be an ISO 3166-1 alpha-2 code'`,
    },
    {
      when: `v_offline NOT IN ('', 'true', 'false', '1', '0')`,
      reason: 'bad_bool',
      field: 'captured_offline',
      message: `'captured_offline must be true or false'`,
    },
  ]
  const verdict = verdictSql(checks)
  // Without a zone (unknown store, time with an offset), the wall clock is the time as written. A local
  // time outside a gap is its own wall clock (wallOffsetSql); one in a gap, or a time sent with an offset,
  // is read again in the store's zone.
  const localAt = `multiIf(zone = '',
        parseDateTime64BestEffortOrNull(replaceRegexpOne(ts, '${offset}$', ''), 3, 'UTC'),
        is_local AND toInt64(toUnixTimestamp(wall)) - wall_offsets.2 = wall_offsets.1, wall,
        addSeconds(v_instant, ${offsetSql("toDateTime(assumeNotNull(v_instant), 'UTC')", zones)}))`
  return `
    INSERT INTO ${ctx.checked}
    WITH m AS (${ctx.mapped}), ${joined},
    parsed AS (
      SELECT *,
        match(ts, '^${dateTime}$') AS is_local,
        match(ts, '^${dateTime}${offset}$') AS has_offset,
        -- The plain 'YYYY-MM-DD HH:MM:SS' form (the usual one) takes the fast exact parser.
        if(is_local, if(length(ts) = 19 AND substring(ts, 11, 1) = ' ', toDateTime64OrNull(ts, 3, 'UTC'),
          parseDateTime64BestEffortOrNull(ts, 3, 'UTC')), NULL) AS wall,
        formatDateTime(wall, '%Y-%m-%d %H:%i:%S') AS wall_text,
        ${wallOffsetSql(zones)} AS wall_offsets,
        wall_offsets.1 AS o,
        multiIf(
          has_offset, parseDateTime64BestEffortOrNull(ts, 3, 'UTC'),
          is_local AND zone != '', addSeconds(wall, -o),
          NULL) AS v_instant,
        if(isNull(line_no), toUInt32(1), toUInt32OrNull(line_no)) AS v_line_no,
        toDecimal64OrNull(quantity, 3) AS v_quantity,
        toDecimal64OrNull(unit_price, 4) AS v_unit_price,
        upper(coalesce(currency, store_currency)) AS v_currency,
        lower(coalesce(status, 'completed')) AS v_status,
        upper(coalesce(customer_home_country, '')) AS v_country,
        lower(coalesce(captured_offline, '')) AS v_offline,
        -- The values as sent, for the messages: the final SELECT names the typed values quantity, unit_price
        -- and amount, and a message quoting those names quoted 'not a number: 0' for 'abc'.
        quantity AS quantity_text,
        unit_price AS unit_price_text,
        amount AS amount_text
      FROM j
    ),
    verdicts AS (SELECT *, ${verdict.check} AS _check FROM parsed)
    SELECT
      assumeNotNull(merchant_id) AS merchant_id,
      assumeNotNull(store_id) AS store_id,
      assumeNotNull(transaction_id) AS transaction_id,
      assumeNotNull(v_line_no) AS line_no,
      assumeNotNull(v_instant) AS occurred_at,
      toDateTime(assumeNotNull(${localAt}), 'UTC') AS local_at,
      coalesce(product_id, '') AS product_id,
      coalesce(product_name, '') AS product_name,
      coalesce(category, '') AS category,
      coalesce(product_type, '') AS product_type,
      assumeNotNull(v_quantity) AS quantity,
      assumeNotNull(v_unit_price) AS unit_price,
      if(isNull(amount), toDecimal64(round(assumeNotNull(v_quantity) * assumeNotNull(v_unit_price), 4), 4),
        assumeNotNull(toDecimal64OrNull(amount, 4))) AS amount,
      v_currency AS currency,
      v_status AS status,
      lower(coalesce(payment_method, '')) AS payment_method,
      lower(coalesce(wallet, '')) AS wallet,
      ${customerKeySql('customer_id')} AS customer_key,
      v_country AS customer_home_country,
      store_country,
      v_offline IN ('true', '1') AS captured_offline,
      _line,
      coalesce(merchant_id, '') AS _merchant,
      ${verdict.reason} AS _reason,
      if(_check = 1, _card, ${verdict.field}) AS _field,
      ${verdict.message} AS _message,
      {batchId:String} AS _batch
    FROM verdicts`
}

export const transactionsKind: KindSpec = {
  kind: 'transactions',
  canonical,
  columns: {
    merchant_id: 'String',
    store_id: 'String',
    transaction_id: 'String',
    line_no: 'UInt32',
    occurred_at: "DateTime64(3, 'UTC')",
    local_at: "DateTime('UTC')",
    product_id: 'String',
    product_name: 'String',
    category: 'String',
    product_type: 'String',
    quantity: 'Decimal(18, 3)',
    unit_price: 'Decimal(18, 4)',
    amount: 'Decimal(18, 4)',
    currency: 'String',
    status: 'String',
    payment_method: 'String',
    wallet: 'String',
    customer_key: 'String',
    customer_home_country: 'String',
    store_country: 'String',
    captured_offline: 'Bool',
  },
  target: 'transactions',
  key: ['merchant_id', 'transaction_id', 'line_no'],
  merchantScoped: true,
  check,
  // key_hash (migration 0040) is cityHash64(transaction_id, line_no): equal keys have equal hashes. The
  // same scan counts the stored lines that may share a basket with the chunk (basketFlags.ts).
  storedMatches: (checked) =>
    storedBasketsSql(`(SELECT merchant_id, store_id, transaction_id FROM ${checked} WHERE _reason = '')`, {
      where: `key_hash IN (SELECT cityHash64(transaction_id, line_no) FROM ${checked} WHERE _reason = '')`,
      as: 'n',
    }),
  existing: (checked) => `
    SELECT merchant_id, transaction_id, line_no FROM transactions
    WHERE merchant_id IN (SELECT DISTINCT merchant_id FROM ${checked} WHERE _reason = '')
      AND transaction_id IN (SELECT transaction_id FROM ${checked} WHERE _reason = '')`,
  // The months the chunk touches are marked first (a crash before the batch closes them rebuilds them
  // from the lines: derivedRepairs.ts). Lines store their customer's number (migration 0050): the chunk's
  // new customers are numbered under the commit lock, and the numbers of the chunk's keys left in the
  // scratch table for the insert. Basket flags are set over the rows actually inserted, against the stored
  // lines only when the stored-key scan found one that may share a basket.
  scratchColumns: chunkNumberColumns,
  prepareInsert: async ({ db, checked, scratch, runId, matches, keepFresh }) => {
    if (scratch === undefined) throw new Error('transactions need a scratch table for customer numbers')
    const good = `(SELECT merchant_id, store_id, transaction_id, local_at, customer_key FROM ${checked} WHERE _reason = '')`
    await markDerived(db, runId, good)
    await numberCustomers(db, good, scratch)
    return {
      columns: ['customer_no', 'basket_first', 'product_first'],
      from: withBasketFlags(keepFresh(withCustomerNo(checked, scratch)), {
        order: '_line',
        rows: keepFresh(checked),
        chunk: (matches.baskets ?? 0) > 0 ? good : null,
      }),
    }
  },
}

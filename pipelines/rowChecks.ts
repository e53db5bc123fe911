/**
 * A row check: when `when` (SQL, over the mapped row) holds, the row is rejected with `reason` on `field`.
 * The first failing check names the row's reason; later ones are not evaluated for it.
 */
export interface RowCheck {
  when: string
  reason: string
  field: string
  /** SQL expression (String) explaining the problem to the person who sent the row. */
  message: string
}

/** A full card number in any field (`_card` names it, from the stage's `_card_column`): always the first check. */
const cardCheck: RowCheck = {
  when: `_card != ''`,
  reason: 'card_number',
  field: '_card',
  message: `'a full card number is never stored; the row is kept here with it masked'`,
}

/**
 * The checks every row of every kind gets first: no card number anywhere (check 1, whose field is read from
 * `_card`), then no field longer than {maxFieldChars} characters, before any other check can quote a value.
 * The byte length is free to read and never below the character length, so only long values are counted.
 */
export function receivedChecks(columns: readonly string[]): RowCheck[] {
  return [
    cardCheck,
    ...columns.map((c) => ({
      when: `length(${c}) > {maxFieldChars:UInt32} AND lengthUTF8(${c}) > {maxFieldChars:UInt32}`,
      reason: 'field_too_long',
      field: c,
      // Not quoting the value's own length: a kind's SELECT may reuse the column's name for its typed value.
      message: `concat('${c} is longer than the limit of ', toString({maxFieldChars:UInt32}), ' characters (MAX_FIELD_CHARS)')`,
    })),
  ]
}

/** The columns must be present. */
export function required(columns: readonly string[]): RowCheck[] {
  return columns.map((c) => ({
    when: `isNull(${c})`,
    reason: 'missing_field',
    field: c,
    message: `'${c} is required'`,
  }))
}

/** A well-formed merchant id the key may load for ({restricted} and {allowed} come from the key). */
export const merchantChecks: readonly RowCheck[] = [
  {
    when: `NOT match(merchant_id, '^[a-z0-9_-]{1,64}$')`,
    reason: 'bad_merchant_id',
    field: 'merchant_id',
    message: `'merchant_id must match [a-z0-9_-]{1,64}'`,
  },
  {
    when: `{restricted:Bool} AND merchant_id NOT IN {allowed:Array(String)}`,
    reason: 'forbidden_merchant',
    field: 'merchant_id',
    message: `concat('this key may not load data for merchant ', merchant_id)`,
  },
]

/** An ISO 4217 code ({currencies}) in `value` (an upper-cased SQL expression), reported on `field`. */
export function currencyCheck(value: string, field: string): RowCheck {
  return {
    when: `${value} NOT IN {currencies:Array(String)}`,
    reason: 'unknown_currency',
    field,
    message: `concat('not an ISO 4217 currency: ', ${value})`,
  }
}

/** Degrees in v_lat and v_lon. */
export const coordinateCheck: RowCheck = {
  when: `isNull(v_lat) OR isNull(v_lon) OR abs(v_lat) > 90 OR abs(v_lon) > 180`,
  reason: 'bad_coordinate',
  field: 'lat',
  message: `'lat and lon must be degrees (-90..90, -180..180)'`,
}

/**
 * The verdict of a row in SQL: `check` is the number of the first failing check (0 = good row), computed
 * once; reason and field are looked up from it, and the message (which may quote row values) is built only
 * for rejected rows. All three read the column the caller aliases `check` to, named `_check`.
 */
export function verdictSql(checks: readonly RowCheck[]): {
  check: string
  reason: string
  field: string
  message: string
} {
  const list = (values: string[]) => `['', ${values.map((v) => `'${v}'`).join(', ')}]`
  return {
    check: `multiIf(${checks.map((c, i) => `${c.when}, ${i + 1}`).join(',\n      ')},\n      0)`,
    reason: `arrayElement(${list(checks.map((c) => c.reason))}, _check + 1)`,
    field: `arrayElement(${list(checks.map((c) => c.field))}, _check + 1)`,
    // A lookup by number, not multiIf(_check = 1, ..., _check = 41, ...): the planner writes each use of
    // _check out in full (docs/ingestion.md, "Most of the check was analysis"), and 41 uses of it took
    // 90-140 ms of planning per statement (2026-12-01).
    message: `if(_check = 0, '', arrayElement([${checks.map((c) => c.message).join(',\n      ')}], _check))`,
  }
}

/**
 * SQL numbering the first of `columns` (SQL over Nullable(String) values) that holds a full card number
 * (a run of 13-19 digits standing alone, or a value of only digits, spaces and dashes, passing the Luhn
 * check), from 1; 0 when none does. A cheap guard per column (13+ characters, then a run of 13 digits or
 * only digits, spaces and dashes) keeps clean rows away from the rest; suspects get their columns in one
 * array so the Luhn check is written once.
 *
 * It fills the stage's `_card_column` as a chunk is staged: stageChunk.ts computes it in its SELECT, and
 * the stage table's default does for a streamed INSERT (a remote server). Inside the check statement its
 * text was copied into every expression built on it, and planning it there cost about 280 ms a request
 * (docs/ingestion.md, "Most of the check was analysis").
 *
 * Thirteen digits are a card number only when they start with 4, 5 or 6 (Visa's and Maestro's ranges, the
 * only networks with 13-digit numbers) and are not a valid GS1 barcode (EAN-13, UPC-A written as 13
 * digits, ISBN-13: the weighted 1-3 check digit). One random 13-digit number in ten passes the Luhn
 * check, so a shop whose product ids are barcodes lost about one line in ten to quarantine, and so did ids
 * in milliseconds since 1970 (13 digits starting with 1 until 2286). The price: one 13-digit Visa or
 * Maestro number in ten also passes the GS1 check; neither network has issued 13-digit numbers for years.
 */
export function cardColumnSql(columns: readonly string[]): string {
  if (columns.length === 0) return '0'
  const values = `[${columns.map((c) => `coalesce(${c}, '')`).join(', ')}]`
  const suspect = `length(v) >= 13 AND match(v, '[0-9]{13}|^[0-9][0-9 -]{11,30}[0-9]$')`
  // A digit run inside a longer token (a hex id, say) is not a card number: runs must stand alone.
  const candidates = `arrayFilter(n -> length(n) BETWEEN 13 AND 19, arrayConcat(
      extractAll(v, '(?:^|[^0-9A-Za-z])([0-9]{13,19})(?:[^0-9A-Za-z]|$)'),
      if(match(v, '^[0-9][0-9 -]{11,30}[0-9]$'), [replaceRegexpAll(v, '[ -]', '')], [])))`
  const digit = 'toUInt8(substring(n, length(n) + 1 - i, 1))'
  const barcode = `arraySum(arrayMap(i -> toUInt8(substring(n, i, 1)) * if(i % 2 = 0, 3, 1), range(1, 14))) % 10 = 0`
  const luhn = `n -> arraySum(arrayMap(i -> if(i % 2 = 0, if(${digit} * 2 > 9, ${digit} * 2 - 9, ${digit} * 2), ${digit}),
      range(1, length(n) + 1))) % 10 = 0
      AND (length(n) != 13 OR (substring(n, 1, 1) IN ('4', '5', '6') AND NOT ${barcode}))`
  const guard = columns
    .map((c) => `(length(${c}) >= 13 AND match(${c}, '[0-9]{13}|^[0-9][0-9 -]{11,30}[0-9]$'))`)
    .join(' OR ')
  return `toUInt8(if(${guard},
      arrayFirstIndex(v -> ${suspect} AND arrayExists(${luhn}, ${candidates}), ${values}),
      0))`
}

/**
 * The row as received, as a JSON object of its staged columns (absent ones left out); a value longer than
 * {maxFieldChars} characters is cut there and marked with '…', so quarantine never keeps an oversized field.
 */
export function rawRowSql(columns: readonly { sql: string; nameParam: string }[]): string {
  if (columns.length === 0) return "'{}'"
  const cut = (v: string) =>
    `if(length(${v}) > {maxFieldChars:UInt32}, concat(leftUTF8(${v}, {maxFieldChars:UInt32}), '…'), ${v})`
  return `toJSONString(mapFilter((k, v) -> isNotNull(v), map(${columns.map((c) => `{${c.nameParam}:String}, ${cut(c.sql)}`).join(', ')})))`
}

/** Card numbers (and anything shaped like one) in a rejected row's raw text are replaced before storing. */
export function maskedRawSql(raw: string): string {
  return `replaceRegexpAll(${raw}, '[0-9]([ -]?[0-9]){12,18}', '[card number removed]')`
}

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

/** The three columns of the verdict: reason ('' when the row is good), field and message. */
export function verdictSql(checks: readonly RowCheck[]): { reason: string; field: string; message: string } {
  const pick = (value: (c: RowCheck) => string) =>
    `multiIf(${checks.map((c) => `${c.when}, ${value(c)}`).join(',\n      ')},\n      '')`
  return {
    reason: pick((c) => `'${c.reason}'`),
    field: pick((c) => `'${c.field}'`),
    message: pick((c) => c.message),
  }
}

/**
 * True when a Nullable(String) holds a full card number: a run of 13-19 digits (or a value that is only
 * digits, spaces and dashes) passing the Luhn check.
 */
function luhnHitSql(expr: string): string {
  const candidates = `arrayFilter(n -> length(n) BETWEEN 13 AND 19, arrayConcat(
      extractAll(coalesce(${expr}, ''), '[0-9]{13,19}'),
      if(match(coalesce(${expr}, ''), '^[0-9][0-9 -]{11,30}[0-9]$'), [replaceRegexpAll(coalesce(${expr}, ''), '[ -]', '')], [])))`
  const digit = 'toUInt8(substring(n, length(n) + 1 - i, 1))'
  return `arrayExists(n -> arraySum(arrayMap(i -> if(i % 2 = 0, if(${digit} * 2 > 9, ${digit} * 2 - 9, ${digit} * 2), ${digit}),
      range(1, length(n) + 1))) % 10 = 0, ${candidates})`
}

/**
 * SQL naming the first staged column that holds a card number, '' when none does. A cheap scan for 13
 * digits in a row guards the Luhn arithmetic, so clean rows pay one regex match.
 */
export function cardFieldSql(columns: readonly { sql: string; nameParam: string }[]): string {
  if (columns.length === 0) return "''"
  const anyDigits = columns.map((c) => `match(coalesce(${c.sql}, ''), '[0-9][0-9 -]{11,}[0-9]')`).join(' OR ')
  const which = columns.map((c) => `${luhnHitSql(c.sql)}, {${c.nameParam}:String}`).join(',\n    ')
  return `if(${anyDigits}, multiIf(${which}, ''), '')`
}

/** The row as received, as a JSON object of its staged columns (NULL for absent ones). */
export function rawRowSql(columns: readonly { sql: string; nameParam: string }[]): string {
  if (columns.length === 0) return "'{}'"
  return `toJSONString(map(${columns.map((c) => `{${c.nameParam}:String}, ${c.sql}`).join(', ')}))`
}

/** Card numbers (and anything shaped like one) in a rejected row's raw text are replaced before storing. */
export function maskedRawSql(raw: string): string {
  return `replaceRegexpAll(${raw}, '[0-9]([ -]?[0-9]){12,18}', '[card number removed]')`
}

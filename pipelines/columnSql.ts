import type { ColumnSource, Mapping, Transform } from './mapping.ts'
import { sourceColumnsOf } from './mapping.ts'

/** Each transform as one SQL expression over `$x`, a Nullable(String); the result stays a Nullable(String). */
const transformSql = {
  fahrenheit_to_celsius: 'toString(round((toFloat64OrNull($x) - 32) * 5 / 9, 2))',
  inches_to_mm: 'toString(round(toFloat64OrNull($x) * 25.4, 2))',
  slug: "substring(trim(BOTH '-' FROM replaceRegexpAll(lower($x), '[^a-z0-9]+', '-')), 1, 64)",
  // Two decimals of a degree is about 1 km: precise positions are never stored.
  coarse_coordinate: 'toString(round(toFloat64OrNull($x), 2))',
} as const satisfies Record<Transform, string>

/**
 * Source column names are validated by SourceColumn (no backticks, backslashes or control characters), so
 * quoting them as identifiers is safe; values never take this path.
 */
export function quoteIdentifier(name: string): string {
  if (!/^[^`\\\p{Cc}]{1,128}$/u.test(name)) throw new Error(`refusing identifier ${JSON.stringify(name)}`)
  return '`' + name + '`'
}

export interface MappedSelect {
  /** Columns of the staging table (source names), all Nullable(String). */
  stageColumns: string[]
  /** Canonical column -> SQL expression over the staging table (Nullable(String)). */
  expressions: Record<string, string>
  params: Record<string, unknown>
}

/** How each canonical column is read from the staging table under a mapping (or as itself without one). */
export function mappedSelect(canonical: readonly string[], mapping: Mapping | undefined): MappedSelect {
  const params: Record<string, unknown> = {}
  const stage = new Set<string>()
  const expressions: Record<string, string> = {}
  canonical.forEach((column, i) => {
    const source: ColumnSource = mapping?.columns[column] ?? column
    for (const name of sourceColumnsOf(source)) stage.add(name)
    expressions[column] = sourceSql(source, `m${i}`, params)
  })
  return { stageColumns: [...stage], expressions, params }
}

function sourceSql(source: ColumnSource, prefix: string, params: Record<string, unknown>): string {
  if (typeof source === 'string') return `nullIf(trim(${quoteIdentifier(source)}), '')`
  if ('constant' in source) {
    params[`${prefix}_c`] = source.constant
    return `toNullable({${prefix}_c:String})`
  }
  const from = Array.isArray(source.from) ? source.from : [source.from]
  let x =
    from.length === 1
      ? `nullIf(trim(${quoteIdentifier(from[0] ?? '')}), '')`
      : `concat(${from.map((f) => `trim(${quoteIdentifier(f)})`).join(", ' ', ")})`
  if (source.lookup) {
    params[`${prefix}_k`] = Object.keys(source.lookup)
    params[`${prefix}_v`] = Object.values(source.lookup)
    x = `nullIf(transform(coalesce(${x}, ''), {${prefix}_k:Array(String)}, {${prefix}_v:Array(String)}, ''), '')`
  }
  if (source.transform) x = `(${transformSql[source.transform].replaceAll('$x', `(${x})`)})`
  return x
}

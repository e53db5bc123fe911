/**
 * A statement's bound values as rows of a table instead of the engine's parameter binder, for the
 * embedded engine: chdb runs every statement that binds values one at a time across the whole process
 * (chdb-io/chdb-node#51), so a long background statement (a segment refresh, an ingest chunk's check)
 * made every dashboard query wait for it. Rewritten, the statement binds nothing and runs on a connection of
 * its own (connectionPool.ts); its values still never enter the SQL text: each `{name:Type}` becomes a
 * subquery reading the value from the table and casting it to Type, as the binder would have parsed it.
 *
 *   - `IN {name:Array(T)}` becomes `IN (SELECT CAST(value, 'T') FROM table WHERE name = 'name')`;
 *   - any other `{name:Array(T)}` the array of those values in order;
 *   - `{name:T}` the one value cast to T (a scalar subquery: the engine computes it once, as a constant,
 *     so it also serves where a constant is required, such as a time zone argument).
 *
 * Names and types come from our own SQL (`\w+` and a type expression); values from the caller, as data.
 * Never for mutations (ALTER ... UPDATE or DELETE, lightweight DELETE): the engine may evaluate their
 * subqueries after the statement returns and the values are gone.
 */
export interface ValueRow {
  name: string
  i: number
  value: string
}

/** Types whose text form a value is written in here: what the binder would parse the same way. */
const plainType =
  /^(String|LowCardinality\(String\)|Date|Date32|DateTime|U?Int(8|16|32|64)|Float(32|64)|Bool)$/

export function valuesAsData(
  query: string,
  params: Record<string, unknown>,
  table: string,
): { query: string; rows: ValueRow[] } | null {
  if (/^\s*(ALTER|DELETE|UPDATE)\b/i.test(query)) return null
  const rows: ValueRow[] = []
  const seen = new Set<string>()
  let supported = true
  const from = (name: string) => `FROM ${table} WHERE name = '${name}'`
  const add = (name: string, type: string): { array: boolean; element: string } | null => {
    const array = /^Array\((.+)\)$/.exec(type)
    const element = array?.[1] ?? type
    const value = params[name]
    if (!plainType.test(element) || value === undefined) return null
    const values = array ? value : [value]
    if (!Array.isArray(values) || !values.every(isPlain)) return null
    if (!seen.has(name)) {
      seen.add(name)
      values.forEach((v, i) => rows.push({ name, i, value: String(v) }))
    }
    return { array: array !== null, element }
  }
  const rewrite = (code: string) =>
    code
      .replace(/\bIN\s*\{(\w+):(Array\([^{}]+\))\}/g, (whole, name: string, type: string) => {
        const found = add(name, type)
        if (!found) return ((supported = false), whole)
        return `IN (SELECT CAST(value, '${found.element}') ${from(name)})`
      })
      .replace(/\{(\w+):([^{}]+)\}/g, (whole, name: string, type: string) => {
        const found = add(name, type)
        if (!found) return ((supported = false), whole)
        return found.array
          ? `(SELECT CAST(arrayMap(v -> v.2, arraySort(groupArray((i, value)))), '${type}') ${from(name)})`
          : `(SELECT CAST(any(value), '${type}') ${from(name)})`
      })
  // Quoted text (string literals, quoted names) and comments are left as they are, as the binder leaves them.
  const rewritten = query
    .split(quoted)
    .map((piece, i) => (i % 2 === 1 ? piece : rewrite(piece)))
    .join('')
  return supported ? { query: rewritten, rows } : null
}

/**
 * A quoted piece of SQL (its quotes escaped by a backslash or doubled) or a comment, whichever starts first:
 * an apostrophe in a comment opens no literal. Captured, so split keeps it.
 */
const quoted = /('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`(?:[^`\\]|\\.|``)*`|--[^\n]*|\/\*[\s\S]*?\*\/)/

function isPlain(value: unknown): value is string | number | boolean | bigint {
  return (
    typeof value === 'string' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  )
}

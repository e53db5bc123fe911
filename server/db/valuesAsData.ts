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
 *   - `{name:T}` the one value cast to T (a scalar subquery: the engine computes it as a constant, so it
 *     also serves where a constant is required, such as a time zone argument).
 *
 * In a statement that starts with WITH or SELECT (after INSERT INTO table and its columns), the last two
 * are read together by one subquery in the statement's WITH clause, and each value is named there once
 * (`__carried_1`, ...), for every use. The engine analyses a subquery at each place it is written: the
 * ingest's check has 206 placeholders (ten time zones, the field limit at each field), and as 206
 * subqueries they cost 140-180 ms of its 220-400 (2026-12-01, docs/ingestion.md). A WITH clause reaches
 * every subquery and CTE of its statement. Any other statement keeps a subquery at each use.
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
  const head = headOf(query)
  // Placeholder (name and type) -> [its alias, the expression reading its value from the table].
  const named = new Map<string, [string, string]>()
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
        const read = found.array
          ? `CAST(arrayMap(v -> v.2, arraySort(groupArrayIf((i, value), name = '${name}'))), '${type}')`
          : `CAST(anyIf(value, name = '${name}'), '${type}')`
        if (!head) return `(SELECT ${read} FROM ${table})`
        const key = `${name}:${type}`
        const alias = named.get(key)?.[0] ?? `__carried_${named.size + 1}`
        named.set(key, [alias, read])
        return alias
      })
  // Quoted text (string literals, quoted names) and comments are left as they are, as the binder leaves them.
  const rewritten = query
    .split(quoted)
    .map((piece, i) => (i % 2 === 1 ? piece : rewrite(piece)))
    .join('')
  if (!supported) return null
  if (!head || named.size === 0) return { query: rewritten, rows }
  const values = [...named.values()]
  const list = [
    `(SELECT tuple(${values.map(([, value]) => value).join(', ')}) FROM ${table}) AS __carried`,
    ...values.map(([alias], i) => `tupleElement(__carried, ${i + 1}) AS ${alias}`),
  ].join(', ')
  const at = head.index
  return {
    query: head.with
      ? `${rewritten.slice(0, at)}WITH ${list},${rewritten.slice(at + 'WITH'.length)}`
      : `${rewritten.slice(0, at)}WITH ${list} ${rewritten.slice(at)}`,
    rows,
  }
}

/**
 * Where a statement's own WITH or SELECT starts (after INSERT INTO table and its columns), and which it
 * is; undefined for any other statement. Placeholders are never in the head, so its offset is the same
 * before and after they are rewritten.
 */
function headOf(query: string): { index: number; with: boolean } | undefined {
  const found = /^(\s*(?:INSERT\s+INTO\s+[\w.]+\s*(?:\([^(){}'"`]*\))?\s*)?)(WITH|SELECT)\b/i.exec(query)
  if (!found) return undefined
  return { index: (found[1] ?? '').length, with: found[2]?.toUpperCase() === 'WITH' }
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

/** Rows as CSV (RFC 4180): header = the field names, null as an empty cell, quotes only where needed. */
export function toCsv(fields: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cell = (value: unknown) => {
    if (value === null || value === undefined) return ''
    const text = String(value)
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }
  return [fields.join(','), ...rows.map((row) => fields.map((f) => cell(row[f])).join(','))]
    .map((line) => line + '\r\n')
    .join('')
}

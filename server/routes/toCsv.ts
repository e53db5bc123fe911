import { csvCell } from '../contract.ts'

/** Rows as CSV: header = the field names, one line per row, cells encoded by csvCell. */
export function toCsv(fields: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return [fields.join(','), ...rows.map((row) => fields.map((f) => csvCell(cellValue(row[f]))).join(','))]
    .map((line) => line + '\r\n')
    .join('')
}

function cellValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null
  return typeof value === 'number' || typeof value === 'boolean' ? value : String(value)
}

/**
 * One CSV cell (RFC 4180), the same for the API's `format=csv` answers and the dashboard's exports:
 * null is an empty cell, quotes only where needed, and a text starting with =, +, - or @ (not a number) is
 * prefixed with ' so a spreadsheet does not run merchant-supplied names as formulas.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return ''
  const text = String(value)
  const safe = /^[=+@]/.test(text) || (/^-/.test(text) && Number.isNaN(Number(text))) ? `'${text}` : text
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

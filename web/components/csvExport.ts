import { csvCell } from '../../server/contract.ts'

export type CsvValue = string | number | boolean | null | undefined

/** A table ready for export: raw values (unformatted numbers) so spreadsheets can compute with them. */
export interface CsvTable {
  filename: string
  columns: readonly string[]
  rows: readonly (readonly CsvValue[])[]
}

export function toCsv(table: CsvTable): string {
  return [table.columns, ...table.rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

export function downloadCsv(table: CsvTable): void {
  const url = URL.createObjectURL(new Blob([toCsv(table)], { type: 'text/csv;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = table.filename.endsWith('.csv') ? table.filename : `${table.filename}.csv`
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

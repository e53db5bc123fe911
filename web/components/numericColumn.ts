import type { ReactNode } from 'react'
import type { Column } from './DataTable.tsx'

/** A right-aligned column of one number per row: the raw number sorts and exports, `show` formats it. */
export function numericColumn<Row>(
  key: string,
  label: string,
  value: (row: Row) => number | null,
  show: (value: number | null) => ReactNode,
): Column<Row> {
  return { key, label, value, render: (row) => show(value(row)), numeric: true }
}

import { useState, type ReactNode } from 'react'
import type { CsvTable, CsvValue } from './csvExport.ts'

export interface Column<Row> {
  key: string
  label: string
  /** The raw value: sorts the column and goes into the CSV. */
  value: (row: Row) => CsvValue
  /** How the value is shown; the raw value when omitted. */
  render?: (row: Row) => ReactNode
  numeric?: boolean
}

interface DataTableProps<Row> {
  columns: readonly Column<Row>[]
  rows: readonly Row[]
  caption: string
  rowKey: (row: Row, index: number) => string
  /** Sortable by clicking a header; the initial order is the rows' own. */
  sortable?: boolean
  initialSort?: { key: string; descending: boolean }
  maxHeight?: number
}

function compare(a: CsvValue, b: CsvValue): number {
  if (a === b) return 0
  if (a === null || a === undefined) return 1
  if (b === null || b === undefined) return -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a).localeCompare(String(b))
}

export function DataTable<Row>({
  columns,
  rows,
  caption,
  rowKey,
  sortable,
  initialSort,
  maxHeight,
}: DataTableProps<Row>) {
  const [sort, setSort] = useState<{ key: string; descending: boolean } | null>(initialSort ?? null)
  const sortColumn = sort ? columns.find((column) => column.key === sort.key) : undefined
  const shown =
    sort && sortColumn
      ? [...rows].sort((a, b) => {
          const order = compare(sortColumn.value(a), sortColumn.value(b))
          return sort.descending ? -order : order
        })
      : rows

  return (
    <div
      className="table-wrap"
      style={maxHeight ? { maxHeight } : undefined}
      tabIndex={0}
      role="region"
      aria-label={caption}
    >
      <table className="data-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const active = sort?.key === column.key
              const ariaSort = active ? (sort.descending ? 'descending' : 'ascending') : 'none'
              return (
                <th
                  key={column.key}
                  scope="col"
                  className={column.numeric ? 'numeric' : undefined}
                  aria-sort={sortable ? ariaSort : undefined}
                >
                  {sortable ? (
                    <button
                      type="button"
                      className="sort-button"
                      onClick={() =>
                        setSort({
                          key: column.key,
                          descending: active ? !sort.descending : Boolean(column.numeric),
                        })
                      }
                    >
                      {column.label}
                      <span aria-hidden="true" className="sort-mark">
                        {active ? (sort.descending ? '▼' : '▲') : ''}
                      </span>
                    </button>
                  ) : (
                    column.label
                  )}
                </th>
              )
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((row, index) => (
            <tr key={rowKey(row, index)}>
              {columns.map((column) => (
                <td key={column.key} className={column.numeric ? 'numeric' : undefined}>
                  {column.render ? column.render(row) : String(column.value(row) ?? '')}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** The CSV of a table's columns (raw values) over its rows. */
export function csvOf<Row>(
  filename: string,
  columns: readonly Column<Row>[],
  rows: readonly Row[],
): CsvTable {
  return {
    filename,
    columns: columns.map((column) => column.key),
    rows: rows.map((row) => columns.map((column) => column.value(row))),
  }
}

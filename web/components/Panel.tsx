import { useId, useState, type ReactNode } from 'react'
import type { QueryState } from '../api/useApiQuery.ts'
import { downloadCsv, type CsvTable } from './csvExport.ts'
import { SegmentedControl } from './SegmentedControl.tsx'

/** Every answer of the API carries its rows, so a panel knows when there is nothing to show. */
interface PanelProps<T extends { rows: readonly unknown[] }> {
  title: string
  query: QueryState<T>
  description?: ReactNode
  /** When there is nothing to show; no rows by default. */
  isEmpty?: (data: T) => boolean
  empty?: ReactNode
  /** Every table and chart exports what it shows. */
  csv?: (data: T) => CsvTable
  /** With both chart and table, a switch shows one or the other; the table is the chart's text alternative. */
  chart?: (data: T) => ReactNode
  table?: (data: T) => ReactNode
  children?: (data: T) => ReactNode
  /** Controls of the panel itself (e.g. a metric switch), shown next to the title. */
  controls?: ReactNode
  footer?: (data: T) => ReactNode
  className?: string
  testId?: string
}

type View = 'chart' | 'table'
const views: readonly { value: View; label: string }[] = [
  { value: 'chart', label: 'Chart' },
  { value: 'table', label: 'Table' },
]

/** The one frame for every widget: title, loading, error, empty, CSV export and the chart/table switch. */
export function Panel<T extends { rows: readonly unknown[] }>(props: PanelProps<T>) {
  const { title, query, description, empty, csv, chart, table, children, controls, footer } = props
  const isEmpty = props.isEmpty ?? ((data: T) => data.rows.length === 0)
  const [view, setView] = useState<View>('chart')
  const headingId = useId()
  const data = query.status === 'success' ? query.data : null
  const blank = data !== null && isEmpty(data)
  const showTable = !chart || view === 'table'

  return (
    <section
      className={`panel ${props.className ?? ''}`}
      aria-labelledby={headingId}
      aria-busy={query.status === 'loading'}
      data-testid={props.testId}
      data-state={query.status === 'success' ? (blank ? 'empty' : 'ready') : query.status}
    >
      <header className="panel-head">
        <div>
          <h2 id={headingId}>{title}</h2>
          {description && <p className="panel-description">{description}</p>}
        </div>
        <div className="panel-actions">
          {controls}
          {chart && table && (
            <SegmentedControl label={`${title}: view`} options={views} value={view} onChange={setView} />
          )}
          {csv && (
            <button
              type="button"
              className="button-quiet"
              disabled={data === null || blank}
              onClick={() => data !== null && downloadCsv(csv(data))}
              aria-label={`Export ${title} as CSV`}
            >
              Export CSV
            </button>
          )}
        </div>
      </header>
      <div className="panel-body">
        {query.status === 'loading' && (
          <div className="panel-state" role="status">
            <span className="spinner" aria-hidden="true" /> Loading…
          </div>
        )}
        {query.status === 'error' && (
          <div className="panel-state panel-error" role="alert">
            <strong>Could not load this.</strong> {query.error.message}
          </div>
        )}
        {data !== null && blank && (
          <div className="panel-state panel-empty">{empty ?? 'No data for these filters.'}</div>
        )}
        {data !== null && !blank && (
          <>
            {chart && !showTable && chart(data)}
            {table && showTable && table(data)}
            {children?.(data)}
            {footer?.(data)}
          </>
        )}
      </div>
    </section>
  )
}

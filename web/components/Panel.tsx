import { useId, useState, type ReactNode } from 'react'
import type { QueryState } from '../api/useApiQuery.ts'
import { downloadCsv, type CsvTable } from './csvExport.ts'

interface PanelProps<T> {
  title: string
  query: QueryState<T>
  description?: ReactNode
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

/** The one frame for every widget: title, loading, error, empty, CSV export and the chart/table switch. */
export function Panel<T>(props: PanelProps<T>) {
  const { title, query, description, isEmpty, empty, csv, chart, table, children, controls, footer } = props
  const [view, setView] = useState<'chart' | 'table'>('chart')
  const headingId = useId()
  const data = query.status === 'success' ? query.data : null
  const blank = data !== null && isEmpty?.(data) === true
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
            <div className="segmented" role="group" aria-label={`${title}: view`}>
              <button type="button" aria-pressed={view === 'chart'} onClick={() => setView('chart')}>
                Chart
              </button>
              <button type="button" aria-pressed={view === 'table'} onClick={() => setView('table')}>
                Table
              </button>
            </div>
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

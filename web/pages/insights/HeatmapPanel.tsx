import { useState } from 'react'
import type { SalesByTime, TimeRow } from '../../../server/contract.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import { HeatmapChart } from '../../charts/HeatmapChart.tsx'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'

type HeatMetric = 'revenue' | 'transactions'

// ISO weekdays 1 = Monday .. 7 = Sunday, named in the browser's language (2024-01-01 was a Monday).
const weekdays = Array.from({ length: 7 }, (_, i) =>
  new Intl.DateTimeFormat(undefined, { weekday: 'short', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1 + i)),
)
const hours = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}h`)

export function HeatmapPanel({ query }: { query: QueryState<SalesByTime> }) {
  const [metric, setMetric] = useState<HeatMetric>('revenue')
  const columnsFor = (currency: string): Column<TimeRow>[] => {
    const format = createNumberFormat(currency)
    return [
      {
        key: 'dayOfWeek',
        label: 'Weekday (1 = Mon)',
        value: (r) => r.dayOfWeek,
        render: (r) => weekdays[(r.dayOfWeek ?? 1) - 1],
      },
      { key: 'hour', label: 'Hour', value: (r) => Number(r.bucket), render: (r) => hours[Number(r.bucket)] },
      {
        key: 'transactions',
        label: 'Transactions',
        value: (r) => r.transactions,
        render: (r) => format.number(r.transactions),
        numeric: true,
      },
      {
        key: 'revenue',
        label: 'Revenue',
        value: (r) => r.revenue,
        render: (r) => format.money(r.revenue),
        numeric: true,
      },
    ]
  }
  return (
    <Panel
      title="When you sell"
      description="Hour of day by weekday, in local time"
      query={query}
      testId="heatmap"
      isEmpty={(data) => data.rows.length === 0}
      controls={
        <div className="segmented" role="group" aria-label="Heatmap metric">
          <button type="button" aria-pressed={metric === 'revenue'} onClick={() => setMetric('revenue')}>
            Revenue
          </button>
          <button
            type="button"
            aria-pressed={metric === 'transactions'}
            onClick={() => setMetric('transactions')}
          >
            Transactions
          </button>
        </div>
      }
      csv={(data) =>
        csvOf(`hours-${data.merchantId}-${data.from}-${data.to}`, columnsFor(data.currency), data.rows)
      }
      chart={(data) => {
        const format = createNumberFormat(data.currency)
        return (
          <HeatmapChart
            rowLabels={weekdays}
            columnLabels={hours}
            cells={data.rows.map((r) => ({
              row: (r.dayOfWeek ?? 1) - 1,
              column: Number(r.bucket),
              value: r[metric],
            }))}
            format={metric === 'revenue' ? format.money : (v) => format.number(v)}
            valueName={metric === 'revenue' ? 'Revenue' : 'Transactions'}
          />
        )
      }}
      table={(data) => (
        <DataTable
          caption="Sales by weekday and hour"
          columns={columnsFor(data.currency)}
          rows={data.rows}
          rowKey={(r) => `${r.dayOfWeek}-${r.bucket}`}
          sortable
          maxHeight={420}
        />
      )}
    />
  )
}

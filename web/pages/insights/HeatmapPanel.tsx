import { useState } from 'react'
import type { SalesByTime, TimeRow } from '../../../server/contract.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import { HeatmapChart } from '../../charts/HeatmapChart.tsx'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { numericColumn } from '../../components/numericColumn.ts'
import { Panel } from '../../components/Panel.tsx'
import { SegmentedControl } from '../../components/SegmentedControl.tsx'

type HeatMetric = 'revenue' | 'transactions'
const metrics: readonly { value: HeatMetric; label: string }[] = [
  { value: 'revenue', label: 'Revenue' },
  { value: 'transactions', label: 'Transactions' },
]

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
      numericColumn('transactions', 'Transactions', (r) => r.transactions, format.number),
      numericColumn('revenue', 'Revenue', (r) => r.revenue, format.money),
    ]
  }
  return (
    <Panel
      title="When you sell"
      description="Hour of day by weekday, in local time"
      query={query}
      testId="heatmap"
      controls={
        <SegmentedControl label="Heatmap metric" options={metrics} value={metric} onChange={setMetric} />
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

import { useState } from 'react'
import type { SalesByTime, TimeRow } from '../../../server/contract.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import { HeatmapChart } from '../../charts/HeatmapChart.tsx'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { numericColumn } from '../../components/numericColumn.ts'
import { Panel } from '../../components/Panel.tsx'
import { SegmentedControl } from '../../components/SegmentedControl.tsx'
import { hourLabels, weekdayNames } from '../../components/weekdayNames.ts'

type HeatMetric = 'revenue' | 'transactions'
const metrics: readonly { value: HeatMetric; label: string }[] = [
  { value: 'revenue', label: 'Revenue' },
  { value: 'transactions', label: 'Transactions' },
]

export function HeatmapPanel({ query }: { query: QueryState<SalesByTime> }) {
  const [metric, setMetric] = useState<HeatMetric>('revenue')
  const columnsFor = (currency: string): Column<TimeRow>[] => {
    const format = createNumberFormat(currency)
    return [
      {
        key: 'dayOfWeek',
        label: 'Weekday (1 = Mon)',
        value: (r) => r.dayOfWeek,
        render: (r) => weekdayNames[(r.dayOfWeek ?? 1) - 1],
      },
      {
        key: 'hour',
        label: 'Hour',
        value: (r) => Number(r.bucket),
        render: (r) => hourLabels[Number(r.bucket)],
      },
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
            rowLabels={weekdayNames}
            columnLabels={hourLabels}
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

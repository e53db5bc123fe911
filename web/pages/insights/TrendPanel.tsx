import { useState } from 'react'
import type { SalesByTime } from '../../../server/contract.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import { TrendChart } from '../../charts/TrendChart.tsx'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'
import { SelectField } from '../../components/SelectField.tsx'
import { trendSeries, type TrendMetric, type TrendPoint } from './trendSeries.ts'

const metricLabels: Record<TrendMetric, string> = {
  revenue: 'Revenue',
  transactions: 'Transactions',
  quantity: 'Items',
}
const metrics = (['revenue', 'transactions', 'quantity'] as const).map((value) => ({
  value,
  label: metricLabels[value],
}))
const grainLabels: Record<string, string> = {
  hour: 'per hour',
  day: 'per day',
  week: 'per week',
  month: 'per month',
}

export function TrendPanel({
  query,
  compareLabel,
}: {
  query: QueryState<SalesByTime>
  compareLabel: string | null
}) {
  const [metric, setMetric] = useState<TrendMetric>('revenue')
  const formatFor = (data: SalesByTime) => {
    const format = createNumberFormat(data.currency)
    return metric === 'revenue' ? format.money : (v: number | null | undefined) => format.number(v, 1)
  }
  const columnsFor = (data: SalesByTime): Column<TrendPoint>[] => {
    const show = formatFor(data)
    return [
      { key: 'bucket', label: 'Period', value: (p) => p.bucket, render: (p) => p.label },
      {
        key: metric,
        label: metricLabels[metric],
        value: (p) => p.current,
        render: (p) => show(p.current),
        numeric: true,
      },
      ...(data.comparison
        ? [
            { key: 'comparisonBucket', label: 'Compared with', value: (p: TrendPoint) => p.comparisonBucket },
            {
              key: `comparison_${metric}`,
              label: compareLabel ?? 'Comparison',
              value: (p: TrendPoint) => p.previous,
              render: (p: TrendPoint) => show(p.previous),
              numeric: true,
            },
          ]
        : []),
    ]
  }
  return (
    <Panel
      title="Trend"
      description={
        query.status === 'success'
          ? `${metricLabels[metric]} ${grainLabels[query.data.grain] ?? ''}`
          : undefined
      }
      query={query}
      testId="trend"
      isEmpty={(data) => data.rows.length === 0 && (data.comparison?.rows.length ?? 0) === 0}
      controls={
        <SelectField label="Trend metric" hideLabel options={metrics} value={metric} onChange={setMetric} />
      }
      csv={(data) =>
        csvOf(`trend-${data.merchantId}-${data.from}-${data.to}`, columnsFor(data), trendSeries(data, metric))
      }
      chart={(data) => (
        <TrendChart
          data={trendSeries(data, metric)}
          format={formatFor(data)}
          axisFormat={metric === 'revenue' ? createNumberFormat(data.currency).moneyShort : undefined}
          currentName={`${data.from} – ${data.to}`}
          previousName={
            data.comparison
              ? `${compareLabel ?? 'Comparison'} (${data.comparison.from} – ${data.comparison.to})`
              : undefined
          }
        />
      )}
      table={(data) => (
        <DataTable
          caption="Trend"
          columns={columnsFor(data)}
          rows={trendSeries(data, metric)}
          rowKey={(p) => p.bucket}
          maxHeight={320}
        />
      )}
    />
  )
}

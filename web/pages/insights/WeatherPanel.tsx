import { useState } from 'react'
import type { SalesByWeather, WeatherRow } from '../../../server/contract.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import { BarsChart } from '../../charts/BarsChart.tsx'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { numericColumn } from '../../components/numericColumn.ts'
import { Panel } from '../../components/Panel.tsx'
import { SegmentedControl } from '../../components/SegmentedControl.tsx'
import { weatherLabel } from './weatherLabel.ts'

type WeatherMetric = 'revenuePerHour' | 'lift'
const metrics: readonly { value: WeatherMetric; label: string }[] = [
  { value: 'revenuePerHour', label: 'Per open hour' },
  { value: 'lift', label: 'Lift' },
]

/** Bars resting on fewer open hours than this are drawn muted: too little evidence to read much into. */
const thinEvidenceHours = 20

export function WeatherPanel({
  query,
  by,
}: {
  query: QueryState<SalesByWeather>
  by: 'condition' | 'temperature'
}) {
  const [metric, setMetric] = useState<WeatherMetric>('revenuePerHour')
  const columnsFor = (currency: string): Column<WeatherRow>[] => {
    const format = createNumberFormat(currency)
    return [
      {
        key: 'bucket',
        label: by === 'condition' ? 'Condition' : 'Temperature',
        value: (r) => r.bucket,
        render: (r) => weatherLabel(by, r.bucket),
      },
      numericColumn('openHours', 'Open hours', (r) => r.openHours, format.number),
      numericColumn('revenue', 'Revenue', (r) => r.revenue, format.money),
      numericColumn('revenuePerHour', 'Revenue per open hour', (r) => r.revenuePerHour, format.money),
      numericColumn(
        'lift',
        'Lift',
        (r) => r.lift,
        (v) => (v === null ? 'n/a' : `${format.number(v, 2)}×`),
      ),
      numericColumn('liftHours', 'Hours in lift', (r) => r.liftHours, format.number),
    ]
  }
  return (
    <Panel
      title={by === 'condition' ? 'Weather: by condition' : 'Weather: by temperature'}
      description={
        metric === 'lift'
          ? `Revenue against like-for-like hours (same store, weekday and hour); 1.0× = as expected. Labels: hours behind each bar; grey bars rest on fewer than ${thinEvidenceHours}.`
          : `Revenue per open hour. Labels: open hours behind each bar; grey bars rest on fewer than ${thinEvidenceHours}.`
      }
      query={query}
      testId={`weather-${by}`}
      empty={
        query.status === 'success' && query.data.notice
          ? query.data.notice
          : 'No weather observations for these stores and dates.'
      }
      controls={
        <SegmentedControl label="Weather metric" options={metrics} value={metric} onChange={setMetric} />
      }
      csv={(data) =>
        csvOf(
          `weather-${by}-${data.merchantId}-${data.from}-${data.to}`,
          columnsFor(data.currency),
          data.rows,
        )
      }
      chart={(data) => {
        const format = createNumberFormat(data.currency)
        const rows = metric === 'lift' ? data.rows.filter((r) => r.lift !== null) : data.rows
        return (
          <BarsChart
            layout="vertical"
            data={rows.map((r) => {
              const hours = metric === 'lift' ? r.liftHours : r.openHours
              return {
                label: weatherLabel(by, r.bucket, 'short'),
                value: metric === 'lift' ? (r.lift ?? 0) : r.revenuePerHour,
                note: `${format.number(hours)} h`,
                muted: hours < thinEvidenceHours,
              }
            })}
            format={metric === 'lift' ? (v) => `${format.number(v, 2)}×` : format.moneyShort}
            valueName={metric === 'lift' ? 'Lift' : 'Revenue per open hour'}
            baseline={metric === 'lift' ? 1 : undefined}
          />
        )
      }}
      table={(data) => (
        <DataTable
          caption={`Weather by ${by}`}
          columns={columnsFor(data.currency)}
          rows={data.rows}
          rowKey={(r) => r.bucket}
          sortable
        />
      )}
      footer={(data) => (data.notice ? <p className="panel-note">{data.notice}</p> : null)}
    />
  )
}

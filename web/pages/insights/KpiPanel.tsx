import type { Summary, SummaryRow } from '../../../server/contract.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import { createNumberFormat, type NumberFormat } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'

const kpis: { key: keyof SummaryRow; label: string; show: (f: NumberFormat, v: number | null) => string }[] =
  [
    { key: 'revenue', label: 'Revenue', show: (f, v) => f.money(v) },
    { key: 'transactions', label: 'Transactions', show: (f, v) => f.number(v) },
    { key: 'items', label: 'Items sold', show: (f, v) => f.number(v, 1) },
    { key: 'averageTicket', label: 'Average ticket', show: (f, v) => f.money(v) },
    { key: 'customers', label: 'Customers', show: (f, v) => f.number(v) },
    { key: 'touristShare', label: 'Tourist share', show: (f, v) => f.percent(v) },
  ]

function changeOf(summary: Summary, key: keyof SummaryRow): number | null {
  const given = summary.changes?.[key]
  if (given !== undefined) return given
  const now = summary.rows[0]?.[key]
  const before = summary.comparison?.rows[0]?.[key]
  if (typeof now !== 'number' || typeof before !== 'number' || before === 0) return null
  return now / before - 1
}

export function KpiPanel({
  query,
  compareLabel,
}: {
  query: QueryState<Summary>
  compareLabel: string | null
}) {
  return (
    <Panel
      title="Key figures"
      query={query}
      testId="kpis"
      className="panel-kpis"
      csv={(data) => {
        const row = data.rows[0]
        const before = data.comparison?.rows[0]
        return {
          filename: `summary-${data.merchantId}-${data.from}-${data.to}`,
          columns: ['metric', 'value', 'comparisonValue', 'change', 'currency'],
          rows: kpis.map((kpi) => [
            kpi.key,
            row?.[kpi.key],
            before?.[kpi.key],
            changeOf(data, kpi.key),
            data.currency,
          ]),
        }
      }}
    >
      {(data) => {
        const format = createNumberFormat(data.currency)
        const row = data.rows[0]
        const before = data.comparison?.rows[0]
        return (
          <dl className="kpis">
            {kpis.map((kpi) => {
              const change = changeOf(data, kpi.key)
              const tone = change === null || change === 0 ? 'flat' : change > 0 ? 'up' : 'down'
              return (
                <div key={kpi.key} className="kpi" data-testid={`kpi-${kpi.key}`}>
                  <dt>{kpi.label}</dt>
                  <dd className="kpi-value" title={kpi.show(format, row?.[kpi.key] ?? null)}>
                    {kpi.show(format, row?.[kpi.key] ?? null)}
                  </dd>
                  {compareLabel && data.comparison && (
                    <dd className={`kpi-change ${tone}`}>
                      <span className="visually-hidden">Change against {compareLabel}: </span>
                      {format.change(change)}
                      <span className="kpi-before"> vs {kpi.show(format, before?.[kpi.key] ?? null)}</span>
                    </dd>
                  )}
                </div>
              )
            })}
          </dl>
        )
      }}
    </Panel>
  )
}

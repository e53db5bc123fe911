import type { CustomerOrigins, OriginRow } from '../../../server/contract.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import { BarsChart } from '../../charts/BarsChart.tsx'
import { countryName } from '../../components/countryName.ts'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'
import { hiddenGroupText } from '../../components/privateCount.ts'
import { SuppressedNote } from '../../components/SuppressedNote.tsx'

function columnsFor(data: CustomerOrigins): Column<OriginRow>[] {
  const format = createNumberFormat(data.currency)
  // Hidden groups are never shown as a number, not even in the export.
  const fewer = hiddenGroupText(data.rows, data.privacyThreshold, false)
  return [
    {
      key: 'homeCountry',
      label: 'Home country',
      value: (r) => r.homeCountry,
      render: (r) => countryName(r.homeCountry),
    },
    {
      key: 'tourist',
      label: 'Visitor',
      value: (r) => (r.tourist ? 'tourist' : 'local'),
      render: (r) => (r.tourist ? 'Tourist' : 'Local'),
    },
    {
      key: 'customers',
      label: 'Customers',
      value: (r) => (r.suppressed ? fewer : r.customers),
      render: (r) => (r.suppressed ? fewer : format.number(r.customers)),
      numeric: true,
    },
    {
      key: 'revenue',
      label: 'Revenue',
      value: (r) => (r.suppressed ? null : r.revenue),
      render: (r) => (r.suppressed ? '–' : format.money(r.revenue)),
      numeric: true,
    },
    {
      key: 'share',
      label: 'Share of revenue',
      value: (r) => (r.suppressed ? null : r.share),
      render: (r) => (r.suppressed ? '–' : format.percent(r.share)),
      numeric: true,
    },
  ]
}

export function OriginsPanel({ query }: { query: QueryState<CustomerOrigins> }) {
  return (
    <Panel
      title="Where your customers come from"
      description={
        query.status === 'success'
          ? `Share of revenue by the customers' home country (tourists in colour, locals in grey). Groups of fewer than ${query.data.privacyThreshold} customers are not counted out, to protect their privacy.`
          : undefined
      }
      query={query}
      testId="origins"
      empty="No customer with a known home country in this range."
      csv={(data) => csvOf(`origins-${data.merchantId}-${data.from}-${data.to}`, columnsFor(data), data.rows)}
      chart={(data) => {
        const format = createNumberFormat(data.currency)
        // Largest share first: the answer comes ordered by customers, which the bars do not show.
        const shown = data.rows
          .filter((r) => !r.suppressed && r.share !== null)
          .sort((a, b) => (b.share ?? 0) - (a.share ?? 0))
        return (
          <BarsChart
            data={shown.map((r) => ({
              label: `${countryName(r.homeCountry)}${r.tourist ? '' : ' (local)'}`,
              value: r.share ?? 0,
              note: format.percent(r.share),
              muted: !r.tourist,
            }))}
            format={(v) => format.percent(v, 0)}
            valueName="Share of revenue"
          />
        )
      }}
      table={(data) => (
        <DataTable
          caption="Customers by home country"
          columns={columnsFor(data)}
          rows={data.rows}
          rowKey={(r) => `${r.homeCountry}-${r.tourist}`}
          sortable
        />
      )}
      footer={(data) => (
        <SuppressedNote
          groups={data.rows}
          threshold={data.privacyThreshold}
          of="customers"
          wholeHidden={false}
        />
      )}
    />
  )
}

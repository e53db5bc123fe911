import { Link } from 'react-router'
import type { Merchant } from '../../server/contract.ts'
import { useMerchants } from '../api/foundationHooks.ts'
import { csvOf, DataTable, type Column } from '../components/DataTable.tsx'
import { formatInstant } from '../components/numberFormat.ts'
import { Panel } from '../components/Panel.tsx'

const columns: Column<Merchant>[] = [
  {
    key: 'name',
    label: 'Merchant',
    value: (m) => m.name,
    render: (m) => (
      <Link to={`/insights?merchant=${encodeURIComponent(m.merchantId)}`} className="strong-link">
        {m.name}
      </Link>
    ),
  },
  { key: 'merchantId', label: 'Id', value: (m) => m.merchantId, render: (m) => <code>{m.merchantId}</code> },
  { key: 'stores', label: 'Stores', value: (m) => m.stores, numeric: true },
  { key: 'cities', label: 'Cities', value: (m) => m.cities.join('; '), render: (m) => m.cities.join(', ') },
  { key: 'currency', label: 'Currency', value: (m) => m.currency },
  { key: 'timezone', label: 'Time zone', value: (m) => m.timezone },
  {
    key: 'lastSaleAt',
    label: 'Last sale',
    value: (m) => m.lastSaleAt,
    render: (m) => (m.lastSaleAt ? formatInstant(m.lastSaleAt) : 'no sales yet'),
  },
]

export function MerchantsPage() {
  const merchants = useMerchants()
  return (
    <div className="page">
      <h1>Merchants</h1>
      <Panel
        title="Merchants you can see"
        query={merchants}
        testId="merchants"
        empty="No merchant yet. Load stores or transactions on the Data page."
        csv={(data) => csvOf('merchants', columns, data.rows)}
        table={(data) => (
          <DataTable
            caption="Merchants"
            columns={columns}
            rows={data.rows}
            rowKey={(m) => m.merchantId}
            sortable
          />
        )}
      />
    </div>
  )
}

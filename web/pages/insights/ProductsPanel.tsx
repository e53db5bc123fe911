import type { ProductRow, SalesByProduct } from '../../../server/contract.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import { BarsChart } from '../../charts/BarsChart.tsx'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'

interface ProductsPanelProps {
  query: QueryState<SalesByProduct>
  top: number
  onTopChange: (top: number) => void
}

function columnsFor(currency: string): Column<ProductRow>[] {
  const format = createNumberFormat(currency)
  return [
    { key: 'product', label: 'Product', value: (r) => r.product },
    { key: 'category', label: 'Category', value: (r) => r.category },
    {
      key: 'quantity',
      label: 'Quantity',
      value: (r) => r.quantity,
      render: (r) => format.number(r.quantity, 1),
      numeric: true,
    },
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

export function ProductsPanel({ query, top, onTopChange }: ProductsPanelProps) {
  return (
    <Panel
      title="Sales by product"
      description={`Top ${top} by revenue`}
      query={query}
      testId="products"
      isEmpty={(data) => data.rows.length === 0}
      controls={
        <label className="inline-field">
          <span className="visually-hidden">Number of products</span>
          <select value={top} onChange={(event) => onTopChange(Number(event.target.value))}>
            {[10, 20, 50].map((n) => (
              <option key={n} value={n}>
                Top {n}
              </option>
            ))}
          </select>
        </label>
      }
      csv={(data) =>
        csvOf(
          `products-${data.merchantId}-${data.from}-${data.to}`,
          [
            { key: 'productId', label: 'Id', value: (r: ProductRow) => r.productId },
            ...columnsFor(data.currency),
          ],
          data.rows,
        )
      }
      chart={(data) => {
        const format = createNumberFormat(data.currency)
        return (
          <BarsChart
            data={data.rows.map((r) => ({
              label: r.product,
              value: r.revenue,
              note: format.moneyShort(r.revenue),
            }))}
            format={format.moneyShort}
            valueName="Revenue"
          />
        )
      }}
      table={(data) => (
        <DataTable
          caption="Sales by product"
          columns={columnsFor(data.currency)}
          rows={data.rows}
          rowKey={(r) => r.productId}
          sortable
          initialSort={{ key: 'revenue', descending: true }}
          maxHeight={480}
        />
      )}
    />
  )
}

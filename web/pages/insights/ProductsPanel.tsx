import type { ProductRow, SalesByProduct } from '../../../server/contract.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import { BarsChart } from '../../charts/BarsChart.tsx'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { numericColumn } from '../../components/numericColumn.ts'
import { Panel } from '../../components/Panel.tsx'
import { SelectField } from '../../components/SelectField.tsx'
import { productLabels } from '../../components/productLabels.ts'

interface ProductsPanelProps {
  query: QueryState<SalesByProduct>
  top: number
  onTopChange: (top: number) => void
}

const topChoices = [10, 20, 50].map((n) => ({ value: String(n), label: `Top ${n}` }))

/** The table's columns; `label` names a row's product (the CSV export has the id in a column of its own). */
function columnsFor(
  currency: string,
  label: (r: ProductRow) => string = (r) => r.product,
): Column<ProductRow>[] {
  const format = createNumberFormat(currency)
  return [
    { key: 'product', label: 'Product', value: label },
    { key: 'category', label: 'Category', value: (r) => r.category },
    numericColumn(
      'quantity',
      'Quantity',
      (r) => r.quantity,
      (v) => format.number(v, 1),
    ),
    numericColumn('transactions', 'Transactions', (r) => r.transactions, format.number),
    numericColumn('revenue', 'Revenue', (r) => r.revenue, format.money),
  ]
}

export function ProductsPanel({ query, top, onTopChange }: ProductsPanelProps) {
  return (
    <Panel
      title="Sales by product"
      description={`Top ${top} by revenue`}
      query={query}
      testId="products"
      controls={
        <SelectField
          label="Number of products"
          hideLabel
          options={topChoices}
          value={String(top)}
          onChange={(value) => onTopChange(Number(value))}
        />
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
        const label = productLabels(data.rows)
        return (
          <BarsChart
            data={data.rows.map((r) => ({
              label: label(r),
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
          columns={columnsFor(data.currency, productLabels(data.rows))}
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

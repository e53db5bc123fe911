import { describe, expect, it } from 'vitest'
import type { ProductRow } from '../../server/contract.ts'
import { productLabels } from '../../web/components/productLabels.ts'

const row = (productId: string, product: string): ProductRow => ({
  productId,
  product,
  category: 'Coffee',
  quantity: 1,
  revenue: 1,
  transactions: 1,
})

describe('productLabels', () => {
  it('names each product, and adds the id only where two products of the answer share a name', () => {
    const rows = [
      row('cold-brew', 'Cold Brew'),
      row('cb-01', 'Cold Brew'),
      row('latte', 'Latte'),
      // No name: the server answers the id, which needs no id beside it.
      row('sku-9', 'sku-9'),
      // The same id again (another merchant's answer): still one product of that name.
      row('latte', 'Latte'),
    ]
    expect(rows.map(productLabels(rows))).toEqual([
      'Cold Brew (cold-brew)',
      'Cold Brew (cb-01)',
      'Latte',
      'sku-9',
      'Latte',
    ])
  })
})

import type { ProductRow } from '../../server/contract.ts'

/**
 * What the dashboard calls each product of an answer: its name, or its name and id where another product
 * id has that name too (a merchant that gave two ids one name, or loads from two systems), so two bars or
 * rows never look like one product. Rows of one id (several merchants' answers together) count once.
 */
export function productLabels(rows: readonly ProductRow[]): (row: ProductRow) => string {
  const idsOfName = new Map<string, Set<string>>()
  for (const r of rows) idsOfName.set(r.product, (idsOfName.get(r.product) ?? new Set()).add(r.productId))
  return (r) =>
    (idsOfName.get(r.product)?.size ?? 0) > 1 && r.product !== r.productId
      ? `${r.product} (${r.productId})`
      : r.product
}

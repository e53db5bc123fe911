import type { SegmentCell, SegmentPreview } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { privateCount, suppressSmallGroups } from './privacy.ts'
import { segmentCustomersSql } from './segmentCustomersSql.ts'
import type { SegmentScope } from './segmentScope.ts'

/** Exact member counts by home country and visitor type: never shown as they are (see segmentPreview). */
export interface SegmentCounts {
  total: number
  byHomeCountry: Map<string, number>
  byVisitor: Map<string, number>
}

/** The key of a group without a known home country. */
const unknownKey = 'unknown'

/** Exact sizes of a segment's groups, computed inside ClickHouse in one pass over the lines. */
export async function segmentCounts(db: Db, scope: SegmentScope): Promise<SegmentCounts> {
  const audience = segmentCustomersSql(db, scope)
  const groups = await audience.guard(async () => {
    const result = await db.client.query({
      query: `
      WITH ${audience.ctes}
      groups AS (SELECT home, visitor, count() AS customers FROM segment_customers GROUP BY home, visitor)
      SELECT home, visitor, customers FROM groups ORDER BY home, visitor`,
      query_params: audience.params,
      format: 'JSONEachRow',
      clickhouse_settings: { log_comment: 'segmentPreview', join_use_nulls: 0 },
    })
    return result.json<{ home: string; visitor: string; customers: number }>()
  })
  const counts: SegmentCounts = { total: 0, byHomeCountry: new Map(), byVisitor: new Map() }
  for (const g of groups) {
    const home = g.home || unknownKey
    counts.total += g.customers
    counts.byHomeCountry.set(home, (counts.byHomeCountry.get(home) ?? 0) + g.customers)
    counts.byVisitor.set(g.visitor, (counts.byVisitor.get(g.visitor) ?? 0) + g.customers)
  }
  return counts
}

/**
 * Cells of one breakdown: each group under K hidden (with its complement, see suppressSmallGroups), shown
 * ones largest first and rounded down to tens, hidden ones after them by key. Nothing shows when the
 * whole segment is under K.
 */
export function breakdownCells(groups: Map<string, number>, threshold: number, total: number): SegmentCell[] {
  const sorted = [...groups].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  return suppressSmallGroups(
    sorted,
    total < threshold ? Infinity : threshold,
    ([, customers]) => customers,
    (a, b) => a[0].localeCompare(b[0]),
  ).map(({ group: [key, customers], hidden }) =>
    hidden ? { key, size: null, suppressed: true } : { key, ...privateCount(customers, threshold) },
  )
}

/** Audience size and breakdown of a rule set, as a marketer may see it. */
export async function segmentPreview(
  db: Db,
  scope: SegmentScope,
  threshold: number,
): Promise<SegmentPreview> {
  const counts = await segmentCounts(db, scope)
  return {
    merchantIds: scope.merchantIds,
    ...privateCount(counts.total, threshold),
    threshold,
    asOf: scope.asOf,
    breakdown: {
      byHomeCountry: breakdownCells(counts.byHomeCountry, threshold, counts.total),
      byVisitor: breakdownCells(counts.byVisitor, threshold, counts.total),
    },
  }
}

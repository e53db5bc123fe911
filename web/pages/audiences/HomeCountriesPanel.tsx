import type { SegmentCell, SegmentPreview } from '../../../server/contract.ts'
import { mapQueryState, type QueryState } from '../../api/useApiQuery.ts'
import { BarsChart } from '../../charts/BarsChart.tsx'
import { countryName } from '../../components/countryName.ts'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'
import { privateCount } from '../../components/privateCount.ts'
import { SuppressedNote } from '../../components/SuppressedNote.tsx'

const count = createNumberFormat('USD')
/** Bars beyond this many get too thin to read; the table has every group. */
const chartedGroups = 15

function columnsFor(threshold: number): Column<SegmentCell>[] {
  return [
    { key: 'homeCountry', label: 'Home country', value: (r) => r.key, render: (r) => countryName(r.key) },
    {
      key: 'customers',
      label: 'Customers',
      // Suppressed groups sort after every counted one and export as words, never as a number.
      value: (r) => (r.suppressed ? null : r.size),
      render: (r) => privateCount(r, threshold, count.number),
      numeric: true,
    },
  ]
}

/** Largest first; groups that are not counted last, by name. */
function ordered(cells: readonly SegmentCell[]): SegmentCell[] {
  return [...cells].sort(
    (a, b) => (b.size ?? -1) - (a.size ?? -1) || countryName(a.key).localeCompare(countryName(b.key)),
  )
}

/** The live segment by the customers' home country; each group is suppressed on its own. */
export function HomeCountriesPanel({ query }: { query: QueryState<SegmentPreview> }) {
  return (
    <Panel
      title="Where the audience comes from"
      description="Customers of the segment by home country"
      query={mapQueryState(query, (data) => ({ ...data, rows: ordered(data.breakdown.byHomeCountry) }))}
      testId="audience-countries"
      empty="No customer of this segment has a known home country, or the segment is too small to split."
      csv={(data) =>
        csvOf(
          `audience-countries-${data.merchantIds.join('+')}-${data.asOf}`,
          [
            ...columnsFor(data.threshold).slice(0, 1),
            {
              key: 'customers',
              label: 'Customers',
              value: (r: SegmentCell) => privateCount(r, data.threshold, String),
            },
          ],
          data.rows,
        )
      }
      chart={(data) => {
        const counted = data.rows.filter((r) => r.size !== null)
        return counted.length === 0 ? (
          <p className="panel-state">Every group has fewer than {data.threshold} customers.</p>
        ) : (
          <BarsChart
            data={counted.slice(0, chartedGroups).map((r) => ({
              label: countryName(r.key),
              value: r.size ?? 0,
              note: count.number(r.size),
            }))}
            format={(v) => count.number(v)}
            valueName="Customers"
          />
        )
      }}
      table={(data) => (
        <DataTable
          caption="Audience by home country"
          columns={columnsFor(data.threshold)}
          rows={data.rows}
          rowKey={(r) => r.key}
          sortable
          maxHeight={420}
        />
      )}
      footer={(data) => {
        const hidden = data.rows.filter((r) => r.suppressed).length
        return (
          <>
            {data.rows.length - hidden > chartedGroups && (
              <p className="panel-note">
                The chart shows the {chartedGroups} largest groups; the table lists all.
              </p>
            )}
            <SuppressedNote hidden={hidden} threshold={data.threshold} of="customers" />
          </>
        )
      }}
    />
  )
}

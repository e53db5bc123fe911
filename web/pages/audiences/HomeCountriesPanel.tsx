import type { SegmentCell, SegmentPreview } from '../../../server/contract.ts'
import { mapQueryState, type QueryState } from '../../api/useApiQuery.ts'
import { BarsChart } from '../../charts/BarsChart.tsx'
import { countryName } from '../../components/countryName.ts'
import { DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'
import { hiddenGroupText, privateCount } from '../../components/privateCount.ts'
import { SuppressedNote } from '../../components/SuppressedNote.tsx'

const count = createNumberFormat('USD')
/** Bars beyond this many get too thin to read; the table has every group. */
const chartedGroups = 15

const hiddenTextOf = (data: SegmentPreview) =>
  hiddenGroupText(data.breakdown.byHomeCountry, data.threshold, data.suppressed)

function columnsFor(data: SegmentPreview): Column<SegmentCell>[] {
  const hidden = hiddenTextOf(data)
  return [
    { key: 'homeCountry', label: 'Home country', value: (r) => r.key, render: (r) => countryName(r.key) },
    {
      key: 'customers',
      label: 'Customers',
      // Hidden groups sort after every counted one.
      value: (r) => (r.suppressed ? null : r.size),
      render: (r) => privateCount(r, data.threshold, count.number, hidden),
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
        // Hidden groups export as words, never as a number.
        ({
          filename: `audience-countries-${data.merchantIds.join('+')}-${data.asOf}`,
          columns: ['homeCountry', 'customers'],
          rows: data.rows.map((r) => [r.key, privateCount(r, data.threshold, String, hiddenTextOf(data))]),
        })
      }
      chart={(data) => {
        const counted = data.rows.filter((r) => r.size !== null)
        return counted.length === 0 ? (
          <p className="panel-state">No group is large enough to show.</p>
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
          columns={columnsFor(data)}
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
            <SuppressedNote
              groups={data.rows}
              threshold={data.threshold}
              of="customers"
              wholeHidden={data.suppressed}
            />
          </>
        )
      }}
    />
  )
}

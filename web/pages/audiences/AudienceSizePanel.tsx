import type { SegmentCell, SegmentPreview } from '../../../server/contract.ts'
import { mapQueryState, type QueryState } from '../../api/useApiQuery.ts'
import type { CsvTable } from '../../components/csvExport.ts'
import { DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat, formatLocalDate } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'
import { hiddenGroupText, privateCount } from '../../components/privateCount.ts'
import { SuppressedNote } from '../../components/SuppressedNote.tsx'

const count = createNumberFormat('USD')

const visitorLabels: Record<string, string> = {
  tourist: 'Tourists',
  local: 'Locals',
  unknown: 'Home country unknown',
}

/** A cell's share of the whole segment, when both are counted. */
function shareOf(cell: SegmentCell, total: number | null): number | null {
  return cell.size === null || !total ? null : cell.size / total
}

/** How a hidden cell of each breakdown reads (see hiddenGroupText). */
function hiddenTexts(data: SegmentPreview) {
  return {
    visitor: hiddenGroupText(data.breakdown.byVisitor, data.threshold, data.suppressed),
    homeCountry: hiddenGroupText(data.breakdown.byHomeCountry, data.threshold, data.suppressed),
  }
}

function visitorColumns(data: SegmentPreview): Column<SegmentCell>[] {
  const hidden = hiddenTexts(data).visitor
  return [
    { key: 'visitor', label: 'Visitor', value: (r) => r.key, render: (r) => visitorLabels[r.key] ?? r.key },
    {
      key: 'customers',
      label: 'Customers',
      value: (r) => privateCount(r, data.threshold, String, hidden),
      render: (r) => privateCount(r, data.threshold, count.number, hidden),
      numeric: true,
    },
    {
      key: 'share',
      label: 'Share',
      value: (r) => shareOf(r, data.size),
      render: (r) => count.percent(shareOf(r, data.size), 0),
      numeric: true,
    },
  ]
}

/** The whole preview as one file: the total, then each group of both breakdowns. */
export function previewCsv(data: SegmentPreview): CsvTable {
  const hidden = hiddenTexts(data)
  const row = (
    group: 'total' | 'visitor' | 'homeCountry',
    cell: { key: string; size: number | null; suppressed: boolean },
  ) => [
    group,
    cell.key,
    privateCount(cell, data.threshold, String, group === 'total' ? undefined : hidden[group]),
    data.asOf,
  ]
  return {
    filename: `audience-${data.merchantIds.join('+')}-${data.asOf}`,
    columns: ['group', 'key', 'customers', 'asOf'],
    rows: [
      row('total', { key: 'all', size: data.size, suppressed: data.suppressed }),
      ...data.breakdown.byVisitor.map((cell) => row('visitor', cell)),
      ...data.breakdown.byHomeCountry.map((cell) => row('homeCountry', cell)),
    ],
  }
}

interface AudienceSizePanelProps {
  query: QueryState<SegmentPreview>
  /** A newer answer is on its way (the figure shown is the previous rules'). */
  refreshing: boolean
}

/** The live size of the rules being edited, and how it splits into tourists and locals. */
export function AudienceSizePanel({ query, refreshing }: AudienceSizePanelProps) {
  return (
    <Panel
      title="Audience size"
      query={mapQueryState(query, (data) => ({ ...data, rows: data.breakdown.byVisitor }))}
      testId="audience-size"
      className={`audience-size-panel${refreshing ? ' refreshing' : ''}`}
      isEmpty={() => false}
      csv={previewCsv}
    >
      {(data) => (
        <>
          <p className="audience-size" aria-live="polite" aria-busy={refreshing}>
            <span className="audience-size-value" data-testid="audience-size-value">
              {privateCount(data, data.threshold, count.number)}
            </span>{' '}
            <span className="audience-size-unit">customers</span>
          </p>
          <p className="panel-note audience-size-note">
            {data.suppressed
              ? `Segments of fewer than ${data.threshold} customers are never counted out, to protect their privacy. Widen the rules to see a size.`
              : `Rounded down to tens; windows end ${formatLocalDate(data.asOf)}.`}
            {refreshing && ' Updating…'}
          </p>
          {data.breakdown.byVisitor.length > 0 && (
            <DataTable
              caption="Audience by visitor type"
              columns={visitorColumns(data)}
              rows={data.breakdown.byVisitor}
              rowKey={(r) => r.key}
            />
          )}
          {!data.suppressed && (
            <SuppressedNote
              groups={data.breakdown.byVisitor}
              threshold={data.threshold}
              of="customers"
              wholeHidden={data.suppressed}
            />
          )}
        </>
      )}
    </Panel>
  )
}

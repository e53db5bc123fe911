import type { OfferDailyRow, OfferGroupFigures, OfferPerformance } from '../../../server/contract.ts'
import { mapQueryState, type QueryState } from '../../api/useApiQuery.ts'
import { SeriesChart, type SeriesLine } from '../../charts/SeriesChart.tsx'
import { UpliftChart } from '../../charts/UpliftChart.tsx'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat, formatLocalDate } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'
import { privateCount } from '../../components/privateCount.ts'
import { upliftSentence } from './upliftSentence.ts'

interface GroupRow extends OfferGroupFigures {
  group: 'exposed' | 'heldOut'
  label: string
}

const groupLabels = { exposed: 'Saw the offer', heldOut: 'Held out' } as const

const groupRowsOf = (data: OfferPerformance): GroupRow[] =>
  (['exposed', 'heldOut'] as const).map((group) => ({ ...data[group], group, label: groupLabels[group] }))

const points = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
  signDisplay: 'exceptZero',
})
const showPoints = (share: number) => `${points.format(share * 100)} pts`

const methodNames: Record<OfferPerformance['uplift']['method'], string> = {
  newcombe_hybrid_score: 'Newcombe’s hybrid score interval for a difference of two proportions',
}

function groupColumns(data: OfferPerformance): Column<GroupRow>[] {
  const format = createNumberFormat(data.currency)
  const fewer = `fewer than ${data.privacyThreshold}`
  // A suppressed group shows no figure at all, not even in the export: any of them could reveal its size.
  const hidden = (r: GroupRow) => r.suppressed
  return [
    { key: 'group', label: 'Group', value: (r) => r.group, render: (r) => r.label },
    {
      key: 'customers',
      label: 'Customers',
      value: (r) => r.customers ?? fewer,
      render: (r) =>
        privateCount(
          { size: r.customers, suppressed: r.customers === null },
          data.privacyThreshold,
          format.number,
        ),
      numeric: true,
    },
    {
      key: 'converters',
      label: 'Bought',
      value: (r) => (hidden(r) ? null : r.converters),
      render: (r) => (hidden(r) ? '–' : format.number(r.converters)),
      numeric: true,
    },
    {
      key: 'conversionRate',
      label: 'Conversion',
      value: (r) => (hidden(r) ? null : r.conversionRate),
      render: (r) => (hidden(r) ? '–' : format.percent(r.conversionRate)),
      numeric: true,
    },
    {
      key: 'revenue',
      label: 'Their revenue',
      value: (r) => (hidden(r) ? null : r.revenue),
      render: (r) => (hidden(r) ? '–' : format.money(r.revenue)),
      numeric: true,
    },
    {
      key: 'revenuePerCustomer',
      label: 'Per customer',
      value: (r) => (hidden(r) ? null : r.revenuePerCustomer),
      render: (r) => (hidden(r) ? '–' : format.money(r.revenuePerCustomer)),
      numeric: true,
    },
  ]
}

/** Exposed against held-out conversion at the till, the difference with its interval, and the sentence. */
export function UpliftPanel({ query }: { query: QueryState<OfferPerformance> }) {
  const shaped = mapQueryState(query, (data) => ({ ...data, rows: groupRowsOf(data) }))
  return (
    <Panel
      title="Did it bring customers to the till?"
      description={
        query.status === 'success' ? (
          <span className="uplift-sentence" data-testid="uplift-sentence">
            {upliftSentence(query.data)}
          </span>
        ) : undefined
      }
      query={shaped}
      testId="uplift"
      isEmpty={(data) => data.rows.every((r) => r.conversionRate === null)}
      empty="No conversion rate to draw yet."
      csv={(data) => {
        const table = csvOf(`offer-${data.offerId}-groups`, groupColumns(data), data.rows)
        const { absolute, ci95, method } = data.uplift
        return {
          ...table,
          columns: [...table.columns, 'upliftAbsolute', 'ci95Low', 'ci95High', 'method'],
          rows: table.rows.map((row) => [...row, absolute, ci95?.[0] ?? null, ci95?.[1] ?? null, method]),
        }
      }}
      chart={(data) => {
        const format = createNumberFormat(data.currency)
        const { absolute, ci95 } = data.uplift
        return (
          <UpliftChart
            groups={data.rows.map((r) => ({
              label: r.label,
              rate: r.suppressed ? null : r.conversionRate,
              muted: r.group === 'heldOut',
            }))}
            difference={
              absolute !== null && ci95 !== null ? { value: absolute, low: ci95[0], high: ci95[1] } : null
            }
            format={(share) => format.percent(share)}
            formatPoints={showPoints}
          />
        )
      }}
      table={(data) => (
        <DataTable
          caption="Exposed and held-out customers"
          columns={groupColumns(data)}
          rows={data.rows}
          rowKey={(r) => r.group}
        />
      )}
      footer={(data) => (
        <p className="panel-note">
          A customer converts with a completed purchase at any store of the merchant within{' '}
          {data.attributionDays} {data.attributionDays === 1 ? 'day' : 'days'} of first seeing the offer
          (held-out customers: of when they would have seen it). Interval: {methodNames[data.uplift.method]}.
          Groups of fewer than {data.privacyThreshold} customers are not shown.
        </p>
      )}
    />
  )
}

type DailyKey = 'impressions' | 'heldOut' | 'conversions'
const dailyLines: readonly SeriesLine<DailyKey>[] = [
  { key: 'impressions', name: 'Impressions', tone: 'current' },
  { key: 'heldOut', name: 'Held out (would have seen)', tone: 'comparison', dashed: true },
  { key: 'conversions', name: 'Conversions', tone: 'positive' },
]

function dailyColumns(data: OfferPerformance): Column<OfferDailyRow>[] {
  const count = createNumberFormat(data.currency)
  const fewer = `fewer than ${data.privacyThreshold}`
  return [
    { key: 'date', label: 'Day (UTC)', value: (r) => r.date, render: (r) => formatLocalDate(r.date) },
    ...dailyLines.map((line): Column<OfferDailyRow> => ({
      key: line.key,
      label: line.name,
      value: (r) => r[line.key] ?? fewer,
      render: (r) =>
        privateCount(
          { size: r[line.key], suppressed: r[line.key] === null },
          data.privacyThreshold,
          count.number,
        ),
      numeric: true,
    })),
  ]
}

/** Says which days are blank, and which lines have no day to draw at all (so an empty line is not a bug). */
function dailyNote(data: OfferPerformance): string {
  const note = `Days with fewer than ${data.privacyThreshold} are left blank.`
  const empty = dailyLines.filter((line) => data.daily.every((r) => r[line.key] === null))
  if (empty.length === 0 || data.daily.length === 0) return note
  return `${note} ${empty.map((line) => line.name).join(' and ')}: no day reaches ${data.privacyThreshold}.`
}

/** Impressions, held-out and conversions per day: the chart of the offer's month. */
export function DailyPanel({ query }: { query: QueryState<OfferPerformance> }) {
  const shaped = mapQueryState(query, (data) => ({ ...data, rows: data.daily }))
  return (
    <Panel
      title="Day by day"
      description={query.status === 'success' ? dailyNote(query.data) : undefined}
      query={shaped}
      testId="offer-daily"
      empty="No impression yet."
      csv={(data) => csvOf(`offer-${data.offerId}-daily`, dailyColumns(data), data.rows)}
      chart={(data) => (
        <SeriesChart
          data={data.rows.map((r) => ({
            label: formatLocalDate(r.date, { month: 'short', day: 'numeric' }),
            impressions: r.impressions,
            heldOut: r.heldOut,
            conversions: r.conversions,
          }))}
          lines={dailyLines}
          format={(value) => createNumberFormat(data.currency).number(value)}
          valueName="Impressions, held-out and conversions"
        />
      )}
      table={(data) => (
        <DataTable
          caption="Impressions, held-out and conversions per day"
          columns={dailyColumns(data)}
          rows={data.rows}
          rowKey={(r) => r.date}
          maxHeight={320}
        />
      )}
    />
  )
}

import { useId } from 'react'
import type { ProfileShare, Segment, SegmentProfile } from '../../../server/contract.ts'
import { useSegmentProfile } from '../../api/segmentHooks.ts'
import { mapQueryState, type QueryState } from '../../api/useApiQuery.ts'
import { BarsChart } from '../../charts/BarsChart.tsx'
import { countryName } from '../../components/countryName.ts'
import { DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat, formatLocalDate } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'
import { hiddenGroupText, privateCount } from '../../components/privateCount.ts'
import { SuppressedNote } from '../../components/SuppressedNote.tsx'
import { SelectField } from '../../components/SelectField.tsx'
import { hourLabels, weekdayNames } from '../../components/weekdayNames.ts'
import { profileDayChoices } from './audienceUrl.ts'

const count = createNumberFormat('USD')

interface SegmentProfileSectionProps {
  segment: Segment
  days: number
  onDaysChange: (days: number) => void
}

/** What a saved segment's members buy, when and from where: aggregates only, small groups suppressed. */
export function SegmentProfileSection({ segment, days, onDaysChange }: SegmentProfileSectionProps) {
  const headingId = useId()
  const profile = useSegmentProfile(segment.id, { days })
  const byKey = (rows: ProfileShare[]) => [...rows].sort((a, b) => Number(a.key) - Number(b.key))
  return (
    <section className="profile-section" aria-labelledby={headingId} data-testid="segment-profile">
      <div className="section-head">
        <h2 id={headingId}>
          Profile of <span className="page-subject">{segment.name}</span>
        </h2>
        <SelectField
          label="Purchases of the last"
          options={profileDayChoices.map((d) => ({ value: String(d), label: `${d} days` }))}
          value={String(days)}
          onChange={(next) => onDaysChange(Number(next))}
        />
      </div>
      <ProfileSummaryPanel query={profile} />
      <div className="grid-2 grid-even">
        <SharePanel
          title="Top categories"
          measure="spend"
          query={profile}
          pick={(p) => p.topCategories}
          labelOf={(r) => r.label}
          testId="profile-categories"
        />
        <SharePanel
          title="Top products"
          measure="spend"
          query={profile}
          pick={(p) => p.topProducts}
          labelOf={(r) => r.label}
          testId="profile-products"
        />
        <SharePanel
          title="Hour of day"
          measure="baskets"
          query={profile}
          pick={(p) => byKey(p.hourOfDay)}
          labelOf={(r) => hourLabels[Number(r.key)] ?? r.key}
          vertical
          testId="profile-hours"
        />
        <SharePanel
          title="Weekday"
          measure="baskets"
          query={profile}
          pick={(p) => byKey(p.weekday)}
          labelOf={(r) => weekdayNames[Number(r.key) - 1] ?? r.key}
          vertical
          testId="profile-weekdays"
        />
      </div>
      <SharePanel
        title="Home countries"
        measure="members"
        query={profile}
        pick={(p) => p.homeCountries}
        labelOf={(r) => countryName(r.key)}
        testId="profile-countries"
      />
    </section>
  )
}

function ProfileSummaryPanel({ query }: { query: QueryState<SegmentProfile> }) {
  return (
    <Panel
      title="Members"
      query={mapQueryState(query, (data) => ({ ...data, rows: [data] }))}
      testId="profile-summary"
      className="panel-kpis"
      description={
        query.status === 'success'
          ? `Purchases ${formatLocalDate(query.data.from)} – ${formatLocalDate(query.data.asOf)}, at store-local times`
          : undefined
      }
      csv={(data) => ({
        filename: `segment-profile-${data.segmentId}-${data.asOf}`,
        columns: ['metric', 'value', 'currency', 'from', 'asOf'],
        rows: [
          ['members', privateCount(data, data.threshold, String), null, data.from, data.asOf],
          ['spendPerVisit', data.spendPerVisit, data.currency, data.from, data.asOf],
          ['visitsPerCustomer', data.visitsPerCustomer, null, data.from, data.asOf],
        ],
      })}
    >
      {(data) => {
        const money = createNumberFormat(data.currency)
        const figures = [
          { key: 'members', label: 'Members', value: privateCount(data, data.threshold, count.number) },
          { key: 'spendPerVisit', label: 'Spend per visit', value: money.money(data.spendPerVisit) },
          {
            key: 'visitsPerCustomer',
            label: 'Visits per customer',
            value: count.number(data.visitsPerCustomer, 1),
          },
        ]
        return (
          <>
            <dl className="kpis kpis-3">
              {figures.map((figure) => (
                <div key={figure.key} className="kpi" data-testid={`profile-${figure.key}`}>
                  <dt>{figure.label}</dt>
                  <dd className="kpi-value">{figure.value}</dd>
                </div>
              ))}
            </dl>
            {data.suppressed ? (
              <p className="panel-note">
                This segment has fewer than {data.threshold} members: its profile is not shown, to protect
                their privacy.
              </p>
            ) : (
              data.spendPerVisit === null && (
                <p className="panel-note">
                  Fewer than {data.threshold} members bought in this window (lapsed customers buy nothing in a
                  recent one): choose a longer window.
                </p>
              )
            )}
          </>
        )
      }}
    </Panel>
  )
}

const measures = {
  spend: { valueName: 'Share of spend', column: 'shareOfSpend', description: 'Share of the members’ spend' },
  baskets: {
    valueName: 'Share of baskets',
    column: 'shareOfBaskets',
    description: 'Share of the members’ baskets, store-local time',
  },
  members: {
    valueName: 'Share of members',
    column: 'shareOfMembers',
    description: 'Share of the members by home country',
  },
} as const

interface SharePanelProps {
  title: string
  measure: keyof typeof measures
  query: QueryState<SegmentProfile>
  pick: (profile: SegmentProfile) => ProfileShare[]
  labelOf: (row: ProfileShare) => string
  /** Vertical bars for ordered groups (hours, weekdays); horizontal for named ones. */
  vertical?: boolean
  testId: string
}

function SharePanel({ title, measure, query, pick, labelOf, vertical, testId }: SharePanelProps) {
  const { valueName, column, description } = measures[measure]
  type Shares = SegmentProfile & { rows: ProfileShare[] }
  const members = (r: ProfileShare, data: Shares, format: (value: number) => string) =>
    privateCount(
      { size: r.customers, suppressed: r.suppressed },
      data.threshold,
      format,
      hiddenGroupText(data.rows, data.threshold, data.suppressed),
    )
  const columnsFor = (data: Shares): Column<ProfileShare>[] => [
    { key: 'key', label: 'Group', value: (r) => r.key, render: labelOf },
    {
      key: 'customers',
      label: 'Members',
      value: (r) => (r.suppressed ? null : r.customers),
      render: (r) => members(r, data, count.number),
      numeric: true,
    },
    {
      key: 'share',
      label: valueName,
      value: (r) => (r.suppressed ? null : r.share),
      render: (r) => (r.suppressed ? '–' : count.percent(r.share)),
      numeric: true,
    },
  ]
  return (
    <Panel
      title={title}
      description={description}
      query={mapQueryState(query, (data): Shares => ({ ...data, rows: pick(data) }))}
      testId={testId}
      isEmpty={(data) => data.suppressed || data.rows.length === 0}
      empty={
        query.status === 'success' && query.data.suppressed
          ? `Not shown: the segment has fewer than ${query.data.threshold} members.`
          : 'The members bought nothing in this window.'
      }
      // Hidden groups export as words, never as a number.
      csv={(data) => ({
        filename: `segment-${testId}-${data.segmentId}-${data.asOf}`,
        columns: ['key', 'label', 'members', column],
        rows: data.rows.map((r) => [r.key, r.label, members(r, data, String), r.suppressed ? null : r.share]),
      })}
      chart={(data) => {
        const shown = data.rows.filter((r) => !r.suppressed && r.share !== null)
        return shown.length === 0 ? (
          <p className="panel-state">
            No group is large enough to show; the table lists them without numbers.
          </p>
        ) : (
          <BarsChart
            data={shown.map((r) => ({
              label: labelOf(r),
              value: r.share ?? 0,
              note: vertical ? undefined : count.percent(r.share),
            }))}
            format={(v) => count.percent(v, 0)}
            valueName={valueName}
            layout={vertical ? 'vertical' : 'horizontal'}
          />
        )
      }}
      table={(data) => (
        <DataTable
          caption={title}
          columns={columnsFor(data)}
          rows={data.rows}
          rowKey={(r) => r.key}
          sortable
          maxHeight={420}
        />
      )}
      footer={(data) => (
        <SuppressedNote
          groups={data.rows}
          threshold={data.threshold}
          of="members"
          wholeHidden={data.suppressed}
        />
      )}
    />
  )
}

import { useState } from 'react'
import type { OfferList, OfferListRow, Segment } from '../../../server/contract.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'
import { privateCount } from '../../components/privateCount.ts'
import { SegmentedControl } from '../../components/SegmentedControl.tsx'
import { scheduleParts, scheduleText, valueText } from './offerDescription.ts'

export const offerShows = ['current', 'ended', 'all'] as const
export type OfferShow = (typeof offerShows)[number]
const showOptions = [
  { value: 'current', label: 'Running' },
  { value: 'ended', label: 'Ended' },
  { value: 'all', label: 'All' },
] as const satisfies readonly { value: OfferShow; label: string }[]

const shows: Record<OfferShow, (row: OfferListRow) => boolean> = {
  current: (row) => row.status !== 'ended',
  ended: (row) => row.status === 'ended',
  all: () => true,
}

const count = createNumberFormat('USD')

interface OffersPanelProps {
  query: QueryState<OfferList>
  currency: string
  storeCount: number
  segments: readonly Segment[]
  show: OfferShow
  onShowChange: (show: OfferShow) => void
  selected: string | null
  onSelect: (offerId: string) => void
  onEdit: (offerId: string) => void
  onStatus: (offerId: string, status: 'active' | 'paused') => void
  onEnd: (offerId: string) => void
  /** The offer whose status is changing, and what went wrong with the last change. */
  pending: string | null
  actionError: string | null
}

/** The merchant's offers with their status and key figures, and the actions each one allows. */
export function OffersPanel(props: OffersPanelProps) {
  const { query, currency, storeCount, segments, show, selected, pending } = props
  // Ending is final: the first click asks, the second ends.
  const [confirming, setConfirming] = useState<string | null>(null)
  const segmentName = (id: string | null) =>
    id === null ? 'Everyone' : (segments.find((s) => s.id === id)?.name ?? id)
  const fewer = (data: OfferList) => `fewer than ${data.privacyThreshold}`

  const name: Column<OfferListRow> = {
    key: 'name',
    label: 'Offer',
    value: (r) => r.name,
    render: (r) => (
      <button
        type="button"
        className="link-button offer-name"
        aria-pressed={r.offerId === selected}
        onClick={() => props.onSelect(r.offerId)}
      >
        {r.name}
      </button>
    ),
  }
  const status: Column<OfferListRow> = { key: 'status', label: 'Status', value: (r) => r.status }
  // The table shows the status beside the name, leaving room for the actions; the export keeps both columns.
  const nameAndStatus: Column<OfferListRow> = {
    ...name,
    render: (r) => (
      <span className="offer-title">
        {name.render?.(r)}
        <span className={`badge badge-${r.status}`}>{r.status}</span>
      </span>
    ),
  }
  const value: Column<OfferListRow> = {
    key: 'value',
    label: 'Value',
    value: (r) => valueText(r.value, currency),
  }
  const storesOf = (r: OfferListRow) =>
    r.stores.length === 0 ? `All ${storeCount}` : count.number(r.stores.length)
  const stores: Column<OfferListRow> = {
    key: 'stores',
    label: 'Stores',
    value: (r) => (r.stores.length === 0 ? 'all' : r.stores.join('; ')),
    render: storesOf,
  }
  const radius: Column<OfferListRow> = {
    key: 'radiusM',
    label: 'Radius',
    value: (r) => r.radiusM,
    numeric: true,
  }
  const where: Column<OfferListRow> = {
    key: 'where',
    label: 'Where',
    value: (r) => r.stores.length,
    render: (r) =>
      `${storesOf(r)} ${r.stores.length === 1 ? 'store' : 'stores'} · ${count.number(r.radiusM)} m`,
  }
  const who: Column<OfferListRow> = {
    key: 'segment',
    label: 'Who',
    value: (r) => segmentName(r.segmentId),
    render: (r) => <span className="cell-wrap">{segmentName(r.segmentId)}</span>,
  }
  const when: Column<OfferListRow> = {
    key: 'schedule',
    label: 'When',
    value: (r) => scheduleText(r.schedule),
    // Each part stays whole when the column wraps.
    render: (r) => (
      <span className="cell-wrap">
        {scheduleParts(r.schedule).map((part, index) => (
          <span key={part}>
            {index > 0 && ' · '}
            <span className="nowrap">{part}</span>
          </span>
        ))}
      </span>
    ),
  }
  const holdout: Column<OfferListRow> = {
    key: 'holdoutPercent',
    label: 'Held out %',
    value: (r) => r.holdoutPercent,
    numeric: true,
  }
  const impressions: Column<OfferListRow> = {
    key: 'impressions',
    label: 'Impressions',
    value: (r) => r.impressions,
    render: (r) => count.number(r.impressions),
    numeric: true,
  }
  const reachedFor = (data: OfferList): Column<OfferListRow> => ({
    key: 'exposedCustomers',
    label: 'Reached',
    // Fewer than K is never a number, not even in the export.
    value: (r) => r.exposedCustomers ?? fewer(data),
    render: (r) =>
      privateCount(
        { size: r.exposedCustomers, suppressed: r.exposedCustomers === null },
        data.privacyThreshold,
        count.number,
      ),
    numeric: true,
  })
  // The export has every setting in its own column; the table folds stores and radius to stay readable.
  const csvColumnsFor = (data: OfferList) => [
    name,
    status,
    value,
    stores,
    radius,
    who,
    when,
    holdout,
    impressions,
    reachedFor(data),
  ]

  const actions: Column<OfferListRow> = {
    key: 'actions',
    label: 'Actions',
    value: () => null,
    render: (r) =>
      r.status === 'ended' ? (
        <span className="muted">ended</span>
      ) : (
        <span className="row-actions">
          <button type="button" className="button-quiet" onClick={() => props.onEdit(r.offerId)}>
            Edit
          </button>
          <button
            type="button"
            className="button-quiet"
            disabled={pending === r.offerId}
            onClick={() => props.onStatus(r.offerId, r.status === 'active' ? 'paused' : 'active')}
          >
            {r.status === 'active' ? 'Pause' : 'Resume'}
          </button>
          {confirming === r.offerId ? (
            <button
              type="button"
              className="button-danger"
              disabled={pending === r.offerId}
              onClick={() => {
                setConfirming(null)
                props.onEnd(r.offerId)
              }}
            >
              End for good
            </button>
          ) : (
            <button type="button" className="button-quiet" onClick={() => setConfirming(r.offerId)}>
              End
            </button>
          )}
        </span>
      ),
  }

  return (
    <Panel
      title="Offers"
      description="Click an offer to see whether it brought customers to the till."
      query={query}
      testId="offers"
      isEmpty={(data) => !data.rows.some(shows[show])}
      empty={show === 'ended' ? 'No offer has ended.' : 'No offer yet. Create one with “New offer”.'}
      controls={
        <SegmentedControl
          label="Which offers"
          options={showOptions}
          value={show}
          onChange={props.onShowChange}
        />
      }
      csv={(data) => csvOf('offers', csvColumnsFor(data), data.rows.filter(shows[show]))}
      table={(data) => (
        <DataTable
          caption="Offers"
          columns={[nameAndStatus, value, where, who, when, impressions, reachedFor(data), actions]}
          rows={data.rows.filter(shows[show])}
          rowKey={(r) => r.offerId}
          sortable
          maxHeight={420}
        />
      )}
      footer={() =>
        props.actionError ? (
          <p className="form-error" role="alert">
            {props.actionError}
          </p>
        ) : null
      }
    />
  )
}

import {
  ExclusionReason,
  type OfferPreview,
  type PreviewExclusion,
  type PreviewOffer,
} from '../../../server/contract.ts'
import { mapQueryState, type QueryState } from '../../api/useApiQuery.ts'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'
import { valueText } from '../campaigns/offerDescription.ts'

const reasonLabels: Record<ExclusionReason, string> = {
  too_far: 'Too far',
  outside_schedule: 'Outside its dates or hours',
  capped: 'Cap reached',
  not_in_segment: 'Not in its segment',
  held_out: 'Held out',
  budget_spent: 'Budget spent today',
  paused: 'Paused',
  outranked: 'Outranked',
}

const metres = createNumberFormat('USD')
const distance = (value: number | null) => (value === null ? '–' : `${metres.number(value)} m`)

/** Until a point is picked there is nothing to ask; the panels say so instead of waiting. */
function previewRows<Row>(
  query: QueryState<OfferPreview>,
  picked: boolean,
  rows: (data: OfferPreview) => Row[],
): QueryState<OfferPreview & { rows: Row[] }> {
  if (!picked)
    return {
      status: 'success',
      data: { merchantId: '', at: '', customer: '', offers: [], excluded: [], rows: [] },
    }
  return mapQueryState(query, (data) => ({ ...data, rows: rows(data) }))
}

interface OfferedPanelProps {
  query: QueryState<OfferPreview>
  picked: boolean
  currency: string
  /** The stores' zone, for the time the offers are good until. */
  timeZone: string
}

/** What the wallet would show at the picked point, best first, as the wallet would rank them. */
export function OfferedPanel({ query, picked, currency, timeZone }: OfferedPanelProps) {
  const until = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone })
  const asked = new Intl.DateTimeFormat(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  })
  const columns: Column<PreviewOffer>[] = [
    { key: 'name', label: 'Offer', value: (o) => o.name },
    { key: 'text', label: 'Wallet shows', value: (o) => o.text },
    { key: 'value', label: 'Value', value: (o) => valueText(o.value, currency) },
    { key: 'storeName', label: 'Store', value: (o) => o.storeName },
    {
      key: 'distanceM',
      label: 'Distance',
      value: (o) => o.distanceM,
      render: (o) => distance(o.distanceM),
      numeric: true,
    },
    {
      key: 'validUntil',
      label: 'Good until',
      value: (o) => o.validUntil,
      render: (o) => until.format(new Date(o.validUntil)),
    },
    {
      key: 'score',
      label: 'Score',
      value: (o) => o.score,
      render: (o) => metres.number(o.score, 3),
      numeric: true,
    },
  ]
  return (
    <Panel
      title="The wallet would show"
      description={
        query.status === 'success' && picked
          ? `Asked ${asked.format(new Date(query.data.at))} (store time), best first.`
          : 'Best first, at most three, as a wallet asks.'
      }
      query={previewRows(query, picked, (data) => data.offers)}
      testId="offered"
      empty={
        picked
          ? 'Nothing: no offer of this merchant is eligible here for this customer. See why below.'
          : 'Pick a point on the plot.'
      }
      csv={(data) => csvOf('wallet-preview-offers', columns, data.rows)}
      chart={(data) => (
        <ol className="offer-cards">
          {data.rows.map((offer) => (
            <li key={offer.offerId} className="offer-card">
              <p className="offer-card-text">{offer.text}</p>
              <p className="offer-card-value">{valueText(offer.value, currency)}</p>
              <p className="muted">
                {offer.storeName} · {distance(offer.distanceM)} away · good until{' '}
                {until.format(new Date(offer.validUntil))}
              </p>
              <p className="offer-card-name muted">Offer “{offer.name}”</p>
            </li>
          ))}
        </ol>
      )}
      table={(data) => (
        <DataTable
          caption="Offers the wallet would show"
          columns={columns}
          rows={data.rows}
          rowKey={(o) => o.offerId}
        />
      )}
    />
  )
}

interface ExcludedPanelProps {
  query: QueryState<OfferPreview>
  picked: boolean
  storeNames: ReadonlyMap<string, string>
}

/** Every other offer of the merchant, with the first rule that left it out. */
export function ExcludedPanel({ query, picked, storeNames }: ExcludedPanelProps) {
  const columns: Column<PreviewExclusion>[] = [
    { key: 'name', label: 'Offer', value: (e) => e.name },
    {
      key: 'reason',
      label: 'Left out because',
      value: (e) => e.reason,
      render: (e) => <span className={`badge badge-reason-${e.reason}`}>{reasonLabels[e.reason]}</span>,
    },
    { key: 'detail', label: 'Detail', value: (e) => e.detail },
    {
      key: 'storeId',
      label: 'Nearest store',
      value: (e) => e.storeId,
      render: (e) => (e.storeId ? (storeNames.get(e.storeId) ?? e.storeId) : '–'),
    },
    {
      key: 'distanceM',
      label: 'Distance',
      value: (e) => e.distanceM,
      render: (e) => distance(e.distanceM),
      numeric: true,
    },
  ]
  return (
    <Panel
      title="Left out, and why"
      description={`The first rule each offer fails, checked in this order: ${ExclusionReason.options
        .map((reason) => reasonLabels[reason].toLowerCase())
        .join(', ')}.`}
      query={previewRows(query, picked, (data) => data.excluded)}
      testId="excluded"
      empty={
        picked ? 'No other offer: every offer of this merchant would be shown.' : 'Pick a point on the plot.'
      }
      csv={(data) => csvOf('wallet-preview-left-out', columns, data.rows)}
      table={(data) => (
        <DataTable
          caption="Offers left out"
          columns={columns}
          rows={data.rows}
          rowKey={(e) => e.offerId}
          sortable
          maxHeight={420}
        />
      )}
    />
  )
}

import './campaigns.css'
import { useSearchParams } from 'react-router'
import type { Merchant, OfferList } from '../../../server/contract.ts'
import { useChosenMerchant, useStores } from '../../api/foundationHooks.ts'
import { useEndOffer, useOfferPerformance, useOffers, useUpdateOffer } from '../../api/offersHooks.ts'
import { useSegments } from '../../api/segmentHooks.ts'
import { MerchantsPending } from '../../components/MerchantsPending.tsx'
import { SelectField } from '../../components/SelectField.tsx'
import { localDateOf } from '../insights/insightsFilters.ts'
import { OfferForm } from './OfferForm.tsx'
import { offerShows, OffersPanel, type OfferShow } from './OffersPanel.tsx'
import { DailyPanel, UpliftPanel } from './PerformancePanels.tsx'

/** Everything that shapes the page lives in the URL: merchant, which offers, the offer shown and the form. */
interface CampaignsView {
  merchant: string | null
  show: OfferShow
  offer: string | null
  /** 'new', or the id of the offer being edited; null when the form is closed. */
  edit: string | null
}

function viewOf(params: URLSearchParams): CampaignsView {
  const show = params.get('show')
  return {
    merchant: params.get('merchant') || null,
    show: offerShows.includes(show as OfferShow) ? (show as OfferShow) : 'current',
    offer: params.get('offer') || null,
    edit: params.get('edit') || null,
  }
}

function paramsOf(view: CampaignsView): URLSearchParams {
  const params = new URLSearchParams()
  if (view.merchant) params.set('merchant', view.merchant)
  if (view.show !== 'current') params.set('show', view.show)
  if (view.offer) params.set('offer', view.offer)
  if (view.edit) params.set('edit', view.edit)
  return params
}

export default function CampaignsPage() {
  const [searchParams, setSearchParams] = useSearchParams()
  const view = viewOf(searchParams)
  const { merchants, list, merchant } = useChosenMerchant(view.merchant)
  const update = (patch: Partial<CampaignsView>) =>
    setSearchParams(paramsOf({ ...view, ...patch, merchant: patch.merchant ?? merchant?.merchantId ?? null }))

  if (merchants.status !== 'success' || !merchant)
    return <MerchantsPending title="Campaigns" query={merchants} />
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          Campaigns <span className="page-subject">{merchant.name}</span>
        </h1>
        <div className="page-head-actions">
          {list.length > 1 && (
            <SelectField
              label="Merchant"
              hideLabel
              options={list.map((m) => ({ value: m.merchantId, label: m.name }))}
              value={merchant.merchantId}
              onChange={(next) => update({ merchant: next, offer: null, edit: null })}
            />
          )}
          <button type="button" className="button-primary" onClick={() => update({ edit: 'new' })}>
            New offer
          </button>
        </div>
      </div>
      <CampaignsBody key={merchant.merchantId} merchant={merchant} view={view} onChange={update} />
    </div>
  )
}

interface BodyProps {
  merchant: Merchant
  view: CampaignsView
  onChange: (patch: Partial<CampaignsView>) => void
}

function CampaignsBody({ merchant, view, onChange }: BodyProps) {
  const offers = useOffers(merchant.merchantId)
  const segments = useSegments()
  const stores = useStores(merchant.merchantId)
  const setStatus = useUpdateOffer()
  const endOffer = useEndOffer()
  const rows: OfferList['rows'] = offers.status === 'success' ? offers.data.rows : []
  // Without a choice in the URL the first offer listed is shown, so the page opens on a performance.
  const shown =
    rows.find((r) => r.offerId === view.offer) ??
    (view.offer ? undefined : rows.find((r) => r.status !== 'ended'))
  const editing = view.edit && view.edit !== 'new' ? rows.find((r) => r.offerId === view.edit) : undefined
  const pending = setStatus.isPending
    ? (setStatus.variables?.offerId ?? null)
    : endOffer.isPending
      ? (endOffer.variables ?? null)
      : null
  const actionError = setStatus.error?.message ?? endOffer.error?.message ?? null

  return (
    <>
      {(view.edit === 'new' || editing) && stores.status !== 'loading' && (
        <OfferForm
          key={view.edit}
          merchantId={merchant.merchantId}
          currency={merchant.currency}
          stores={stores.status === 'success' ? stores.data.rows : []}
          segments={segments.status === 'success' ? segments.data.rows : []}
          offer={editing ?? null}
          today={localDateOf(new Date(), merchant.timezone)}
          onSaved={(saved) => onChange({ edit: null, offer: saved.offerId })}
          onCancel={() => onChange({ edit: null })}
        />
      )}
      <OffersPanel
        query={offers}
        currency={merchant.currency}
        storeCount={merchant.stores}
        segments={segments.status === 'success' ? segments.data.rows : []}
        show={view.show}
        onShowChange={(show) => onChange({ show })}
        selected={shown?.offerId ?? null}
        onSelect={(offer) => onChange({ offer })}
        onEdit={(offerId) => onChange({ edit: offerId })}
        onStatus={(offerId, status) => {
          endOffer.reset()
          setStatus.mutate({ offerId, patch: { status } })
        }}
        onEnd={(offerId) => {
          setStatus.reset()
          endOffer.mutate(offerId)
        }}
        pending={pending}
        actionError={actionError}
      />
      {shown && <Performance offerId={shown.offerId} name={shown.name} />}
    </>
  )
}

function Performance({ offerId, name }: { offerId: string; name: string }) {
  const performance = useOfferPerformance(offerId)
  return (
    <section className="offer-performance" aria-label={`Performance of ${name}`}>
      <h2 className="section-title">
        Performance <span className="page-subject">{name}</span>
      </h2>
      <div className="grid-2 grid-even">
        <UpliftPanel query={performance} />
        <DailyPanel query={performance} />
      </div>
    </section>
  )
}

import './walletPreview.css'
import { useSearchParams } from 'react-router'
import type { Merchant, Store } from '../../../server/contract.ts'
import { useChosenMerchant, useStores } from '../../api/foundationHooks.ts'
import { useOfferPreview, useOffers } from '../../api/offersHooks.ts'
import { useSegments } from '../../api/segmentHooks.ts'
import { mapQueryState } from '../../api/useApiQuery.ts'
import { MerchantsPending } from '../../components/MerchantsPending.tsx'
import { PreviewControls } from './PreviewControls.tsx'
import { ExcludedPanel, OfferedPanel } from './PreviewPanels.tsx'
import { StoresPanel } from './StoresPanel.tsx'
import { instantOf } from './zonedTime.ts'

/** Everything that shapes the preview lives in the URL, so a link shows the same answer. */
export interface PreviewView {
  merchant: string | null
  city: string | null
  lat: number | null
  lon: number | null
  /** The store whose own position was picked, if one was. */
  store: string | null
  customer: string
  /** Wall-clock time in the stores' zone (YYYY-MM-DDTHH:MM); null = now. */
  at: string | null
}

const coordinate = (text: string | null, limit: number) => {
  const value = text === null || text === '' ? Number.NaN : Number(text)
  return Number.isFinite(value) && Math.abs(value) <= limit ? value : null
}

function viewOf(params: URLSearchParams): PreviewView {
  return {
    merchant: params.get('merchant') || null,
    city: params.get('city') || null,
    lat: coordinate(params.get('lat'), 90),
    lon: coordinate(params.get('lon'), 180),
    store: params.get('store') || null,
    customer: params.get('customer') || 'new',
    at: params.get('at') || null,
  }
}

function paramsOf(view: PreviewView): URLSearchParams {
  const params = new URLSearchParams()
  if (view.merchant) params.set('merchant', view.merchant)
  if (view.city) params.set('city', view.city)
  // Five decimals are about a metre: as precise as a click on the plot can be.
  if (view.lat !== null && view.lon !== null) {
    params.set('lat', view.lat.toFixed(5))
    params.set('lon', view.lon.toFixed(5))
  }
  if (view.store) params.set('store', view.store)
  if (view.customer !== 'new') params.set('customer', view.customer)
  if (view.at) params.set('at', view.at)
  return params
}

export default function WalletPreviewPage() {
  const [searchParams, setSearchParams] = useSearchParams()
  const view = viewOf(searchParams)
  const { merchants, list, merchant } = useChosenMerchant(view.merchant)
  const update = (patch: Partial<PreviewView>) =>
    setSearchParams(paramsOf({ ...view, ...patch, merchant: patch.merchant ?? merchant?.merchantId ?? null }))

  if (merchants.status !== 'success' || !merchant)
    return <MerchantsPending title="Wallet preview" query={merchants} />
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          Wallet preview <span className="page-subject">{merchant.name}</span>
        </h1>
        <p className="muted page-head-note">
          What a wallet would be offered at a point. A preview counts no impression and uses up no cap or
          budget.
        </p>
      </div>
      <PreviewBody
        key={merchant.merchantId}
        merchant={merchant}
        merchants={list}
        view={view}
        onChange={update}
      />
    </div>
  )
}

interface BodyProps {
  merchant: Merchant
  merchants: readonly Merchant[]
  view: PreviewView
  onChange: (patch: Partial<PreviewView>) => void
}

function PreviewBody({ merchant, merchants, view, onChange }: BodyProps) {
  const stores = useStores(merchant.merchantId)
  const offers = useOffers(merchant.merchantId)
  const segments = useSegments()
  const all: readonly Store[] = stores.status === 'success' ? stores.data.rows : []
  const cities = [...new Set(all.map((s) => s.city))].sort()
  const city = view.city && cities.includes(view.city) ? view.city : (cities[0] ?? null)
  const cityStores = all.filter((s) => s.city === city)
  const timeZone = cityStores[0]?.timezone ?? merchant.timezone
  const at = view.at ? instantOf(view.at, timeZone) : null
  const picked = view.lat !== null && view.lon !== null ? { lat: view.lat, lon: view.lon } : null
  const preview = useOfferPreview(
    picked
      ? { merchantId: merchant.merchantId, ...picked, customer: view.customer, at: at ?? undefined }
      : null,
  )
  const offered = new Set(preview.status === 'success' ? preview.data.offers.map((o) => o.storeId) : [])
  // The geofences of the offers that can still be shown, one circle per store and distinct radius.
  const active = offers.status === 'success' ? offers.data.rows.filter((o) => o.status === 'active') : []
  const circles = cityStores.flatMap((store) =>
    [
      ...new Set(
        active.filter((o) => o.stores.length === 0 || o.stores.includes(store.storeId)).map((o) => o.radiusM),
      ),
    ].map((radiusM) => ({ key: `${store.storeId}-${radiusM}`, lat: store.lat, lon: store.lon, radiusM })),
  )
  const merchantSegments =
    segments.status === 'success'
      ? segments.data.rows.filter((s) => s.merchantIds.includes(merchant.merchantId))
      : []

  return (
    <>
      <PreviewControls
        merchants={merchants}
        merchant={merchant}
        cities={cities}
        city={city}
        segments={merchantSegments}
        view={view}
        timeZone={timeZone}
        onChange={onChange}
      />
      <div className="grid-2 grid-even">
        <StoresPanel
          query={mapQueryState(stores, (data) => ({ rows: data.rows.filter((s) => s.city === city) }))}
          city={city ?? ''}
          circles={circles}
          offered={offered}
          picked={picked}
          pickedStore={view.store}
          onPick={(position, store) => onChange({ ...position, store })}
        />
        <OfferedPanel
          query={preview}
          picked={picked !== null}
          currency={merchant.currency}
          timeZone={timeZone}
        />
      </div>
      <ExcludedPanel
        query={preview}
        picked={picked !== null}
        storeNames={new Map(all.map((s) => [s.storeId, s.name]))}
      />
    </>
  )
}

import { useSearchParams } from 'react-router'
import { useMerchants } from '../../api/foundationHooks.ts'
import {
  useCustomerOrigins,
  useSalesByProduct,
  useSalesByTime,
  useSalesByWeather,
  useSummary,
  type InsightsParams,
} from '../../api/insightsHooks.ts'
import { useSignedIn } from '../../api/SessionProvider.tsx'
import type { QueryState } from '../../api/useApiQuery.ts'
import type { SalesByProduct } from '../../../server/contract.ts'
import { MerchantsPending } from '../../components/MerchantsPending.tsx'
import { HeatmapPanel } from './HeatmapPanel.tsx'
import { InsightsControls } from './InsightsControls.tsx'
import {
  compareLabels,
  filtersFromParams,
  insightViews,
  paramsFromFilters,
  resolveRange,
  trendGrain,
  type InsightsFilters,
  type InsightView,
} from './insightsFilters.ts'
import { KpiPanel } from './KpiPanel.tsx'
import { OriginsPanel } from './OriginsPanel.tsx'
import { ProductsPanel } from './ProductsPanel.tsx'
import { TrendPanel } from './TrendPanel.tsx'
import { WeatherPanel } from './WeatherPanel.tsx'

const allProductsLimit = 1000

const viewLabels: Record<InsightView, string> = {
  overview: 'Overview',
  hours: 'Hours',
  weather: 'Weather',
  visitors: 'Visitors',
}

export default function InsightsPage() {
  const [searchParams, setSearchParams] = useSearchParams()
  const filters = filtersFromParams(searchParams)
  const { whoami } = useSignedIn()
  const merchants = useMerchants()
  const list = merchants.status === 'success' ? merchants.data.rows : []
  const merchant =
    list.find((m) => m.merchantId === filters.merchant) ??
    list.find((m) => whoami.merchantIds.includes(m.merchantId)) ??
    list[0]
  const range = resolveRange(filters, merchant)
  const compare = filters.compare === 'none' ? undefined : filters.compare
  const params: InsightsParams = {
    merchantId: merchant?.merchantId ?? null,
    from: range.from,
    to: range.to,
    tz: filters.tz ?? undefined,
    currency: filters.currency ?? undefined,
    store: filters.stores.length > 0 ? filters.stores : undefined,
    category: filters.category ? [filters.category] : undefined,
    compare,
  }
  const compareLabel = compare ? compareLabels[compare] : null
  // Category choices come from the product list without the category filter, so picking one does not hide
  // the others; without a category filter the same answer also fills the top-N panel (one query, not two).
  const allProducts = useSalesByProduct(
    { ...params, category: undefined, compare: undefined },
    allProductsLimit,
  )
  const categories =
    allProducts.status === 'success'
      ? [...new Set(allProducts.data.rows.map((r) => r.category))].filter(Boolean).sort()
      : []

  const update = (patch: Partial<InsightsFilters>) => {
    setSearchParams(
      paramsFromFilters({ ...filters, ...patch, merchant: patch.merchant ?? merchant?.merchantId ?? null }),
    )
  }

  if (merchants.status !== 'success' || !merchant) {
    return <MerchantsPending title="Insights" query={merchants} />
  }

  return (
    <div className="page">
      <div className="page-head">
        <h1>
          Insights <span className="page-subject">{merchant.name}</span>
        </h1>
        <p className="muted page-head-note">
          {filters.range === 'custom' ? '' : 'Ranges end on the day of the newest sale. '}
          {merchant.stores} {merchant.stores === 1 ? 'store' : 'stores'}
          {merchant.cities.length > 0 && ` in ${merchant.cities.join(', ')}`}
        </p>
      </div>
      <InsightsControls
        filters={filters}
        merchants={list}
        merchant={merchant}
        categories={categories}
        range={range}
        onChange={update}
      />
      <KpiSection params={params} compareLabel={compareLabel} />
      <nav className="tabs" aria-label="Insights views">
        {insightViews.map((view) => (
          <button
            key={view}
            type="button"
            className="tab"
            aria-current={filters.view === view ? 'page' : undefined}
            onClick={() => update({ view })}
          >
            {viewLabels[view]}
          </button>
        ))}
      </nav>
      {filters.view === 'overview' && (
        <OverviewView
          params={params}
          allProducts={filters.category ? null : allProducts}
          compareLabel={compareLabel}
          top={filters.top}
          onTopChange={(top) => update({ top })}
        />
      )}
      {filters.view === 'hours' && <HoursView params={params} />}
      {filters.view === 'weather' && <WeatherView params={params} />}
      {filters.view === 'visitors' && <VisitorsView params={params} />}
    </div>
  )
}

function KpiSection({ params, compareLabel }: { params: InsightsParams; compareLabel: string | null }) {
  return <KpiPanel query={useSummary(params)} compareLabel={compareLabel} />
}

interface OverviewProps {
  params: InsightsParams
  allProducts: QueryState<SalesByProduct> | null
  compareLabel: string | null
  top: number
  onTopChange: (top: number) => void
}

function OverviewView({ params, allProducts, compareLabel, top, onTopChange }: OverviewProps) {
  const grain = trendGrain(params.from ?? '', params.to ?? '')
  const trend = useSalesByTime(params, grain)
  const filtered = useSalesByProduct({ ...params, compare: undefined }, top, allProducts === null)
  // The API ranks products by revenue, so the first N of the full list are the top N.
  const products: QueryState<SalesByProduct> =
    allProducts === null
      ? filtered
      : allProducts.status === 'success'
        ? { status: 'success', data: { ...allProducts.data, rows: allProducts.data.rows.slice(0, top) } }
        : allProducts
  return (
    <div className="grid-2">
      <TrendPanel query={trend} compareLabel={compareLabel} />
      <ProductsPanel query={products} top={top} onTopChange={onTopChange} />
    </div>
  )
}

function HoursView({ params }: { params: InsightsParams }) {
  return (
    <HeatmapPanel query={useSalesByTime({ ...params, compare: undefined }, 'hour_of_day', 'day_of_week')} />
  )
}

function WeatherView({ params }: { params: InsightsParams }) {
  const plain = { ...params, compare: undefined }
  const byCondition = useSalesByWeather(plain, 'condition')
  const byTemperature = useSalesByWeather(plain, 'temperature')
  return (
    <div className="grid-2 grid-even">
      <WeatherPanel query={byCondition} by="condition" />
      <WeatherPanel query={byTemperature} by="temperature" />
    </div>
  )
}

function VisitorsView({ params }: { params: InsightsParams }) {
  return <OriginsPanel query={useCustomerOrigins({ ...params, compare: undefined })} />
}

import { useId, useState } from 'react'
import { useStores } from '../../api/foundationHooks.ts'
import type { Merchant, Store } from '../../../server/contract.ts'
import { formatLocalDate } from '../../components/numberFormat.ts'
import {
  compareLabels,
  compareOptions,
  rangeLabels,
  rangePresets,
  type CompareOption,
  type InsightsFilters,
  type RangePreset,
} from './insightsFilters.ts'

const commonCurrencies = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'JPY', 'CAD', 'AUD']

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone')
  } catch {
    return ['UTC']
  }
}

interface InsightsControlsProps {
  filters: InsightsFilters
  merchants: readonly Merchant[]
  merchant: Merchant | undefined
  categories: readonly string[]
  range: { from: string; to: string }
  onChange: (patch: Partial<InsightsFilters>) => void
}

/** The filters of the Insights page; every change becomes a new URL (so back undoes it). */
export function InsightsControls({
  filters,
  merchants,
  merchant,
  categories,
  range,
  onChange,
}: InsightsControlsProps) {
  const currencies = [
    ...new Set([merchant?.currency, filters.currency, ...commonCurrencies].filter(Boolean)),
  ] as string[]

  return (
    <form className="controls" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
      {merchants.length > 1 && (
        <label className="field">
          <span>Merchant</span>
          <select
            value={merchant?.merchantId ?? ''}
            onChange={(event) => onChange({ merchant: event.target.value, stores: [], category: null })}
          >
            {merchants.map((m) => (
              <option key={m.merchantId} value={m.merchantId}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="field">
        <span>Date range</span>
        <select
          value={filters.range}
          onChange={(event) => {
            const next = event.target.value as RangePreset
            onChange(
              next === 'custom'
                ? { range: next, from: range.from, to: range.to }
                : { range: next, from: null, to: null },
            )
          }}
        >
          {rangePresets.map((preset) => (
            <option key={preset} value={preset}>
              {rangeLabels[preset]}
            </option>
          ))}
        </select>
      </label>
      {filters.range === 'custom' ? (
        <>
          <label className="field">
            <span>From</span>
            <input
              type="date"
              value={range.from}
              max={range.to}
              onChange={(event) => event.target.value && onChange({ from: event.target.value })}
            />
          </label>
          <label className="field">
            <span>To</span>
            <input
              type="date"
              value={range.to}
              min={range.from}
              onChange={(event) => event.target.value && onChange({ to: event.target.value })}
            />
          </label>
        </>
      ) : (
        <div className="field range-dates" aria-live="polite">
          <span>Dates</span>
          <output data-testid="range-dates">
            {formatLocalDate(range.from)} – {formatLocalDate(range.to)}
          </output>
        </div>
      )}
      <label className="field">
        <span>Compare with</span>
        <select
          value={filters.compare}
          onChange={(event) => onChange({ compare: event.target.value as CompareOption })}
        >
          {compareOptions.map((option) => (
            <option key={option} value={option}>
              {compareLabels[option]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Category</span>
        <select
          value={filters.category ?? ''}
          onChange={(event) => onChange({ category: event.target.value || null })}
        >
          <option value="">All categories</option>
          {[...new Set([...categories, ...(filters.category ? [filters.category] : [])])].map((category) => (
            <option key={category} value={category}>
              {category}
            </option>
          ))}
        </select>
      </label>
      <StoreFilter
        merchantId={merchant?.merchantId ?? null}
        storeCount={merchant?.stores ?? 0}
        selected={filters.stores}
        onChange={(next) => onChange({ stores: next })}
      />
      <label className="field">
        <span>Currency</span>
        <select
          value={filters.currency ?? ''}
          onChange={(event) => onChange({ currency: event.target.value || null })}
        >
          <option value="">{merchant ? `${merchant.currency} (merchant)` : 'Merchant’s'}</option>
          {currencies
            .filter((code) => code !== merchant?.currency)
            .map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
        </select>
      </label>
      <label className="field">
        <span>Time zone</span>
        <select value={filters.tz ?? ''} onChange={(event) => onChange({ tz: event.target.value || null })}>
          <option value="">{merchant ? `Store’s, or ${merchant.timezone}` : 'Store’s, or merchant’s'}</option>
          <option value="local">Each store’s own clock</option>
          {timeZones().map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </select>
      </label>
    </form>
  )
}

interface StoreFilterProps {
  merchantId: string | null
  storeCount: number
  selected: readonly string[]
  onChange: (stores: string[]) => void
}

/**
 * A disclosure of checkboxes: none ticked means every store. The store list is asked for only when the
 * list is opened or stores are chosen, keeping it off the engine while the first figures load.
 */
function StoreFilter({ merchantId, storeCount, selected, onChange }: StoreFilterProps) {
  const id = useId()
  const [open, setOpen] = useState(false)
  const list = useStores(open || selected.length > 0 ? merchantId : null)
  const stores: readonly Store[] = list.status === 'success' ? list.data.rows : []
  const summary =
    selected.length === 0
      ? `All ${storeCount} stores`
      : selected.length === 1
        ? (stores.find((s) => s.storeId === selected[0])?.name ?? selected[0])
        : `${selected.length} stores`
  const toggle = (storeId: string, on: boolean) =>
    onChange(on ? [...selected, storeId] : selected.filter((s) => s !== storeId))
  return (
    <div className="field">
      <span id={id}>Stores</span>
      <details className="multi-select" onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary aria-describedby={id}>{summary}</summary>
        <fieldset aria-labelledby={id}>
          {open && list.status === 'loading' && <span className="muted">Loading stores…</span>}
          {list.status === 'error' && <span className="form-error">{list.error.message}</span>}
          {stores.map((store) => (
            <label key={store.storeId} className="checkbox">
              <input
                type="checkbox"
                checked={selected.includes(store.storeId)}
                onChange={(event) => toggle(store.storeId, event.target.checked)}
              />
              <span>
                {store.name} <span className="muted">· {store.city}</span>
              </span>
            </label>
          ))}
          {selected.length > 0 && (
            <button type="button" className="button-quiet" onClick={() => onChange([])}>
              All stores
            </button>
          )}
        </fieldset>
      </details>
    </div>
  )
}

import { useState } from 'react'
import { useStores } from '../../api/foundationHooks.ts'
import type { Merchant, Store } from '../../../server/contract.ts'
import { currencyChoices } from '../../components/currencyChoices.ts'
import { MultiSelectField } from '../../components/MultiSelectField.tsx'
import { formatLocalDate } from '../../components/numberFormat.ts'
import { SelectField } from '../../components/SelectField.tsx'
import {
  compareLabels,
  compareOptions,
  rangeLabels,
  rangePresets,
  type InsightsFilters,
} from './insightsFilters.ts'

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
  const currencies = currencyChoices([merchant?.currency, filters.currency])
  const shownCategories = [...new Set([...categories, ...(filters.category ? [filters.category] : [])])]

  return (
    <form className="controls" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
      {merchants.length > 1 && (
        <SelectField
          label="Merchant"
          options={merchants.map((m) => ({ value: m.merchantId, label: m.name }))}
          value={merchant?.merchantId ?? ''}
          onChange={(next) => onChange({ merchant: next, stores: [], category: null })}
        />
      )}
      <SelectField
        label="Date range"
        options={rangePresets.map((preset) => ({ value: preset, label: rangeLabels[preset] }))}
        value={filters.range}
        onChange={(next) =>
          onChange(
            next === 'custom'
              ? { range: next, from: range.from, to: range.to }
              : { range: next, from: null, to: null },
          )
        }
      />
      {filters.range === 'custom' ? (
        <>
          <DateField label="From" value={range.from} max={range.to} onChange={(from) => onChange({ from })} />
          <DateField label="To" value={range.to} min={range.from} onChange={(to) => onChange({ to })} />
        </>
      ) : (
        <div className="field range-dates" aria-live="polite">
          <span>Dates</span>
          <output data-testid="range-dates">
            {formatLocalDate(range.from)} – {formatLocalDate(range.to)}
          </output>
        </div>
      )}
      <SelectField
        label="Compare with"
        options={compareOptions.map((option) => ({ value: option, label: compareLabels[option] }))}
        value={filters.compare}
        onChange={(compare) => onChange({ compare })}
      />
      <SelectField
        label="Category"
        options={[
          { value: '', label: 'All categories' },
          ...shownCategories.map((category) => ({ value: category, label: category })),
        ]}
        value={filters.category ?? ''}
        onChange={(category) => onChange({ category: category || null })}
      />
      <StoreFilter
        merchantId={merchant?.merchantId ?? null}
        storeCount={merchant?.stores ?? 0}
        selected={filters.stores}
        onChange={(next) => onChange({ stores: next })}
      />
      <SelectField
        label="Currency"
        options={[
          { value: '', label: merchant ? `${merchant.currency} (merchant)` : 'Merchant’s' },
          ...currencies
            .filter((code) => code !== merchant?.currency)
            .map((code) => ({ value: code, label: code })),
        ]}
        value={filters.currency ?? ''}
        onChange={(currency) => onChange({ currency: currency || null })}
      />
      <SelectField
        label="Time zone"
        wide
        options={[
          { value: '', label: merchant ? `Store’s, or ${merchant.timezone}` : 'Store’s, or merchant’s' },
          { value: 'local', label: 'Each store’s own clock' },
          ...timeZones().map((zone) => ({ value: zone, label: zone })),
        ]}
        value={filters.tz ?? ''}
        onChange={(tz) => onChange({ tz: tz || null })}
      />
    </form>
  )
}

interface DateFieldProps {
  label: string
  value: string
  min?: string
  max?: string
  onChange: (date: string) => void
}

/** A labelled date input; clearing it keeps the date it had (a range needs both ends). */
function DateField({ label, value, min, max, onChange }: DateFieldProps) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="date"
        value={value}
        min={min}
        max={max}
        onChange={(event) => event.target.value && onChange(event.target.value)}
      />
    </label>
  )
}

interface StoreFilterProps {
  merchantId: string | null
  storeCount: number
  selected: readonly string[]
  onChange: (stores: string[]) => void
}

/**
 * None ticked means every store. The store list is asked for only when the list is opened or stores are
 * chosen, keeping it off the engine while the first figures load.
 */
function StoreFilter({ merchantId, storeCount, selected, onChange }: StoreFilterProps) {
  const [open, setOpen] = useState(false)
  const list = useStores(open || selected.length > 0 ? merchantId : null)
  const stores: readonly Store[] = list.status === 'success' ? list.data.rows : []
  return (
    <MultiSelectField
      label="Stores"
      options={stores.map((store) => ({ value: store.storeId, label: store.name, detail: store.city }))}
      selected={selected}
      onChange={onChange}
      noneLabel={`All ${storeCount} stores`}
      onOpenChange={setOpen}
      status={
        open && list.status === 'loading' ? (
          <span className="muted">Loading stores…</span>
        ) : list.status === 'error' ? (
          <span className="form-error">{list.error.message}</span>
        ) : null
      }
    />
  )
}

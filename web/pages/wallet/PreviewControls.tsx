import type { Merchant, Segment } from '../../../server/contract.ts'
import { SegmentedControl } from '../../components/SegmentedControl.tsx'
import { SelectField } from '../../components/SelectField.tsx'
import type { PreviewView } from './WalletPreviewPage.tsx'
import { localDateTimeOf } from './zonedTime.ts'

type TimeMode = 'now' | 'at'
const timeModes = [
  { value: 'now', label: 'Now' },
  { value: 'at', label: 'At a time' },
] as const satisfies readonly { value: TimeMode; label: string }[]

interface PreviewControlsProps {
  merchants: readonly Merchant[]
  merchant: Merchant
  cities: readonly string[]
  city: string | null
  segments: readonly Segment[]
  view: PreviewView
  /** The zone of the city's stores: a chosen time is their wall-clock time. */
  timeZone: string
  onChange: (patch: Partial<PreviewView>) => void
}

/** Who the wallet user is and when they ask; the position is picked on the plot. */
export function PreviewControls({
  merchants,
  merchant,
  cities,
  city,
  segments,
  view,
  timeZone,
  onChange,
}: PreviewControlsProps) {
  const customers = [
    { value: 'new', label: 'New customer' },
    ...segments.map((s) => ({ value: `in_segment:${s.id}`, label: `In segment: ${s.name}` })),
    { value: 'held_out', label: 'Held out of every offer' },
    { value: 'capped', label: 'Has used up every cap' },
  ]
  if (!customers.some((c) => c.value === view.customer))
    customers.push({ value: view.customer, label: view.customer })
  const clear = { lat: null, lon: null, store: null }

  return (
    <form className="controls" aria-label="Preview settings" onSubmit={(event) => event.preventDefault()}>
      {merchants.length > 1 && (
        <SelectField
          label="Merchant"
          options={merchants.map((m) => ({ value: m.merchantId, label: m.name }))}
          value={merchant.merchantId}
          onChange={(next) => onChange({ merchant: next, city: null, customer: 'new', ...clear })}
        />
      )}
      {cities.length > 1 && (
        <SelectField
          label="City"
          options={cities.map((c) => ({ value: c, label: c }))}
          value={city ?? ''}
          onChange={(next) => onChange({ city: next, ...clear })}
        />
      )}
      <SelectField
        label="Customer"
        options={customers}
        value={view.customer}
        onChange={(customer) => onChange({ customer })}
      />
      <div className="field preview-when">
        <span>When</span>
        <SegmentedControl
          label="When"
          options={timeModes}
          value={view.at ? 'at' : 'now'}
          onChange={(mode) => onChange({ at: mode === 'now' ? null : localDateTimeOf(new Date(), timeZone) })}
        />
      </div>
      {view.at && (
        <label className="field preview-time">
          <span>Local time ({timeZone})</span>
          <input
            type="datetime-local"
            value={view.at}
            onChange={(event) => event.target.value && onChange({ at: event.target.value.slice(0, 16) })}
          />
        </label>
      )}
    </form>
  )
}

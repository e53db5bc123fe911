import { useId, useState, type FormEvent, type ReactNode } from 'react'
import type { Offer, Segment, Store } from '../../../server/contract.ts'
import { useCreateOffer, useUpdateOffer } from '../../api/offersHooks.ts'
import {
  createRequestOf,
  draftOf,
  fieldErrorOf,
  newOfferDraft,
  patchRequestOf,
  type OfferDraft,
} from './offerDraft.ts'
import { MultiSelectField } from '../../components/MultiSelectField.tsx'
import { NumberField } from '../../components/NumberField.tsx'
import { weekdayNames } from '../../components/weekdayNames.ts'

/** The fields an API error can name; the groups catch what names no single input (e.g. `schedule`). */
const formFields = [
  'name',
  'text',
  'value',
  'value.kind',
  'value.amount',
  'value.currency',
  'stores',
  'radiusM',
  'segmentId',
  'schedule',
  'schedule.from',
  'schedule.to',
  'schedule.days',
  'schedule.hours',
  'schedule.hours.from',
  'schedule.hours.to',
  'cap',
  'cap.count',
  'cap.days',
  'dailyBudget',
  'holdoutPercent',
  'attributionDays',
  'status',
] as const
type FormField = (typeof formFields)[number]

interface OfferFormProps {
  merchantId: string
  currency: string
  stores: readonly Store[]
  segments: readonly Segment[]
  /** The offer being edited; a new one when null. */
  offer: Offer | null
  /** First day of a new offer (the merchant's local today). */
  today: string
  onSaved: (offer: Offer) => void
  onCancel: () => void
}

/**
 * Creates or edits an offer. The API is the one judge of the values: the form sends what was typed and
 * shows the API's message next to the field it names.
 */
export function OfferForm({
  merchantId,
  currency,
  stores,
  segments,
  offer,
  today,
  onSaved,
  onCancel,
}: OfferFormProps) {
  const id = useId()
  const [draft, setDraft] = useState<OfferDraft>(() =>
    offer ? draftOf(offer, currency) : newOfferDraft(today, currency),
  )
  const [error, setError] = useState<{ field: FormField | null; message: string } | null>(null)
  const create = useCreateOffer()
  const update = useUpdateOffer()
  const busy = create.isPending || update.isPending
  const set = (patch: Partial<OfferDraft>) => setDraft((current) => ({ ...current, ...patch }))

  async function submit(event: FormEvent) {
    event.preventDefault()
    setError(null)
    try {
      const saved = offer
        ? await update.mutateAsync({ offerId: offer.offerId, patch: patchRequestOf(draft) })
        : await create.mutateAsync(createRequestOf(draft, merchantId))
      onSaved(saved)
    } catch (err) {
      const found = fieldErrorOf(err instanceof Error ? err.message : String(err), formFields)
      setError({ field: found.field as FormField | null, message: found.message })
    }
  }

  /** The error of a field, tied to its input for assistive technology. */
  const errorOf = (field: FormField) => (error?.field === field ? error.message : undefined)
  const fieldError = (field: FormField) => {
    const message = errorOf(field)
    return message ? (
      <span className="form-error field-error" id={`${id}-${field}-error`} role="alert">
        {message}
      </span>
    ) : null
  }
  const text = (
    field: FormField,
    label: string,
    value: string,
    onChange: (value: string) => void,
    { type = 'text', hint }: { type?: 'text' | 'date' | 'time'; hint?: ReactNode } = {},
  ) => (
    <label className="field">
      <span>{label}</span>
      <input
        type={type}
        value={value}
        aria-invalid={errorOf(field) ? true : undefined}
        aria-describedby={errorOf(field) ? `${id}-${field}-error` : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && <span className="field-hint">{hint}</span>}
      {fieldError(field)}
    </label>
  )
  const number = (
    field: FormField,
    label: string,
    value: number | undefined,
    onChange: (value: number | undefined) => void,
    unit?: string,
  ) => (
    <NumberField
      label={label}
      value={value}
      onChange={onChange}
      unit={unit}
      error={errorOf(field)}
      decimals={field === 'value.amount'}
    />
  )

  const merchantSegments = segments.filter((s) => s.merchantIds.includes(merchantId))
  const toggleDay = (day: number, on: boolean) =>
    set({ days: on ? [...draft.days, day] : draft.days.filter((d) => d !== day) })

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="offer-form">
      <header className="panel-head">
        <div>
          <h2 id={`${id}-title`}>{offer ? `Edit “${offer.name}”` : 'New offer'}</h2>
          <p className="panel-description">
            Times are each store’s local time. A held-out share of customers never sees the offer, so its
            effect on sales can be measured against them. An empty number takes the default.
          </p>
        </div>
      </header>
      <form className="offer-form" noValidate onSubmit={(event) => void submit(event)}>
        <fieldset className="form-group">
          <legend>Offer</legend>
          {text('name', 'Name', draft.name, (name) => set({ name }), {
            hint: 'For you; wallets do not show it.',
          })}
          {text('text', 'Text the wallet shows', draft.text, (value) => set({ text: value }))}
          <label className="field">
            <span>Value</span>
            <select
              value={draft.valueKind}
              onChange={(event) => set({ valueKind: event.target.value === 'amount' ? 'amount' : 'percent' })}
            >
              <option value="percent">Percent off</option>
              <option value="amount">Amount off</option>
            </select>
            {fieldError('value.kind')}
          </label>
          {draft.valueKind === 'percent'
            ? number('value.amount', 'Percent off', draft.amount, (amount) => set({ amount }), '%')
            : number('value.amount', 'Amount off', draft.amount, (amount) => set({ amount }), draft.currency)}
          {draft.valueKind === 'amount' &&
            text('value.currency', 'Currency', draft.currency, (value) =>
              set({ currency: value.toUpperCase() }),
            )}
          {fieldError('value')}
        </fieldset>

        <fieldset className="form-group">
          <legend>Where</legend>
          <MultiSelectField
            label="Stores"
            options={stores.map((store) => ({ value: store.storeId, label: store.name, detail: store.city }))}
            selected={draft.stores}
            onChange={(next) => set({ stores: next })}
            noneLabel={`All ${stores.length} stores`}
          />
          {fieldError('stores')}
          {number('radiusM', 'Radius around each store', draft.radiusM, (radiusM) => set({ radiusM }), 'm')}
          <span className="field-hint">25 to 5,000 m; empty: 300.</span>
        </fieldset>

        <fieldset className="form-group">
          <legend>Who</legend>
          <label className="field">
            <span>Segment</span>
            <select
              value={draft.segmentId}
              aria-invalid={errorOf('segmentId') ? true : undefined}
              aria-describedby={errorOf('segmentId') ? `${id}-segmentId-error` : undefined}
              onChange={(event) => set({ segmentId: event.target.value })}
            >
              <option value="">Everyone</option>
              {merchantSegments.map((segment) => (
                <option key={segment.id} value={segment.id}>
                  {segment.name}
                </option>
              ))}
              {draft.segmentId && !merchantSegments.some((s) => s.id === draft.segmentId) && (
                <option value={draft.segmentId}>{draft.segmentId}</option>
              )}
            </select>
            <span className="field-hint">Saved on the Audiences page.</span>
            {fieldError('segmentId')}
          </label>
          {number(
            'holdoutPercent',
            'Held out',
            draft.holdoutPercent,
            (holdoutPercent) => set({ holdoutPercent }),
            '%',
          )}
          <span className="field-hint">0 to 50; the same customers every time; empty: 10.</span>
          <div className="field-pair">
            {number('cap.count', 'Shown at most', draft.capCount, (capCount) => set({ capCount }), 'times')}
            {number('cap.days', 'per customer in', draft.capDays, (capDays) => set({ capDays }), 'days')}
          </div>
          {fieldError('cap')}
        </fieldset>

        <fieldset className="form-group">
          <legend>When</legend>
          {text('schedule.from', 'From', draft.from, (from) => set({ from }), { type: 'date' })}
          {text('schedule.to', 'To (inclusive)', draft.to, (to) => set({ to }), { type: 'date' })}
          <div className="field">
            <span id={`${id}-days`}>Days</span>
            <div className="weekdays" role="group" aria-labelledby={`${id}-days`}>
              {weekdayNames.map((name, index) => (
                <label key={name} className="checkbox">
                  <input
                    type="checkbox"
                    checked={draft.days.includes(index + 1)}
                    onChange={(event) => toggleDay(index + 1, event.target.checked)}
                  />
                  <span>{name}</span>
                </label>
              ))}
            </div>
            <span className="field-hint">None ticked: every day.</span>
            {fieldError('schedule.days')}
          </div>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.limitHours}
              onChange={(event) => set({ limitHours: event.target.checked })}
            />
            <span>Only at certain hours</span>
          </label>
          {draft.limitHours && (
            <div className="field-pair">
              {text('schedule.hours.from', 'From (local)', draft.hoursFrom, (hoursFrom) =>
                set({ hoursFrom }),
              )}
              {text('schedule.hours.to', 'Until (local)', draft.hoursTo, (hoursTo) => set({ hoursTo }), {
                type: 'time',
                hint: 'Earlier than “from” runs past midnight.',
              })}
            </div>
          )}
          {fieldError('schedule.hours')}
          {fieldError('schedule')}
        </fieldset>

        <fieldset className="form-group">
          <legend>Budget and measurement</legend>
          {number(
            'dailyBudget',
            'Daily budget',
            draft.dailyBudget,
            (dailyBudget) => set({ dailyBudget }),
            'impressions',
          )}
          <span className="field-hint">Per local day across customers; empty for no limit.</span>
          {number(
            'attributionDays',
            'Count purchases within',
            draft.attributionDays,
            (attributionDays) => set({ attributionDays }),
            'days',
          )}
          <span className="field-hint">Of a customer first seeing the offer: 1 to 30; empty: 7.</span>
          {!offer && (
            <label className="field">
              <span>Start</span>
              <select
                value={draft.status}
                onChange={(event) => set({ status: event.target.value === 'paused' ? 'paused' : 'active' })}
              >
                <option value="active">Active now</option>
                <option value="paused">Paused (start later)</option>
              </select>
              {fieldError('status')}
            </label>
          )}
        </fieldset>

        <div className="form-actions">
          {error && error.field === null && (
            <p className="form-error" role="alert">
              {offer ? 'Not saved' : 'Not created'}: {error.message}
            </p>
          )}
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Saving…' : offer ? 'Save changes' : 'Create offer'}
          </button>
          <button type="button" className="button-quiet" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  )
}

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
import { isoWeekdays, weekdayName } from './offerDescription.ts'

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
  const errorOf = (field: FormField) => (error?.field === field ? error.message : null)
  const describedBy = (field: FormField) => (errorOf(field) ? `${id}-${field}-error` : undefined)
  const fieldError = (field: FormField) => {
    const message = errorOf(field)
    return message ? (
      <span className="field-error" id={`${id}-${field}-error`} role="alert">
        {message}
      </span>
    ) : null
  }
  const input = (
    field: FormField,
    label: string,
    value: string,
    onChange: (value: string) => void,
    attributes: { type?: string; min?: number; max?: number; step?: string; hint?: ReactNode } = {},
  ) => (
    <label className="field">
      <span>{label}</span>
      <input
        type={attributes.type ?? 'text'}
        value={value}
        min={attributes.min}
        max={attributes.max}
        step={attributes.step}
        aria-invalid={errorOf(field) ? true : undefined}
        aria-describedby={describedBy(field)}
        onChange={(event) => onChange(event.target.value)}
      />
      {attributes.hint && <span className="field-hint">{attributes.hint}</span>}
      {fieldError(field)}
    </label>
  )

  const merchantSegments = segments.filter((s) => s.merchantIds.includes(merchantId))
  const toggleStore = (storeId: string, on: boolean) =>
    set({ stores: on ? [...draft.stores, storeId] : draft.stores.filter((s) => s !== storeId) })
  const toggleDay = (day: number, on: boolean) =>
    set({ days: on ? [...draft.days, day] : draft.days.filter((d) => d !== day) })

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="offer-form">
      <header className="panel-head">
        <div>
          <h2 id={`${id}-title`}>{offer ? `Edit “${offer.name}”` : 'New offer'}</h2>
          <p className="panel-description">
            Times are each store’s local time. A held-out share of customers never sees the offer, so its
            effect on sales can be measured against them.
          </p>
        </div>
      </header>
      <form className="offer-form" noValidate onSubmit={(event) => void submit(event)}>
        <fieldset className="form-group">
          <legend>Offer</legend>
          {input('name', 'Name', draft.name, (name) => set({ name }), {
            hint: 'For you; wallets do not show it.',
          })}
          {input('text', 'Text the wallet shows', draft.text, (text) => set({ text }))}
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
          {input(
            'value.amount',
            draft.valueKind === 'percent' ? 'Percent' : 'Amount',
            draft.amount,
            (amount) => set({ amount }),
            {
              type: 'number',
              min: 0,
              step: 'any',
            },
          )}
          {draft.valueKind === 'amount' &&
            input('value.currency', 'Currency', draft.currency, (value) =>
              set({ currency: value.toUpperCase() }),
            )}
          {fieldError('value')}
        </fieldset>

        <fieldset className="form-group">
          <legend>Where</legend>
          <div className="field">
            <span id={`${id}-stores`}>Stores</span>
            <div
              className="check-list"
              role="group"
              aria-labelledby={`${id}-stores`}
              aria-describedby={describedBy('stores')}
            >
              {stores.map((store) => (
                <label key={store.storeId} className="checkbox">
                  <input
                    type="checkbox"
                    checked={draft.stores.includes(store.storeId)}
                    onChange={(event) => toggleStore(store.storeId, event.target.checked)}
                  />
                  <span>
                    {store.name} <span className="muted">· {store.city}</span>
                  </span>
                </label>
              ))}
            </div>
            <span className="field-hint">
              {draft.stores.length === 0
                ? `None ticked: every store (${stores.length}).`
                : `${draft.stores.length} chosen.`}
            </span>
            {fieldError('stores')}
          </div>
          {input('radiusM', 'Radius around each store (m)', draft.radiusM, (radiusM) => set({ radiusM }), {
            type: 'number',
            min: 25,
            max: 5000,
            hint: '25 to 5,000 m',
          })}
        </fieldset>

        <fieldset className="form-group">
          <legend>Who</legend>
          <label className="field">
            <span>Segment</span>
            <select
              value={draft.segmentId}
              aria-invalid={errorOf('segmentId') ? true : undefined}
              aria-describedby={describedBy('segmentId')}
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
          {input(
            'holdoutPercent',
            'Held out (%)',
            draft.holdoutPercent,
            (holdoutPercent) => set({ holdoutPercent }),
            {
              type: 'number',
              min: 0,
              max: 50,
              hint: '0 to 50; the same customers every time',
            },
          )}
          <div className="field-pair">
            {input('cap.count', 'Shown at most (times)', draft.capCount, (capCount) => set({ capCount }), {
              type: 'number',
              min: 1,
            })}
            {input('cap.days', 'per customer in (days)', draft.capDays, (capDays) => set({ capDays }), {
              type: 'number',
              min: 1,
            })}
          </div>
          {fieldError('cap')}
        </fieldset>

        <fieldset className="form-group">
          <legend>When</legend>
          <div className="field-pair">
            {input('schedule.from', 'From', draft.from, (from) => set({ from }), { type: 'date' })}
            {input('schedule.to', 'To (inclusive)', draft.to, (to) => set({ to }), { type: 'date' })}
          </div>
          <div className="field">
            <span id={`${id}-days`}>Days</span>
            <div className="weekdays" role="group" aria-labelledby={`${id}-days`}>
              {isoWeekdays.map((day) => (
                <label key={day} className="checkbox">
                  <input
                    type="checkbox"
                    checked={draft.days.includes(day)}
                    onChange={(event) => toggleDay(day, event.target.checked)}
                  />
                  <span>{weekdayName(day)}</span>
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
              {input(
                'schedule.hours.from',
                'From (local)',
                draft.hoursFrom,
                (hoursFrom) => set({ hoursFrom }),
                {
                  type: 'time',
                },
              )}
              {input('schedule.hours.to', 'Until (local)', draft.hoursTo, (hoursTo) => set({ hoursTo }), {
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
          {input(
            'dailyBudget',
            'Daily budget (impressions)',
            draft.dailyBudget,
            (dailyBudget) => set({ dailyBudget }),
            {
              type: 'number',
              min: 1,
              hint: 'Per local day across customers; empty for no limit.',
            },
          )}
          {input(
            'attributionDays',
            'Count purchases within (days)',
            draft.attributionDays,
            (attributionDays) => set({ attributionDays }),
            {
              type: 'number',
              min: 1,
              max: 30,
              hint: 'After a customer first sees the offer: 1 to 30.',
            },
          )}
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

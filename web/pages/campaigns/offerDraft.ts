import type { Offer, OfferStatus } from '../../../server/contract.ts'
import type { OfferBody, OfferPatch } from '../../api/offersHooks.ts'

/** The offer form as typed; a number left empty is undefined and is left out of the request. */
export interface OfferDraft {
  name: string
  text: string
  valueKind: 'percent' | 'amount'
  amount: number | undefined
  currency: string
  /** Chosen store ids; none = every store of the merchant. */
  stores: string[]
  radiusM: number | undefined
  /** '' = everyone, no segment. */
  segmentId: string
  from: string
  to: string
  /** ISO weekdays (1 = Monday); none = every day. */
  days: number[]
  /** Only at certain hours of the day (store local time). */
  limitHours: boolean
  hoursFrom: string
  hoursTo: string
  capCount: number | undefined
  capDays: number | undefined
  /** undefined = no daily budget. */
  dailyBudget: number | undefined
  holdoutPercent: number | undefined
  attributionDays: number | undefined
  status: OfferStatus
}

/** A new offer as the API's defaults would make it, running for four weeks from today. */
export function newOfferDraft(today: string, currency: string): OfferDraft {
  const until = new Date(Date.parse(`${today}T00:00:00Z`) + 27 * 86_400_000).toISOString().slice(0, 10)
  return {
    name: '',
    text: '',
    valueKind: 'percent',
    amount: 10,
    currency,
    stores: [],
    radiusM: 300,
    segmentId: '',
    from: today,
    to: until,
    days: [],
    limitHours: false,
    hoursFrom: '07:00',
    hoursTo: '11:00',
    capCount: 3,
    capDays: 7,
    dailyBudget: undefined,
    holdoutPercent: 10,
    attributionDays: 7,
    status: 'active',
  }
}

export function draftOf(offer: Offer, merchantCurrency: string): OfferDraft {
  return {
    name: offer.name,
    text: offer.text,
    valueKind: offer.value.kind,
    amount: offer.value.amount,
    currency: offer.value.currency ?? merchantCurrency,
    stores: [...offer.stores],
    radiusM: offer.radiusM,
    segmentId: offer.segmentId ?? '',
    from: offer.schedule.from,
    to: offer.schedule.to,
    days: [...(offer.schedule.days ?? [])],
    limitHours: offer.schedule.hours !== undefined,
    hoursFrom: offer.schedule.hours?.from ?? '07:00',
    hoursTo: offer.schedule.hours?.to ?? '11:00',
    capCount: offer.cap.count,
    capDays: offer.cap.days,
    dailyBudget: offer.dailyBudget ?? undefined,
    holdoutPercent: offer.holdoutPercent,
    attributionDays: offer.attributionDays,
    status: offer.status === 'paused' ? 'paused' : 'active',
  }
}

function fieldsOf(draft: OfferDraft) {
  return {
    name: draft.name,
    text: draft.text,
    value: {
      kind: draft.valueKind,
      amount: draft.amount,
      ...(draft.valueKind === 'amount' ? { currency: draft.currency } : {}),
    },
    stores: draft.stores,
    radiusM: draft.radiusM,
    schedule: {
      from: draft.from,
      to: draft.to,
      ...(draft.days.length > 0 ? { days: [...draft.days].sort((a, b) => a - b) } : {}),
      ...(draft.limitHours ? { hours: { from: draft.hoursFrom, to: draft.hoursTo } } : {}),
    },
    cap: { count: draft.capCount, days: draft.capDays },
    holdoutPercent: draft.holdoutPercent,
    attributionDays: draft.attributionDays,
  }
}

export function createRequestOf(draft: OfferDraft, merchantId: string): OfferBody {
  return {
    merchantId,
    ...fieldsOf(draft),
    ...(draft.segmentId ? { segmentId: draft.segmentId } : {}),
    ...(draft.dailyBudget !== undefined ? { dailyBudget: draft.dailyBudget } : {}),
    status: draft.status,
  }
}

/** Every field of the form; null clears a segment or a budget that was set. Status changes on its own. */
export function patchRequestOf(draft: OfferDraft): OfferPatch {
  return {
    ...fieldsOf(draft),
    segmentId: draft.segmentId || null,
    dailyBudget: draft.dailyBudget ?? null,
  }
}
/**
 * Where an API error belongs in the form. The API names the field first ("schedule.to: must not be before
 * schedule.from"); the error goes to the deepest field of the form that path is in, else to the form.
 */
export function fieldErrorOf(
  message: string,
  fields: readonly string[],
): { field: string | null; message: string } {
  const match = /^([A-Za-z0-9_.]+): (.+)$/s.exec(message)
  if (!match) return { field: null, message }
  const [, path = '', rest = ''] = match
  const field = [...fields]
    .sort((a, b) => b.length - a.length)
    .find((f) => path === f || path.startsWith(`${f}.`))
  return field ? { field, message: rest } : { field: null, message }
}

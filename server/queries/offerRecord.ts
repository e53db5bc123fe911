import type { Offer } from '../contract.ts'

/**
 * How an offer is kept in the `offers` table: one row per version (ReplacingMergeTree on updated_at).
 * Empty strings and zeros stand for "none" (no segment, no hours, no budget) because the columns are not
 * Nullable. `offerColumns` reads the newest version's columns under the names OfferRow gives them.
 */
export interface OfferRow {
  merchant_id: string
  offer_id: string
  name: string
  text: string
  value_kind: 'percent' | 'amount'
  value_amount: number
  value_currency: string
  store_ids: string[]
  radius_m: number
  segment_id: string
  schedule_from: string
  schedule_to: string
  schedule_days: number[]
  hours_from: string
  hours_to: string
  cap_count: number
  cap_days: number
  daily_budget: number
  holdout_percent: number
  attribution_days: number
  status: Offer['status']
  created_at: string
  updated_at: string
}

export const offerColumns = `
  merchant_id, offer_id, name, text, value_kind, toFloat64(value_amount) AS value_amount, value_currency,
  store_ids, radius_m, segment_id, toString(schedule_from) AS schedule_from, toString(schedule_to) AS schedule_to,
  schedule_days, hours_from, hours_to, cap_count, cap_days, daily_budget, holdout_percent, attribution_days,
  toString(status) AS status, created_at, updated_at`

const isoUtc = (clickhouseTime: string) => clickhouseTime.replace(' ', 'T') + 'Z'

export function toOffer(row: OfferRow): Offer {
  return {
    offerId: row.offer_id,
    merchantId: row.merchant_id,
    name: row.name,
    text: row.text,
    value: {
      kind: row.value_kind,
      amount: row.value_amount,
      ...(row.value_currency ? { currency: row.value_currency } : {}),
    },
    stores: row.store_ids,
    radiusM: row.radius_m,
    segmentId: row.segment_id || null,
    schedule: {
      from: row.schedule_from,
      to: row.schedule_to,
      ...(row.schedule_days.length ? { days: row.schedule_days } : {}),
      ...(row.hours_from ? { hours: { from: row.hours_from, to: row.hours_to } } : {}),
    },
    cap: { count: row.cap_count, days: row.cap_days },
    dailyBudget: row.daily_budget || null,
    holdoutPercent: row.holdout_percent,
    attributionDays: row.attribution_days,
    status: row.status,
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  }
}

/** The row that stores `offer` (its updated_at is set by the insert). */
export function toOfferRow(offer: Offer): Omit<OfferRow, 'updated_at'> {
  return {
    merchant_id: offer.merchantId,
    offer_id: offer.offerId,
    name: offer.name,
    text: offer.text,
    value_kind: offer.value.kind,
    value_amount: offer.value.amount,
    value_currency: offer.value.currency ?? '',
    store_ids: offer.stores,
    radius_m: offer.radiusM,
    segment_id: offer.segmentId ?? '',
    schedule_from: offer.schedule.from,
    schedule_to: offer.schedule.to,
    schedule_days: offer.schedule.days ?? [],
    hours_from: offer.schedule.hours?.from ?? '',
    hours_to: offer.schedule.hours?.to ?? '',
    cap_count: offer.cap.count,
    cap_days: offer.cap.days,
    daily_budget: offer.dailyBudget ?? 0,
    holdout_percent: offer.holdoutPercent,
    attribution_days: offer.attributionDays,
    status: offer.status,
    created_at: offer.createdAt.replace('T', ' ').replace('Z', ''),
  }
}

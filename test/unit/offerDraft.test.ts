import { describe, expect, it } from 'vitest'
import type { Offer } from '../../server/contract.ts'
import { scheduleText, valueText } from '../../web/pages/campaigns/offerDescription.ts'
import {
  createRequestOf,
  draftOf,
  fieldErrorOf,
  newOfferDraft,
  patchRequestOf,
} from '../../web/pages/campaigns/offerDraft.ts'

const offer: Offer = {
  offerId: 'off_0123456789abcdef',
  merchantId: 'cafe',
  name: 'Morning latte',
  text: '10% off your latte before 11',
  value: { kind: 'percent', amount: 10 },
  stores: ['s2', 's1'],
  radiusM: 400,
  segmentId: 'seg_tourists',
  schedule: {
    from: '2026-11-01',
    to: '2026-11-30',
    days: [1, 2, 3, 4, 5],
    hours: { from: '07:00', to: '11:00' },
  },
  cap: { count: 2, days: 7 },
  dailyBudget: 500,
  holdoutPercent: 10,
  attributionDays: 7,
  status: 'paused',
  createdAt: '2026-10-30T10:00:00Z',
  updatedAt: '2026-10-30T10:00:00Z',
}

describe('offer form drafts', () => {
  it('sends an edited offer back with every field it had', () => {
    const { offerId: _id, merchantId: _m, status: _s, createdAt: _c, updatedAt: _u, ...fields } = offer
    expect(patchRequestOf(draftOf(offer, 'EUR'))).toEqual(fields)
  })

  it('clears a segment and a budget with null when edited away', () => {
    const draft = { ...draftOf(offer, 'EUR'), segmentId: '', dailyBudget: undefined }
    expect(patchRequestOf(draft)).toMatchObject({ segmentId: null, dailyBudget: null })
  })

  it('leaves optional parts and emptied numbers out of a new offer, for the API to default or name', () => {
    const draft = {
      ...newOfferDraft('2026-11-30', 'USD'),
      name: 'Coffee',
      text: 'Free cookie',
      radiusM: undefined,
      capCount: undefined,
    }
    const request = createRequestOf(draft, 'cafe')
    expect(request).toMatchObject({
      merchantId: 'cafe',
      value: { kind: 'percent', amount: 10 },
      schedule: { from: '2026-11-30', to: '2026-12-27' },
      cap: { days: 7 },
      holdoutPercent: 10,
      attributionDays: 7,
      status: 'active',
      stores: [],
    })
    expect(request).not.toHaveProperty('segmentId')
    expect(request).not.toHaveProperty('dailyBudget')
    expect(request.schedule).not.toHaveProperty('days')
    expect(request.schedule).not.toHaveProperty('hours')
    const sent = JSON.parse(JSON.stringify(request)) as Record<string, unknown>
    expect(sent).not.toHaveProperty('radiusM')
    expect(sent.cap).toEqual({ days: 7 })
  })

  it('names the currency only for an amount off, and sorts the weekdays', () => {
    const draft = {
      ...newOfferDraft('2026-11-30', 'USD'),
      valueKind: 'amount' as const,
      amount: 2.5,
      days: [7, 6],
    }
    expect(createRequestOf(draft, 'cafe').value).toEqual({ kind: 'amount', amount: 2.5, currency: 'USD' })
    expect(createRequestOf(draft, 'cafe').schedule?.days).toEqual([6, 7])
  })
})

describe('fieldErrorOf', () => {
  const fields = ['name', 'value', 'value.amount', 'stores', 'schedule', 'schedule.to', 'schedule.hours']
  it.each([
    ['schedule.to: must not be before schedule.from', 'schedule.to', 'must not be before schedule.from'],
    ['value.amount: a percent value is at most 100', 'value.amount', 'a percent value is at most 100'],
    ['value.currency: must be an ISO 4217 code', 'value', 'must be an ISO 4217 code'],
    ['stores.2: unknown store', 'stores', 'unknown store'],
    ['schedule.hours.to: must differ from hours.from', 'schedule.hours', 'must differ from hours.from'],
    ['radiusM: Too big', null, 'radiusM: Too big'],
    ['the offer has ended', null, 'the offer has ended'],
  ])('puts "%s" next to %s', (message, field, shown) => {
    expect(fieldErrorOf(message, fields)).toEqual({ field, message: shown })
  })
})

describe('offer descriptions', () => {
  it.each([
    [{ from: '2026-11-01', to: '2026-11-30' }, 'Nov 1 – Nov 30, 2026'],
    [{ from: '2026-11-01', to: '2026-11-30', days: [1, 2, 3, 4, 5] }, 'Nov 1 – Nov 30, 2026 · Mon–Fri'],
    [
      { from: '2026-11-01', to: '2026-11-01', days: [7, 1, 3, 6], hours: { from: '22:00', to: '02:00' } },
      'Nov 1 – Nov 1, 2026 · Mon, Wed, Sat, Sun · 22:00–02:00',
    ],
    [{ from: '2026-11-01', to: '2026-11-30', days: [1, 2, 3, 4, 5, 6, 7] }, 'Nov 1 – Nov 30, 2026'],
    [{ from: '2026-12-01', to: '2027-01-31' }, 'Dec 1, 2026 – Jan 31, 2027'],
  ])('reads a schedule plainly', (schedule, text) => {
    expect(scheduleText(schedule)).toBe(text)
  })

  it('reads a value plainly', () => {
    expect(valueText({ kind: 'percent', amount: 15 }, 'EUR', 'en-US')).toBe('15% off')
    expect(valueText({ kind: 'amount', amount: 2.5 }, 'USD', 'en-US')).toBe('$2.50 off')
    expect(valueText({ kind: 'amount', amount: 20, currency: 'HKD' }, 'USD', 'en-US')).toBe('HK$20.00 off')
  })
})

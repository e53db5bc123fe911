import { describe, expect, it } from 'vitest'
import type { OfferGroupFigures, OfferPerformance } from '../../server/contract.ts'
import { upliftSentence } from '../../web/pages/campaigns/upliftSentence.ts'

const group = (customers: number, converters: number): OfferGroupFigures => ({
  customers,
  converters,
  conversionRate: converters / customers,
  revenue: converters * 10,
  revenuePerCustomer: (converters * 10) / customers,
  suppressed: false,
})

const hidden: OfferGroupFigures = {
  customers: null,
  converters: null,
  conversionRate: null,
  revenue: null,
  revenuePerCustomer: null,
  suppressed: true,
}

function performance(partial: Partial<OfferPerformance>): OfferPerformance {
  return {
    offerId: 'off_0123456789abcdef',
    merchantId: 'cafe',
    currency: 'EUR',
    attributionDays: 7,
    holdoutPercent: 10,
    firstSeen: '2026-11-01T09:00:00Z',
    privacyThreshold: 50,
    exposed: group(2000, 700),
    heldOut: group(200, 62),
    uplift: { absolute: 0.041, relative: 0.13, ci95: [0.02, 0.062], method: 'newcombe_hybrid_score' },
    daily: [],
    ...partial,
  }
}

describe('upliftSentence', () => {
  it.each([
    [
      'a clear positive effect',
      performance({}),
      'Customers who saw the offer bought 4.1 points more often than those held out, 95% interval 2.0 to 6.2.',
    ],
    [
      'an interval that spans zero',
      performance({
        uplift: { absolute: 0.012, relative: 0.04, ci95: [-0.008, 0.031], method: 'newcombe_hybrid_score' },
      }),
      'Customers who saw the offer bought 1.2 points more often than those held out, but the 95% interval, -0.8 to 3.1, includes zero: no clear effect yet.',
    ],
    [
      'a clear negative effect',
      performance({
        uplift: { absolute: -0.02, relative: -0.1, ci95: [-0.035, -0.004], method: 'newcombe_hybrid_score' },
      }),
      'Customers who saw the offer bought 2.0 points less often than those held out, 95% interval -3.5 to -0.4.',
    ],
    [
      'no difference at one decimal',
      performance({
        uplift: { absolute: 0.0004, relative: 0.001, ci95: [-0.02, 0.021], method: 'newcombe_hybrid_score' },
      }),
      'Customers who saw the offer bought about as often as those held out, but the 95% interval, -2.0 to 2.1, includes zero: no clear effect yet.',
    ],
    [
      'a suppressed held-out group',
      performance({
        heldOut: hidden,
        uplift: { absolute: null, relative: null, ci95: null, method: 'newcombe_hybrid_score' },
      }),
      'Too early to compare: fewer than 50 customers were held out so far.',
    ],
    [
      'both groups suppressed',
      performance({ exposed: hidden, heldOut: hidden }),
      'Too early to compare: fewer than 50 customers saw the offer and were held out so far.',
    ],
    [
      'an offer nobody was offered yet',
      performance({ firstSeen: null, exposed: hidden, heldOut: hidden }),
      'No wallet has been offered this yet, so there is nothing to compare.',
    ],
    [
      'an offer without a holdout',
      performance({ holdoutPercent: 0, heldOut: { ...hidden, customers: 0, suppressed: false } }),
      'No customer is held out of this offer, so its effect on sales cannot be measured.',
    ],
  ])('says it plainly for %s', (_case, answer, expected) => {
    expect(upliftSentence(answer, 'en-US')).toBe(expected)
  })
})

import { describe, expect, it } from 'vitest'
import type { SegmentRules } from '../../server/contract.ts'
import { audienceFromParams, paramsFromAudience, sameRules } from '../../web/pages/audiences/audienceUrl.ts'

const every: SegmentRules = {
  homeCountries: ['CN', 'HK'],
  visitor: 'tourist',
  spend: { min: 100, max: 2500.5, currency: 'EUR', days: 90 },
  visits: { min: 2, days: 30 },
  lastSeenWithinDays: 14,
  notSeenForDays: 60,
  categories: ['Coffee'],
  products: ['p1', 'p 2'],
  stores: ['s1'],
  wallets: ['alipay', 'wechat_pay'],
  paymentMethods: ['qr'],
  spendRank: { topPercent: 10, days: 365 },
}

describe('audience rules in the URL', () => {
  it('reads nothing from an empty URL and writes nothing back', () => {
    const state = audienceFromParams(new URLSearchParams())
    expect(state).toEqual({ merchants: [], rules: {}, segment: null, profileDays: 90 })
    expect(paramsFromAudience(state).toString()).toBe('')
  })

  it('round-trips every rule, the merchants, the open segment and the profile window', () => {
    const state = { merchants: ['a', 'b'], rules: every, segment: 'seg1', profileDays: 365 }
    const params = paramsFromAudience(state)
    expect(params.toString()).toBe(
      'merchant=a&merchant=b&segment=seg1&country=CN&country=HK&category=Coffee&product=p1&product=p+2' +
        '&store=s1&wallet=alipay&wallet=wechat_pay&payment=qr&visitor=tourist&spendMin=100&spendMax=2500.5' +
        '&spendCurrency=EUR&spendDays=90&visitsMin=2&visitsDays=30&seenWithin=14&notSeenFor=60' +
        '&topPercent=10&topDays=365&profileDays=365',
    )
    const back = audienceFromParams(new URLSearchParams(params.toString()))
    expect(JSON.parse(JSON.stringify(back))).toEqual(state)
  })

  it('turns a windowed rule on only with its window, and fills a missing spend currency', () => {
    const state = audienceFromParams(
      new URLSearchParams('spendMin=50&visitsMin=3&topPercent=5&spendDays=30&visitor=any&profileDays=7'),
      'JPY',
    )
    expect(JSON.parse(JSON.stringify(state.rules))).toEqual({
      spend: { min: 50, currency: 'JPY', days: 30 },
    })
    expect(state.profileDays).toBe(90)
  })

  it('leaves out numbers that do not parse, and repeated values', () => {
    const state = audienceFromParams(new URLSearchParams('seenWithin=abc&notSeenFor=&country=CN&country=CN'))
    expect(state.rules).toEqual({ homeCountries: ['CN'] })
  })

  it('compares rule sets by meaning, not by key order', () => {
    expect(
      sameRules({ visitor: 'tourist', homeCountries: ['CN'] }, { homeCountries: ['CN'], visitor: 'tourist' }),
    ).toBe(true)
    expect(sameRules({ visitor: 'any' }, {})).toBe(true)
    expect(sameRules({ homeCountries: ['CN', 'HK'] }, { homeCountries: ['HK', 'CN'] })).toBe(true)
    expect(sameRules({ homeCountries: ['CN'] }, { homeCountries: ['HK'] })).toBe(false)
  })
})

import type { SegmentRules } from '../../../server/contract.ts'

/**
 * Everything that shapes the Audiences view, read from and written to the URL only, so a reload or a shared
 * link shows the same segment. Rules that are not in the URL do not apply.
 */
export interface AudienceState {
  /** Empty: the page's default (the key's merchant, or all of a marketer's). */
  merchants: string[]
  rules: SegmentRules
  /** The saved segment being edited and profiled. */
  segment: string | null
  profileDays: number
}

export const profileDayChoices = [30, 90, 365] as const
const defaultProfileDays = 90

/** Rule lists and their repeatable URL parameter (?country=CN&country=HK). */
const listParams = {
  homeCountries: 'country',
  categories: 'category',
  products: 'product',
  stores: 'store',
  wallets: 'wallet',
  paymentMethods: 'payment',
} as const satisfies Partial<Record<keyof SegmentRules, string>>

type ListRule = keyof typeof listParams

/** A number as typed: absent, empty or not a number reads as not given (the form shows the typed text). */
function numberOf(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name)
  if (raw === null || raw.trim() === '') return undefined
  const value = Number(raw)
  return Number.isFinite(value) ? value : undefined
}

/**
 * The rules in the URL. A windowed rule (spend, visits, top spenders) is on when its window is given;
 * `fallbackCurrency` fills a spend rule without a currency (a hand-written link).
 */
export function audienceFromParams(params: URLSearchParams, fallbackCurrency = 'USD'): AudienceState {
  const rules: SegmentRules = {}
  for (const [rule, name] of Object.entries(listParams) as [ListRule, string][]) {
    const values = [...new Set(params.getAll(name).filter(Boolean))]
    if (values.length > 0) rules[rule] = values
  }
  const visitor = params.get('visitor')
  if (visitor === 'tourist' || visitor === 'local') rules.visitor = visitor

  const spendDays = numberOf(params, 'spendDays')
  if (spendDays !== undefined)
    rules.spend = {
      min: numberOf(params, 'spendMin'),
      max: numberOf(params, 'spendMax'),
      currency: params.get('spendCurrency') || fallbackCurrency,
      days: spendDays,
    }
  const visitsDays = numberOf(params, 'visitsDays')
  if (visitsDays !== undefined)
    rules.visits = {
      min: numberOf(params, 'visitsMin'),
      max: numberOf(params, 'visitsMax'),
      days: visitsDays,
    }
  const seenWithin = numberOf(params, 'seenWithin')
  if (seenWithin !== undefined) rules.lastSeenWithinDays = seenWithin
  const notSeenFor = numberOf(params, 'notSeenFor')
  if (notSeenFor !== undefined) rules.notSeenForDays = notSeenFor
  const topPercent = numberOf(params, 'topPercent')
  const topDays = numberOf(params, 'topDays')
  if (topPercent !== undefined && topDays !== undefined) rules.spendRank = { topPercent, days: topDays }

  const profileDays = numberOf(params, 'profileDays')
  return {
    merchants: [...new Set(params.getAll('merchant').filter(Boolean))],
    rules,
    segment: params.get('segment') || null,
    profileDays: profileDayChoices.find((d) => d === profileDays) ?? defaultProfileDays,
  }
}

function setNumber(params: URLSearchParams, name: string, value: number | undefined) {
  if (value !== undefined) params.set(name, String(value))
}

/** The URL of a view; the same rules always give the same parameters in the same order. */
export function paramsFromAudience(state: AudienceState): URLSearchParams {
  const params = new URLSearchParams()
  for (const merchant of state.merchants) params.append('merchant', merchant)
  if (state.segment) params.set('segment', state.segment)
  const { rules } = state
  for (const [rule, name] of Object.entries(listParams) as [ListRule, string][])
    for (const value of rules[rule] ?? []) params.append(name, value)
  if (rules.visitor && rules.visitor !== 'any') params.set('visitor', rules.visitor)
  if (rules.spend) {
    setNumber(params, 'spendMin', rules.spend.min)
    setNumber(params, 'spendMax', rules.spend.max)
    params.set('spendCurrency', rules.spend.currency)
    params.set('spendDays', String(rules.spend.days))
  }
  if (rules.visits) {
    setNumber(params, 'visitsMin', rules.visits.min)
    setNumber(params, 'visitsMax', rules.visits.max)
    params.set('visitsDays', String(rules.visits.days))
  }
  setNumber(params, 'seenWithin', rules.lastSeenWithinDays)
  setNumber(params, 'notSeenFor', rules.notSeenForDays)
  if (rules.spendRank) {
    params.set('topPercent', String(rules.spendRank.topPercent))
    params.set('topDays', String(rules.spendRank.days))
  }
  if (state.profileDays !== defaultProfileDays) params.set('profileDays', String(state.profileDays))
  return params
}

/** Two rule sets are the same segment when they write the same URL (key order and list order aside). */
export function sameRules(a: SegmentRules, b: SegmentRules): boolean {
  const canonical = (rules: SegmentRules) => {
    const params = paramsFromAudience({
      merchants: [],
      rules,
      segment: null,
      profileDays: defaultProfileDays,
    })
    return [...params.entries()]
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join('&')
  }
  return canonical(a) === canonical(b)
}

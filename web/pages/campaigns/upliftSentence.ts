import type { OfferPerformance } from '../../../server/contract.ts'

/**
 * The performance of an offer in one plain sentence, honest about what the numbers allow: no comparison
 * when a group is too small to show, and "no clear effect" when the 95% interval includes zero.
 * Differences are in percentage points (0.041 = 4.1 points).
 */
export function upliftSentence(performance: OfferPerformance, locale?: string): string {
  const { exposed, heldOut, uplift, privacyThreshold } = performance
  if (performance.firstSeen === null)
    return 'No wallet has been offered this yet, so there is nothing to compare.'
  if (performance.holdoutPercent === 0 && heldOut.customers === 0)
    return 'No customer is held out of this offer, so its effect on sales cannot be measured.'
  const small = [exposed.suppressed && 'saw the offer', heldOut.suppressed && 'were held out'].filter(Boolean)
  if (small.length > 0)
    return `Too early to compare: fewer than ${privacyThreshold} customers ${small.join(' and ')} so far.`
  if (uplift.absolute === null || uplift.ci95 === null)
    return 'The two groups cannot be compared yet: neither has a conversion rate.'

  const points = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
  const show = (share: number) => points.format(share * 100)
  const [low, high] = uplift.ci95
  const interval = `${show(low)} to ${show(high)}`
  const size = Math.abs(uplift.absolute)
  const lead =
    show(size) === show(0)
      ? 'Customers who saw the offer bought about as often as those held out'
      : `Customers who saw the offer bought ${show(size)} points ${uplift.absolute > 0 ? 'more' : 'less'} often than those held out`
  if (low <= 0 && high >= 0)
    return `${lead}, but the 95% interval, ${interval}, includes zero: no clear effect yet.`
  return `${lead}, 95% interval ${interval}.`
}

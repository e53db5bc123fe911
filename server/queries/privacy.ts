/**
 * The product's privacy rule for counts of people (DESIGN.md section 6): a group of fewer than K distinct
 * customers is never shown as a number, shown sizes are rounded down to tens, and a group that would reveal
 * a hidden one by subtraction is hidden too. Every route a marketer can reach counts people through here.
 */

/** K when no setting says otherwise (PRIVACY_K); the product never shows a smaller group. */
export const defaultPrivacyThreshold = 50

/** A count of customers as it may be shown: null and suppressed under K, else rounded down to tens. */
export interface PrivateCount {
  size: number | null
  suppressed: boolean
}

export function privateCount(customers: number, threshold: number): PrivateCount {
  return customers < threshold
    ? { size: null, suppressed: true }
    : { size: Math.floor(customers / 10) * 10, suppressed: false }
}

/**
 * Splits the groups of one whole (shares or sizes that add up to something shown) into shown and hidden:
 * every group under K customers is hidden and, when exactly one is, the next smallest group with it
 * (complementary suppression: the shown parts would reveal a single hidden part by subtraction).
 * Shown groups keep their order; hidden ones follow in `hiddenOrder`, since their order by size would
 * leak it.
 */
export function suppressSmallGroups<G>(
  groups: readonly G[],
  threshold: number,
  customersOf: (group: G) => number,
  hiddenOrder: (a: G, b: G) => number,
): { group: G; hidden: boolean }[] {
  const hidden = new Set(groups.filter((g) => customersOf(g) < threshold))
  if (hidden.size === 1) {
    const smallestShown = groups
      .filter((g) => !hidden.has(g))
      .sort((a, b) => customersOf(a) - customersOf(b))[0]
    if (smallestShown) hidden.add(smallestShown)
  }
  return [
    ...groups.filter((g) => !hidden.has(g)).map((group) => ({ group, hidden: false })),
    ...groups
      .filter((g) => hidden.has(g))
      .sort(hiddenOrder)
      .map((group) => ({ group, hidden: true })),
  ]
}

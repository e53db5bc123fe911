/** A count of customers as the API gives it: null and suppressed under the privacy threshold K. */
export interface PrivateCountValue {
  size: number | null
  suppressed: boolean
}

/**
 * A customer count under the privacy threshold is never shown as a number, not even as 0: it reads
 * "fewer than K", with K from the answer itself (the server's PRIVACY_K), or `hiddenText` for a group of
 * a breakdown (see hiddenGroupText).
 */
export function privateCount(
  count: PrivateCountValue,
  threshold: number,
  format: (value: number) => string,
  hiddenText = `fewer than ${threshold}`,
): string {
  return count.suppressed || count.size === null ? hiddenText : format(count.size)
}

/**
 * How the hidden groups of one breakdown read. The server hides every group under K and, when exactly one
 * is, the next smallest with it (else subtracting would reveal it). So with exactly two hidden groups, one
 * of them may well be larger than K: "fewer than K" would be false of it, and which one it is stays
 * unknown; any other number of hidden groups are all under K. When the whole segment is under K, so is
 * every part of it.
 */
export function hiddenGroupText(
  groups: readonly { suppressed: boolean }[],
  threshold: number,
  wholeHidden: boolean,
): string {
  return !wholeHidden && groups.filter((g) => g.suppressed).length === 2
    ? 'hidden'
    : `fewer than ${threshold}`
}

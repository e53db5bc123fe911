/**
 * A customer count under the privacy threshold is never shown as a number, not even as 0: it reads
 * "fewer than K", with K from the answer itself (the server's PRIVACY_K).
 */
export function privateCount(
  count: { size: number | null; suppressed: boolean },
  threshold: number,
  format: (value: number) => string,
): string {
  return count.suppressed || count.size === null ? `fewer than ${threshold}` : format(count.size)
}

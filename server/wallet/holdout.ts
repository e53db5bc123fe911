import { createHash } from 'node:crypto'

/**
 * Whether a customer is held out of an offer: the first 32 bits of SHA-256(offerId ":" customerKey), as a
 * fraction of 2^32, below holdoutPercent / 100. Stable across calls and restarts, independent between
 * offers, and needs no stored assignment.
 */
export function isHeldOut(offerId: string, customerKey: string, holdoutPercent: number): boolean {
  if (holdoutPercent <= 0) return false
  const bits = createHash('sha256').update(`${offerId}:${customerKey}`).digest().readUInt32BE(0)
  return bits < (holdoutPercent / 100) * 2 ** 32
}

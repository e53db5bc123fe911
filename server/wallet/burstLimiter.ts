/**
 * A token bucket per caller: `perSecond` tokens a second, at most `perSecond` saved up, so a caller may
 * burst one second's worth and then keeps the steady rate. O(1) per request, which the wallet's lean path
 * needs (the general limiter of the API counts per minute and costs more per call).
 */
export function createBurstLimiter(perSecond: number, now: () => number = Date.now) {
  const buckets = new Map<string, { tokens: number; at: number }>()
  return function take(caller: string): boolean {
    const t = now()
    let bucket = buckets.get(caller)
    if (!bucket) {
      if (buckets.size > 100_000) buckets.clear()
      bucket = { tokens: perSecond, at: t }
      buckets.set(caller, bucket)
    }
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((t - bucket.at) / 1000) * perSecond)
    bucket.at = t
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }
}

const conditionLabels: Record<string, string> = { dry: 'Dry', rain: 'Rain', snow: 'Snow' }

/** A number with a true minus sign, which a dash between two numbers cannot be mistaken for. */
const signed = (n: number) => (n < 0 ? `\u2212${-n}` : String(n))

/**
 * The name of a weather bucket: a condition, or a 5 °C band named by its lower end. `short` names a band
 * "10–15 °C" instead of "10 to 15 °C": seven bands' full names ran into each other under a half-width chart.
 */
export function weatherLabel(
  by: 'condition' | 'temperature',
  bucket: string,
  form: 'full' | 'short' = 'full',
): string {
  if (by === 'condition') return conditionLabels[bucket] ?? bucket
  const low = Number(bucket)
  if (bucket.trim() === '' || !Number.isFinite(low)) return bucket
  return form === 'short'
    ? `${signed(low)}\u2013${signed(low + 5)} °C`
    : `${signed(low)} to ${signed(low + 5)} °C`
}

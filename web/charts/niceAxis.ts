import { scaleLinear } from 'd3-scale'

/**
 * A value axis that starts at zero (or below it, for negative values) and steps by round numbers: d3's
 * nice scale. Left to itself the charting library stepped a share axis by 0.065 (0.0, 6.5, 13.0, 19.5,
 * 26.0 %) and a points axis by 7. `values` are every value drawn, with any reference line.
 */
export function niceAxis(
  values: readonly number[],
  count = 5,
): { domain: [number, number]; ticks: number[] } {
  const finite = values.filter((v) => Number.isFinite(v))
  const low = Math.min(0, ...finite)
  const high = Math.max(0, ...finite)
  const scale = scaleLinear()
    .domain([low, high > low ? high : low + 1])
    .nice(count)
  const [from, to] = scale.domain() as [number, number]
  return { domain: [from, to], ticks: scale.ticks(count) }
}

import { scaleLinear } from 'd3-scale'

/**
 * A value axis that starts at zero (or below it, for negative values) and steps by round numbers, with at
 * most `maxTicks` ticks: d3's nice scale, asked for fewer steps until its ticks fit (d3 takes a count as a
 * hint, and gave seven ticks for four). Left to itself the charting library stepped a share axis by 0.065
 * (0.0, 6.5, 13.0, 19.5, 26.0 %), and it silently drops a tick label that would overlap its neighbour.
 * `values` are every value drawn, with any reference line.
 */
export function niceAxis(
  values: readonly number[],
  maxTicks = 6,
): { domain: [number, number]; ticks: number[] } {
  const finite = values.filter((v) => Number.isFinite(v))
  const low = Math.min(0, ...finite)
  const high = Math.max(0, ...finite)
  const withSteps = (count: number) => {
    const scale = scaleLinear()
      .domain([low, high > low ? high : low + 1])
      .nice(count)
    const [from, to] = scale.domain() as [number, number]
    return { domain: [from, to] as [number, number], ticks: scale.ticks(count) }
  }
  for (let count = maxTicks - 1; count > 1; count--) {
    const axis = withSteps(count)
    if (axis.ticks.length <= maxTicks) return axis
  }
  // One step: the two ends of the nice domain.
  return withSteps(1)
}

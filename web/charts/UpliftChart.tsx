import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ComposedChart,
  LabelList,
  ReferenceDot,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import { chartTheme } from './chartTheme.ts'
import { niceAxis } from './niceAxis.ts'

export interface ConversionGroup {
  label: string
  /** Share of the group's customers who bought (0..1); null when the group is too small to show. */
  rate: number | null
  muted?: boolean
}

/** A difference of two shares (0.041 = 4.1 points) with its 95% interval. */
export interface Difference {
  value: number
  low: number
  high: number
}

interface UpliftChartProps {
  groups: readonly ConversionGroup[]
  difference: Difference | null
  /** Formats a share (0.041) for the axes and labels. */
  format: (value: number) => string
  /** Formats a difference in points (0.041 as "+4.1 pts"). */
  formatPoints: (value: number) => string
}

/** Both charts share their frame, so the bars and the interval line up on the same left edge. */
const frame = { layout: 'vertical', margin: { top: 4, right: 64, bottom: 4, left: 4 } } as const
const tick = { fontSize: chartTheme.fontSize, fill: chartTheme.axis }
const groupAxis = { type: 'category', dataKey: 'label', width: 120, tick, interval: 0 } as const
const valueAxis = (axis: ReturnType<typeof niceAxis>, format: (value: number) => string) =>
  ({ type: 'number', domain: axis.domain, ticks: axis.ticks, tickFormatter: format, tick }) as const

/**
 * Conversion of each group as bars, and below it the difference between them as a dot with its 95%
 * interval drawn as a band, against a line at zero: a band that crosses the line means "no clear effect".
 */
export function UpliftChart({ groups, difference, format, formatPoints }: UpliftChartProps) {
  const bars = groups.map((g) => ({
    label: g.label,
    value: g.rate ?? 0,
    note: g.rate === null ? 'hidden' : format(g.rate),
    muted: g.muted,
  }))
  const rateAxis = niceAxis(bars.map((b) => b.value))
  // Zero is always on the difference's axis (niceAxis keeps it): the line there is what the band is read against.
  // Four ticks at most: its labels ("+10.0 pts") are wide.
  const differenceAxis = niceAxis(difference ? [difference.low, difference.high, difference.value] : [], 4)
  const interval = difference
    ? [{ label: 'Difference', range: [difference.low, difference.high], value: difference.value }]
    : []
  const summary = difference
    ? `difference ${formatPoints(difference.value)}, 95% interval ${formatPoints(difference.low)} to ${formatPoints(difference.high)}`
    : 'no difference shown'
  return (
    <div
      className="chart uplift-chart"
      role="img"
      aria-label={`Conversion by group (${bars.map((b) => `${b.label} ${b.note}`).join(', ')}); ${summary}`}
    >
      <ResponsiveContainer width="100%" height={groups.length * 40 + 36}>
        <BarChart data={bars} {...frame}>
          <CartesianGrid stroke={chartTheme.grid} horizontal={false} />
          <XAxis {...valueAxis(rateAxis, format)} />
          <YAxis {...groupAxis} />
          <Tooltip formatter={(value) => [format(Number(value)), 'Bought within the window']} />
          <Bar dataKey="value" radius={[0, 4, 4, 0]} isAnimationActive={false} barSize={22}>
            {bars.map((b) => (
              <Cell key={b.label} fill={b.muted ? chartTheme.comparison : chartTheme.current} />
            ))}
            <LabelList dataKey="note" position="right" fontSize={12} fill={chartTheme.axis} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      {difference && (
        <ResponsiveContainer width="100%" height={84}>
          <ComposedChart data={interval} {...frame}>
            <CartesianGrid stroke={chartTheme.grid} horizontal={false} />
            <XAxis {...valueAxis(differenceAxis, formatPoints)} />
            <YAxis {...groupAxis} />
            {/* Zero is always on the axis: an interval that reaches it means no clear effect. */}
            <ReferenceLine x={0} stroke={chartTheme.axis} strokeWidth={1.5} ifOverflow="extendDomain" />
            <Bar
              dataKey="range"
              name="95% interval"
              fill={difference.low > 0 ? chartTheme.positive : chartTheme.comparison}
              fillOpacity={0.35}
              barSize={14}
              isAnimationActive={false}
            />
            <ReferenceDot
              x={difference.value}
              y="Difference"
              r={6}
              fill={difference.low > 0 ? chartTheme.positive : chartTheme.axis}
              stroke="#fff"
            />
            <Tooltip
              formatter={(value, name) => [
                Array.isArray(value)
                  ? `${formatPoints(Number(value[0]))} to ${formatPoints(Number(value[1]))}`
                  : formatPoints(Number(value)),
                name,
              ]}
            />
          </ComposedChart>
        </ResponsiveContainer>
      )}
    </div>
  )
}

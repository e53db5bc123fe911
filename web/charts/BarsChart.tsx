import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  LabelList,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import { chartTheme } from './chartTheme.ts'
import { niceAxis } from './niceAxis.ts'

export interface BarDatum {
  label: string
  value: number
  /** A short note drawn at the end of the bar, e.g. the hours of evidence behind it. */
  note?: string
  /** Drawn in the muted colour, e.g. when there is too little evidence. */
  muted?: boolean
}

interface BarsChartProps {
  data: readonly BarDatum[]
  format: (value: number) => string
  /** Horizontal bars suit long labels (products); vertical bars suit short ones (weather). */
  layout?: 'horizontal' | 'vertical'
  height?: number
  valueName: string
  /** Draw a reference at this value, e.g. lift 1.0 = as expected. */
  baseline?: number
}

export function BarsChart({
  data,
  format,
  layout = 'horizontal',
  height,
  valueName,
  baseline,
}: BarsChartProps) {
  const rows = data.map((d) => ({ ...d }))
  const axis = niceAxis([...rows.map((d) => d.value), ...(baseline === undefined ? [] : [baseline])])
  const horizontal = layout === 'horizontal'
  const chartHeight = height ?? (horizontal ? Math.max(160, rows.length * 30 + 40) : 260)
  const longest = Math.max(...rows.map((d) => d.label.length), 4)
  // Room at the bars' end for the longest note (HK$337.5K was cut at 56 px): about 7 px a character.
  const noteRoom = Math.max(56, ...rows.map((d) => (d.note?.length ?? 0) * 7 + 10))
  const color = (d: BarDatum) =>
    d.muted
      ? chartTheme.comparison
      : baseline !== undefined && d.value < baseline
        ? chartTheme.negative
        : chartTheme.current
  return (
    <div
      className="chart"
      role="img"
      aria-label={`${valueName} by ${horizontal ? 'item' : 'group'}; the table view lists the values`}
    >
      <ResponsiveContainer width="100%" height={chartHeight}>
        <BarChart
          data={rows}
          layout={horizontal ? 'vertical' : 'horizontal'}
          margin={{ top: horizontal ? 4 : 22, right: horizontal ? noteRoom : 8, bottom: 4, left: 4 }}
        >
          <CartesianGrid stroke={chartTheme.grid} horizontal={!horizontal} vertical={horizontal} />
          {horizontal ? (
            <>
              <XAxis
                type="number"
                domain={axis.domain}
                ticks={axis.ticks}
                tickFormatter={format}
                tick={{ fontSize: chartTheme.fontSize, fill: chartTheme.axis }}
              />
              <YAxis
                type="category"
                dataKey="label"
                width={Math.min(220, longest * 7 + 12)}
                tick={{ fontSize: chartTheme.fontSize, fill: chartTheme.axis }}
                interval={0}
              />
            </>
          ) : (
            <>
              <XAxis
                dataKey="label"
                tick={{ fontSize: chartTheme.fontSize, fill: chartTheme.axis }}
                interval={0}
              />
              <YAxis
                domain={axis.domain}
                ticks={axis.ticks}
                tickFormatter={format}
                tick={{ fontSize: chartTheme.fontSize, fill: chartTheme.axis }}
                width={72}
              />
            </>
          )}
          <Tooltip
            formatter={(value) => [format(Number(value)), valueName]}
            cursor={{ fill: 'rgba(31,111,139,0.06)' }}
          />
          <Bar
            dataKey="value"
            name={valueName}
            radius={horizontal ? [0, 4, 4, 0] : [4, 4, 0, 0]}
            isAnimationActive={false}
          >
            {rows.map((d) => (
              <Cell key={d.label} fill={color(d)} />
            ))}
            <LabelList
              dataKey="note"
              position={horizontal ? 'right' : 'top'}
              fontSize={11}
              fill={chartTheme.axis}
            />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}

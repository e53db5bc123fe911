import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { chartTheme } from './chartTheme.ts'
import { niceAxis } from './niceAxis.ts'

export interface TrendDatum {
  label: string
  current: number
  previous: number | null
}

interface TrendChartProps {
  data: readonly TrendDatum[]
  format: (value: number) => string
  /** Compact numbers for the axis; format when omitted. */
  axisFormat?: (value: number) => string
  currentName: string
  /** Without it the comparison line is not drawn. */
  previousName?: string | undefined
  height?: number
}

/** The period as a solid line and the comparison period as a dashed one, aligned bucket by bucket. */
export function TrendChart({
  data,
  format,
  axisFormat,
  currentName,
  previousName,
  height = 280,
}: TrendChartProps) {
  const rows = data.map((d) => ({ ...d }))
  const axis = niceAxis(rows.flatMap((d) => (d.previous === null ? [d.current] : [d.current, d.previous])))
  return (
    <div
      className="chart"
      role="img"
      aria-label={`${currentName} over time; the table view lists the values`}
    >
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 4 }}>
          <CartesianGrid stroke={chartTheme.grid} vertical={false} />
          <XAxis
            dataKey="label"
            tick={{ fontSize: chartTheme.fontSize, fill: chartTheme.axis }}
            minTickGap={24}
            tickMargin={6}
          />
          <YAxis
            domain={axis.domain}
            ticks={axis.ticks}
            tickFormatter={axisFormat ?? format}
            tick={{ fontSize: chartTheme.fontSize, fill: chartTheme.axis }}
            width={72}
          />
          <Tooltip formatter={(value, name) => [format(Number(value)), name]} />
          <Legend wrapperStyle={{ fontSize: chartTheme.fontSize }} />
          {previousName && (
            <Line
              type="monotone"
              dataKey="previous"
              name={previousName}
              stroke={chartTheme.comparison}
              strokeDasharray="5 4"
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          )}
          <Line
            type="monotone"
            dataKey="current"
            name={currentName}
            stroke={chartTheme.current}
            strokeWidth={2.5}
            dot={rows.length <= 31 ? { r: 2.5 } : false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  )
}

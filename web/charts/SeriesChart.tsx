import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { chartTheme } from './chartTheme.ts'
import { niceAxis } from './niceAxis.ts'

export interface SeriesLine<Key extends string> {
  key: Key
  name: string
  tone: 'current' | 'comparison' | 'positive'
  dashed?: boolean
}

interface SeriesChartProps<Key extends string> {
  /** null leaves a gap (e.g. a count too small to show). */
  data: readonly ({ label: string } & Record<Key, number | null>)[]
  lines: readonly SeriesLine<Key>[]
  format: (value: number) => string
  valueName: string
  height?: number
}

/** Several counts over the same days, one line each (e.g. an offer's impressions and conversions). */
export function SeriesChart<Key extends string>({
  data,
  lines,
  format,
  valueName,
  height = 260,
}: SeriesChartProps<Key>) {
  const rows = data.map((d) => ({ ...d }))
  const axis = niceAxis(
    rows.flatMap((d) => lines.map((l): number | null => d[l.key]).filter((v) => v !== null)),
  )
  return (
    <div
      className="chart"
      role="img"
      aria-label={`${valueName} per day (${lines.map((l) => l.name).join(', ')}); the table view lists the values`}
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
            tickFormatter={format}
            tick={{ fontSize: chartTheme.fontSize, fill: chartTheme.axis }}
            width={56}
          />
          <Tooltip formatter={(value, name) => [format(Number(value)), name]} />
          <Legend wrapperStyle={{ fontSize: chartTheme.fontSize }} />
          {lines.map((line) => (
            <Line
              key={line.key}
              type="monotone"
              dataKey={line.key}
              name={line.name}
              stroke={chartTheme[line.tone]}
              strokeDasharray={line.dashed ? '5 4' : undefined}
              strokeWidth={2}
              dot={rows.length <= 31 ? { r: 2 } : false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  )
}

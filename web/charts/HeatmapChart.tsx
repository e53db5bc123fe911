export interface HeatCell {
  row: number
  column: number
  value: number
}

interface HeatmapChartProps {
  rowLabels: readonly string[]
  columnLabels: readonly string[]
  cells: readonly HeatCell[]
  format: (value: number) => string
  valueName: string
}

/** A grid of rows x columns shaded by value (plain CSS: Recharts has no heatmap). */
export function HeatmapChart({ rowLabels, columnLabels, cells, format, valueName }: HeatmapChartProps) {
  const values = new Map(cells.map((cell) => [`${cell.row}:${cell.column}`, cell.value]))
  const max = Math.max(0, ...cells.map((cell) => cell.value))
  return (
    <div
      className="heatmap"
      role="img"
      aria-label={`${valueName} by weekday and hour; the table view lists the values`}
    >
      <div
        className="heatmap-grid"
        style={{ gridTemplateColumns: `auto repeat(${columnLabels.length}, minmax(14px, 1fr))` }}
      >
        <span />
        {columnLabels.map((label, column) => (
          <span key={label} className="heatmap-column-label">
            {column % 3 === 0 ? label : ''}
          </span>
        ))}
        {rowLabels.map((rowLabel, row) => (
          <div key={rowLabel} className="heatmap-row">
            <span className="heatmap-row-label">{rowLabel}</span>
            {columnLabels.map((columnLabel, column) => {
              const value = values.get(`${row}:${column}`) ?? 0
              const strength = max > 0 ? value / max : 0
              return (
                <span
                  key={columnLabel}
                  className="heatmap-cell"
                  title={`${rowLabel} ${columnLabel}: ${format(value)}`}
                  style={{
                    background:
                      value > 0
                        ? `color-mix(in srgb, #1f6f8b ${Math.round(8 + strength * 92)}%, #f3f6f9)`
                        : '#f3f5f8',
                  }}
                />
              )
            })}
          </div>
        ))}
      </div>
      <div className="heatmap-legend" aria-hidden="true">
        <span>less</span>
        <span className="heatmap-scale" />
        <span>more ({format(max)} at the busiest hour)</span>
      </div>
    </div>
  )
}

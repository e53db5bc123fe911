import type { KeyboardEvent, MouseEvent } from 'react'
import { chartTheme } from './chartTheme.ts'
import { centreOf, createLocalProjection, scaleBarMetres, type LatLon } from './localProjection.ts'

export interface PlotStore extends LatLon {
  storeId: string
  name: string
  /** Drawn in the accent colour, e.g. a store whose offer the wallet would get. */
  highlight?: boolean
}

export interface PlotCircle extends LatLon {
  key: string
  radiusM: number
}

interface StorePlotProps {
  stores: readonly PlotStore[]
  /** Geofences drawn as faint circles of their true radius. */
  circles?: readonly PlotCircle[]
  selected: LatLon | null
  /** A click anywhere picks that position; a click (or Enter) on a store picks the store's own position. */
  onPick: (position: LatLon, storeId: string | null) => void
  label: string
}

/** Width over height of the plot; the box of the stores is widened or heightened to it. */
const aspect = 1.25
/** Room around the outermost stores, in metres (about a walk of five minutes). */
const marginM = 400

/**
 * The stores of one city on a plain plot of their coordinates (metres east and north of the centre, north
 * up, one scale on both axes), with no map tiles: it works offline and shows nothing a store list does not.
 * The SVG's own units are metres, so circles are drawn at their real radius.
 */
export function StorePlot({ stores, circles = [], selected, onPick, label }: StorePlotProps) {
  const projection = createLocalProjection(centreOf(stores))
  const points = stores.map((store) => ({ store, ...projection.toMetres(store) }))
  const xs = points.map((p) => p.x)
  const ys = points.map((p) => p.y)
  let width = Math.max(...xs) - Math.min(...xs) + 2 * marginM
  let height = Math.max(...ys) - Math.min(...ys) + 2 * marginM
  if (width / height < aspect) width = height * aspect
  else height = width / aspect
  const left = (Math.max(...xs) + Math.min(...xs)) / 2 - width / 2
  const top = -((Math.max(...ys) + Math.min(...ys)) / 2 + height / 2)
  // Sizes of marks and labels as fractions of the plot, so they read the same at any city's scale.
  const unit = width / 100
  const bar = scaleBarMetres(width / 5)
  const mark = selected ? projection.toMetres(selected) : null

  function pickAt(event: MouseEvent<SVGSVGElement>) {
    const svg = event.currentTarget
    const matrix = svg.getScreenCTM()
    if (!matrix) return
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse())
    onPick(projection.toLatLon({ x: point.x, y: -point.y }), null)
  }

  function pickStore(event: MouseEvent | KeyboardEvent, store: PlotStore) {
    event.stopPropagation()
    onPick({ lat: store.lat, lon: store.lon }, store.storeId)
  }

  return (
    <svg
      className="store-plot"
      viewBox={`${left} ${top} ${width} ${height}`}
      role="group"
      aria-label={label}
      onClick={pickAt}
      data-testid="store-plot"
    >
      <rect x={left} y={top} width={width} height={height} fill="#fafbfc" />
      {circles.map((circle) => {
        const centre = projection.toMetres(circle)
        return (
          <circle
            key={circle.key}
            cx={centre.x}
            cy={-centre.y}
            r={circle.radiusM}
            fill="rgba(31,111,139,0.06)"
            stroke="rgba(31,111,139,0.35)"
            strokeDasharray="4 3"
            vectorEffect="non-scaling-stroke"
          />
        )
      })}
      {points.map(({ store, x, y }) => (
        <g
          key={store.storeId}
          className="store-plot-store"
          role="button"
          tabIndex={0}
          aria-label={`Pick ${store.name}`}
          onClick={(event) => pickStore(event, store)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault()
              pickStore(event, store)
            }
          }}
        >
          <circle
            cx={x}
            cy={-y}
            r={unit * 1.1}
            fill={store.highlight ? chartTheme.positive : chartTheme.current}
            stroke="#fff"
            strokeWidth={2}
            vectorEffect="non-scaling-stroke"
          />
          <text x={x + unit * 1.8} y={-y + unit * 0.7} fontSize={unit * 2.1} fill={chartTheme.axis}>
            {store.name}
          </text>
        </g>
      ))}
      {mark && (
        <g aria-hidden="true" data-testid="picked-position">
          <circle
            cx={mark.x}
            cy={-mark.y}
            r={unit * 1.3}
            fill="none"
            stroke={chartTheme.negative}
            strokeWidth={2.5}
            vectorEffect="non-scaling-stroke"
          />
          <path
            d={`M ${mark.x - unit * 2.2} ${-mark.y} h ${unit * 4.4} M ${mark.x} ${-mark.y - unit * 2.2} v ${unit * 4.4}`}
            stroke={chartTheme.negative}
            strokeWidth={1.5}
            vectorEffect="non-scaling-stroke"
          />
        </g>
      )}
      <g aria-hidden="true">
        <path
          d={`M ${left + unit * 3} ${top + height - unit * 3} h ${bar}`}
          stroke={chartTheme.axis}
          strokeWidth={3}
          vectorEffect="non-scaling-stroke"
        />
        <text x={left + unit * 3} y={top + height - unit * 4.2} fontSize={unit * 1.9} fill={chartTheme.axis}>
          {bar >= 1000 ? `${bar / 1000} km` : `${bar} m`}
        </text>
        <text
          x={left + width - unit * 3}
          y={top + unit * 4}
          fontSize={unit * 2}
          fill={chartTheme.axis}
          textAnchor="end"
        >
          N ↑
        </text>
      </g>
    </svg>
  )
}

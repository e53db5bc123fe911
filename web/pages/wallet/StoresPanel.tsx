import type { Store } from '../../../server/contract.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import type { LatLon } from '../../charts/localProjection.ts'
import { StorePlot, type PlotCircle } from '../../charts/StorePlot.tsx'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { Panel } from '../../components/Panel.tsx'

const degrees = new Intl.NumberFormat(undefined, { minimumFractionDigits: 5, maximumFractionDigits: 5 })

interface StoresPanelProps {
  query: QueryState<{ rows: Store[] }>
  city: string
  circles: readonly PlotCircle[]
  /** Stores with an offer the wallet would get at the picked point. */
  offered: ReadonlySet<string>
  picked: LatLon | null
  pickedStore: string | null
  onPick: (position: LatLon, storeId: string | null) => void
}

/** The city's stores on a plain plot of their coordinates; a click picks the point a wallet asks from. */
export function StoresPanel({
  query,
  city,
  circles,
  offered,
  picked,
  pickedStore,
  onPick,
}: StoresPanelProps) {
  const columns: Column<Store>[] = [
    { key: 'name', label: 'Store', value: (s) => s.name },
    { key: 'storeId', label: 'Id', value: (s) => s.storeId, render: (s) => <code>{s.storeId}</code> },
    {
      key: 'lat',
      label: 'Latitude',
      value: (s) => s.lat,
      render: (s) => degrees.format(s.lat),
      numeric: true,
    },
    {
      key: 'lon',
      label: 'Longitude',
      value: (s) => s.lon,
      render: (s) => degrees.format(s.lon),
      numeric: true,
    },
    {
      key: 'pick',
      label: 'Ask here',
      value: () => null,
      render: (s) => (
        <button
          type="button"
          className="button-quiet"
          onClick={() => onPick({ lat: s.lat, lon: s.lon }, s.storeId)}
        >
          Pick
        </button>
      ),
    },
  ]
  return (
    <Panel
      title={`Stores in ${city}`}
      description="Click a store, or anywhere near one. Dashed circles are the geofences of active offers."
      query={query}
      testId="stores"
      empty="This merchant has no store with coordinates."
      csv={(data) => csvOf(`stores-${city}`, columns.slice(0, 4), data.rows)}
      chart={(data) => (
        <StorePlot
          stores={data.rows.map((s) => ({ ...s, highlight: offered.has(s.storeId) }))}
          circles={circles}
          selected={picked}
          onPick={onPick}
          label={`Stores in ${city}; click to pick a point`}
        />
      )}
      table={(data) => (
        <DataTable
          caption={`Stores in ${city}`}
          columns={columns}
          rows={data.rows}
          rowKey={(s) => s.storeId}
          sortable
        />
      )}
      footer={(data) => (
        <p className="panel-note" data-testid="picked" aria-live="polite">
          {picked
            ? `Asking from ${degrees.format(picked.lat)}, ${degrees.format(picked.lon)}${
                pickedStore
                  ? ` (at ${data.rows.find((s) => s.storeId === pickedStore)?.name ?? pickedStore})`
                  : ''
              }.`
            : 'No point picked yet.'}
        </p>
      )}
    />
  )
}

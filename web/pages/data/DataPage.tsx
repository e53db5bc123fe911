import { useSearchParams } from 'react-router'
import type { BatchLedger, Freshness, RejectedRow } from '../../../server/contract.ts'
import { useBatches, useFreshness, useRejects } from '../../api/ingestHooks.ts'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat, formatInstant } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'
import { UploadPanel } from './UploadPanel.tsx'

type FreshnessRow = Freshness['rows'][number]

const count = createNumberFormat('USD')
const when = (value: string | null) => (value ? formatInstant(value) : '–')

const freshnessColumns: Column<FreshnessRow>[] = [
  { key: 'source', label: 'Source', value: (r) => r.source },
  { key: 'merchantId', label: 'Merchant', value: (r) => r.merchantId, render: (r) => r.merchantId ?? 'all' },
  { key: 'rows', label: 'Rows', value: (r) => r.rows, render: (r) => count.number(r.rows), numeric: true },
  { key: 'newestEventAt', label: 'Newest event', value: (r) => r.newestEventAt, render: (r) => when(r.newestEventAt) },
  { key: 'lastLoadedAt', label: 'Last loaded', value: (r) => r.lastLoadedAt, render: (r) => when(r.lastLoadedAt) },
]

const rejectColumns: Column<RejectedRow>[] = [
  { key: 'lineNo', label: 'Line', value: (r) => r.lineNo, numeric: true },
  { key: 'reason', label: 'Reason', value: (r) => r.reason, render: (r) => <span className="badge badge-failed">{r.reason}</span> },
  { key: 'field', label: 'Field', value: (r) => r.field, render: (r) => <code>{r.field}</code> },
  { key: 'message', label: 'Message', value: (r) => r.message },
  { key: 'merchantId', label: 'Merchant', value: (r) => r.merchantId },
  { key: 'raw', label: 'Row as received', value: (r) => r.raw, render: (r) => <code className="raw">{r.raw}</code> },
]

export default function DataPage() {
  const [params, setParams] = useSearchParams()
  const batchId = params.get('batch')
  // An upload invalidates both, so they ask the server again instead of showing the cached answer.
  const batches = useBatches()
  const freshness = useFreshness()
  const rejects = useRejects(batchId)
  const showRejects = (id: string) => {
    const next = new URLSearchParams(params)
    next.set('batch', id)
    setParams(next)
  }

  const batchColumns: Column<BatchLedger>[] = [
    { key: 'startedAt', label: 'Started', value: (b) => b.startedAt, render: (b) => when(b.startedAt) },
    { key: 'kind', label: 'Kind', value: (b) => b.kind },
    { key: 'format', label: 'Format', value: (b) => b.format },
    { key: 'source', label: 'Source', value: (b) => b.source, render: (b) => <span className="cell-wrap">{b.source}</span> },
    { key: 'status', label: 'Status', value: (b) => b.status, render: (b) => <span className={`badge badge-${b.status}`}>{b.status}</span> },
    { key: 'received', label: 'Received', value: (b) => b.received, render: (b) => count.number(b.received), numeric: true },
    { key: 'inserted', label: 'Inserted', value: (b) => b.inserted, render: (b) => count.number(b.inserted), numeric: true },
    { key: 'duplicates', label: 'Duplicates', value: (b) => b.duplicates, render: (b) => count.number(b.duplicates), numeric: true },
    {
      key: 'rejected',
      label: 'Rejected',
      value: (b) => b.rejected,
      render: (b) =>
        b.rejected > 0 ? (
          <button type="button" className="link-button" onClick={() => showRejects(b.batchId)} aria-label={`Show the ${b.rejected} rejected rows of batch ${b.batchId}`}>
            {count.number(b.rejected)}
          </button>
        ) : (
          '0'
        ),
      numeric: true,
    },
    // A long id is cut (whole in its tooltip and the CSV), a source and an error wrap: a row of generated
    // ids made the table scroll sideways at 1,280 px and hid the error column.
    { key: 'batchId', label: 'Batch', value: (b) => b.batchId, render: (b) => <code className="batch-id" title={b.batchId}>{b.batchId}</code> },
    { key: 'error', label: 'Error', value: (b) => b.error, render: (b) => <span className="cell-wrap">{b.error}</span> },
  ]

  return (
    <div className="page">
      <h1>Data</h1>
      <div className="grid-2 grid-data">
        <UploadPanel onShowRejects={showRejects} />
        <Panel
          title="Freshness"
          description="Newest event and last load per source"
          query={freshness}
          testId="freshness"
          empty="Nothing loaded yet."
          csv={(data) => csvOf('freshness', freshnessColumns, data.rows)}
          table={(data) => <DataTable caption="Freshness per source" columns={freshnessColumns} rows={data.rows} rowKey={(r) => `${r.source}-${r.merchantId ?? ''}`} sortable />}
        />
      </div>
      <Panel
        title="Recent batches"
        description="Every load with its ledger: received = inserted + duplicates + rejected"
        query={batches}
        testId="batches"
        empty="No batch yet. Load a file above."
        csv={(data) => csvOf('batches', batchColumns, data.rows)}
        table={(data) => <DataTable caption="Recent batches" columns={batchColumns} rows={data.rows} rowKey={(b) => b.batchId} sortable maxHeight={420} />}
      />
      {batchId && (
        <Panel
          title="Rejected rows"
          description={<>Batch <code>{batchId}</code>: each row kept with the reason it was not loaded</>}
          query={rejects}
          testId="rejects"
          empty="This batch rejected no rows."
          controls={
            <button
              type="button"
              className="button-quiet"
              onClick={() => {
                const next = new URLSearchParams(params)
                next.delete('batch')
                setParams(next)
              }}
            >
              Close
            </button>
          }
          csv={(data) => csvOf(`rejects-${data.batchId}`, rejectColumns, data.rows)}
          table={(data) => <DataTable caption="Rejected rows" columns={rejectColumns} rows={data.rows} rowKey={(r) => `${r.lineNo}-${r.field}`} sortable maxHeight={420} />}
        />
      )}
    </div>
  )
}

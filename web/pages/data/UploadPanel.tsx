import { useId, useState, type FormEvent } from 'react'
import { formatOfFileName, ingestMediaTypes, type BatchLedger, type IngestKind } from '../../../server/contract.ts'
import { ApiError, buildUrl } from '../../api/apiClient.ts'
import { useMappings } from '../../api/ingestHooks.ts'
import { useSignedIn } from '../../api/SessionProvider.tsx'
import { createNumberFormat } from '../../components/numberFormat.ts'
import { SelectField } from '../../components/SelectField.tsx'
import { LedgerSummary } from './LedgerSummary.tsx'

const kinds: { value: IngestKind; label: string }[] = [
  { value: 'transactions', label: 'Transactions' },
  { value: 'stores', label: 'Stores' },
  { value: 'weather', label: 'Weather observations' },
  { value: 'fx-rates', label: 'Exchange rates' },
]

/** How the ingest route is told what a file holds: its media type, and gzip when it ends in .gz. */
export function uploadTypeOf(fileName: string): { mediaType: string; gzip: boolean } | null {
  const format = formatOfFileName(fileName)
  const mediaType = Object.entries(ingestMediaTypes).find(([, f]) => f === format)?.[0]
  return mediaType ? { mediaType, gzip: fileName.toLowerCase().endsWith('.gz') } : null
}

type UploadState =
  | { status: 'idle' }
  | { status: 'uploading'; loaded: number; total: number }
  | { status: 'processing' }
  | { status: 'done'; ledger: BatchLedger }
  | { status: 'failed'; message: string }

interface UploadPanelProps {
  onUploaded: (ledger: BatchLedger) => void
  onShowRejects: (batchId: string) => void
}

/** Loads one file as one batch and shows its ledger: received = inserted + duplicates + rejected. */
export function UploadPanel({ onUploaded, onShowRejects }: UploadPanelProps) {
  const { client } = useSignedIn()
  const mappings = useMappings()
  const id = useId()
  const [kind, setKind] = useState<IngestKind>('transactions')
  const [mapping, setMapping] = useState('')
  const [file, setFile] = useState<File | null>(null)
  const [state, setState] = useState<UploadState>({ status: 'idle' })
  const presets = mappings.status === 'success' ? mappings.data.rows.filter((m) => m.kind === kind) : []
  const uploadType = file ? uploadTypeOf(file.name) : null
  const busy = state.status === 'uploading' || state.status === 'processing'
  const format = createNumberFormat('USD')

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (!file || !uploadType) return
    setState({ status: 'uploading', loaded: 0, total: file.size })
    try {
      const ledger = await client.upload<BatchLedger>(
        buildUrl(`/api/v1/ingest/${kind}`, { mapping: mapping || undefined }),
        file,
        uploadType,
        (loaded, total) => setState(loaded >= total ? { status: 'processing' } : { status: 'uploading', loaded, total }),
      )
      setState({ status: 'done', ledger })
      onUploaded(ledger)
    } catch (err) {
      setState({ status: 'failed', message: err instanceof ApiError ? err.message : String(err) })
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="upload">
      <header className="panel-head">
        <div>
          <h2 id={`${id}-title`}>Load a file</h2>
          <p className="panel-description">CSV, NDJSON, Parquet or Arrow (gzip accepted); one file is one batch.</p>
        </div>
      </header>
      <form className="upload-form" onSubmit={(event) => void submit(event)}>
        <SelectField
          label="What it holds"
          options={kinds}
          value={kind}
          onChange={(next) => {
            setKind(next)
            setMapping('')
          }}
        />
        <label className="field">
          <span>Column mapping</span>
          <select value={mapping} onChange={(event) => setMapping(event.target.value)} aria-describedby={`${id}-mapping`}>
            <option value="">Our column names</option>
            {presets.map((preset) => (
              <option key={preset.name} value={preset.name}>
                {preset.name}
              </option>
            ))}
          </select>
          <span id={`${id}-mapping`} className="field-hint">
            {presets.find((p) => p.name === mapping)?.description ??
              (mappings.status === 'error' ? 'Presets unavailable.' : 'Columns as in the data contract.')}
          </span>
        </label>
        <label className="field field-file">
          <span>File</span>
          <input
            type="file"
            accept=".csv,.tsv,.ndjson,.jsonl,.json,.parquet,.arrow,.arrows,.ipc,.gz"
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null)
              setState({ status: 'idle' })
            }}
          />
          {file && !uploadType && <span className="form-error">Unknown file type: use .csv, .ndjson, .parquet or .arrow (each may end in .gz).</span>}
        </label>
        <div className="upload-actions">
          <button type="submit" className="button-primary" disabled={!file || !uploadType || busy}>
            {busy ? 'Loading…' : 'Load file'}
          </button>
        </div>
      </form>
      {state.status === 'uploading' && (
        <div className="upload-progress" role="status">
          <progress value={state.loaded} max={state.total} aria-label="Upload progress" />
          <span>
            Sending {format.percent(state.total ? state.loaded / state.total : 0, 0)} ({format.number(state.loaded / 1024, 0)} of{' '}
            {format.number(state.total / 1024, 0)} KB)
          </span>
        </div>
      )}
      {state.status === 'processing' && (
        <div className="upload-progress" role="status">
          <progress aria-label="Processing" />
          <span>Sent; checking and writing the rows…</span>
        </div>
      )}
      {state.status === 'failed' && (
        <p className="form-error" role="alert">
          The file was not loaded: {state.message}
        </p>
      )}
      {state.status === 'done' && <LedgerSummary ledger={state.ledger} onShowRejects={onShowRejects} />}
    </section>
  )
}

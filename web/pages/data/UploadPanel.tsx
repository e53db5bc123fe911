import { useId, useState, type FormEvent } from 'react'
import { formatOfFileName, ingestMediaTypes, type IngestKind } from '../../../server/contract.ts'
import { useMappings, useUpload } from '../../api/ingestHooks.ts'
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

/** Loads one file as one batch and shows its ledger: received = inserted + duplicates + rejected. */
export function UploadPanel({ onShowRejects }: { onShowRejects: (batchId: string) => void }) {
  const mappings = useMappings()
  const upload = useUpload()
  const id = useId()
  const [kind, setKind] = useState<IngestKind>('transactions')
  const [mapping, setMapping] = useState('')
  const [file, setFile] = useState<File | null>(null)
  const [progress, setProgress] = useState({ loaded: 0, total: 0 })
  const presets = mappings.status === 'success' ? mappings.data.rows.filter((m) => m.kind === kind) : []
  const uploadType = file ? uploadTypeOf(file.name) : null
  const busy = upload.isPending
  // Once every byte is sent the server is still checking and writing the rows.
  const sending = busy && progress.loaded < progress.total
  const format = createNumberFormat('USD')

  function submit(event: FormEvent) {
    event.preventDefault()
    if (!file || !uploadType) return
    setProgress({ loaded: 0, total: file.size })
    upload.mutate({
      kind,
      file,
      type: uploadType,
      mapping: mapping || undefined,
      onProgress: (loaded, total) => setProgress({ loaded, total }),
    })
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="upload">
      <header className="panel-head">
        <div>
          <h2 id={`${id}-title`}>Load a file</h2>
          <p className="panel-description">CSV, NDJSON, Parquet or Arrow (gzip accepted); one file is one batch.</p>
        </div>
      </header>
      <form className="upload-form" onSubmit={submit}>
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
              upload.reset()
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
      {sending && (
        <div className="upload-progress" role="status">
          <progress value={progress.loaded} max={progress.total} aria-label="Upload progress" />
          <span>
            Sending {format.percent(progress.total ? progress.loaded / progress.total : 0, 0)} ({format.number(progress.loaded / 1024, 0)} of{' '}
            {format.number(progress.total / 1024, 0)} KB)
          </span>
        </div>
      )}
      {busy && !sending && (
        <div className="upload-progress" role="status">
          <progress aria-label="Processing" />
          <span>Sent; checking and writing the rows…</span>
        </div>
      )}
      {upload.isError && (
        <p className="form-error" role="alert">
          The file was not loaded: {upload.error.message}
        </p>
      )}
      {upload.isSuccess && <LedgerSummary ledger={upload.data} onShowRejects={onShowRejects} />}
    </section>
  )
}

import type { BatchLedger } from '../../../server/contract.ts'
import { createNumberFormat } from '../../components/numberFormat.ts'

/** One batch's ledger as four figures that always add up: received = inserted + duplicates + rejected. */
export function LedgerSummary({ ledger, onShowRejects }: { ledger: BatchLedger; onShowRejects: (batchId: string) => void }) {
  const format = createNumberFormat('USD')
  return (
    <div className="ledger" data-testid="ledger" role="status">
      <p className="ledger-title">
        Batch <code>{ledger.batchId}</code>: <span className={`badge badge-${ledger.status}`}>{ledger.status}</span>
      </p>
      <dl className="ledger-figures">
        <div>
          <dt>Received</dt>
          <dd data-testid="ledger-received">{format.number(ledger.received)}</dd>
        </div>
        <div>
          <dt>Inserted</dt>
          <dd data-testid="ledger-inserted">{format.number(ledger.inserted)}</dd>
        </div>
        <div>
          <dt>Duplicates</dt>
          <dd data-testid="ledger-duplicates">{format.number(ledger.duplicates)}</dd>
        </div>
        <div>
          <dt>Rejected</dt>
          <dd data-testid="ledger-rejected">{format.number(ledger.rejected)}</dd>
        </div>
      </dl>
      {ledger.error && <p className="form-error">{ledger.error}</p>}
      {ledger.rejected > 0 && (
        <button type="button" className="button-quiet" onClick={() => onShowRejects(ledger.batchId)}>
          See the {format.number(ledger.rejected)} rejected rows and why
        </button>
      )}
    </div>
  )
}

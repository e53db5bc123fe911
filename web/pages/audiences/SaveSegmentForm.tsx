import { useId, useState, type FormEvent } from 'react'
import type { Segment, SegmentRules } from '../../../server/contract.ts'
import { useCreateSegment, useUpdateSegment } from '../../api/segmentHooks.ts'
import { sameRules } from './audienceUrl.ts'

interface SaveSegmentFormProps {
  /** The saved segment being edited; undefined for new rules. */
  open: Segment | undefined
  merchantIds: readonly string[]
  rules: SegmentRules
  /** The rules pass the contract's checks (nothing is sent otherwise). */
  valid: boolean
  onSaved: (segment: Segment) => void
  onClose: () => void
}

/**
 * Saves the rules on screen as a new segment, or as the open segment's new name and rules. The form is
 * keyed by the open segment, so its name field starts from that segment's name.
 */
export function SaveSegmentForm({ open, merchantIds, rules, valid, onSaved, onClose }: SaveSegmentFormProps) {
  const id = useId()
  const [name, setName] = useState(open?.name ?? '')
  const create = useCreateSegment()
  const update = useUpdateSegment()
  const busy = create.isPending || update.isPending
  const failed = create.error ?? update.error
  const trimmed = name.trim()
  const sameMerchants =
    open !== undefined && [...open.merchantIds].sort().join() === [...merchantIds].sort().join()
  const changed =
    open !== undefined && (trimmed !== open.name || !sameRules(open.rules, rules) || !sameMerchants)

  const saveNew = () =>
    create.mutate({ merchantIds: [...merchantIds], name: trimmed, rules }, { onSuccess: onSaved })
  function submit(event: FormEvent) {
    event.preventDefault()
    if (!trimmed || !valid) return
    if (open && sameMerchants)
      update.mutate({ id: open.id, patch: { name: trimmed, rules } }, { onSuccess: onSaved })
    else saveNew()
  }

  return (
    <form
      className="panel save-segment"
      aria-labelledby={`${id}-title`}
      onSubmit={submit}
      data-testid="save-segment"
    >
      <header className="panel-head">
        <div>
          <h2 id={`${id}-title`}>{open ? 'Saved segment' : 'Save these rules'}</h2>
          <p className="panel-description">
            {open
              ? changed
                ? 'You changed this segment: save to keep the changes.'
                : 'The rules on screen are this segment’s.'
              : 'A saved segment keeps its members up to date, for offers to target.'}
          </p>
        </div>
        {open && (
          <div className="panel-actions">
            <button type="button" className="button-quiet" onClick={onClose}>
              Close
            </button>
          </div>
        )}
      </header>
      <div className="save-segment-row">
        <label className="field">
          <span>Name</span>
          <input
            value={name}
            maxLength={200}
            required
            placeholder="e.g. Mainland tourists, high spend"
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <button
          type="submit"
          className="button-primary"
          disabled={busy || !trimmed || !valid || (open && !changed)}
        >
          {open && sameMerchants ? 'Save changes' : 'Save segment'}
        </button>
        {open && (
          <button
            type="button"
            className="button-quiet"
            disabled={busy || !trimmed || !valid}
            onClick={saveNew}
          >
            Save as new
          </button>
        )}
      </div>
      {open && !sameMerchants && (
        <p className="panel-note">
          The merchants differ from the saved segment’s (a segment keeps its merchants): saving makes a new
          one.
        </p>
      )}
      {failed && (
        <p className="form-error" role="alert">
          Not saved: {failed.message}
        </p>
      )}
    </form>
  )
}

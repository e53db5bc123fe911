import { useState } from 'react'
import type { Segment, SegmentList } from '../../../server/contract.ts'
import { useDeleteSegment } from '../../api/segmentHooks.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import { csvOf, DataTable, type Column } from '../../components/DataTable.tsx'
import { createNumberFormat, formatInstant, formatLocalDate } from '../../components/numberFormat.ts'
import { Panel } from '../../components/Panel.tsx'
import { privateCount } from '../../components/privateCount.ts'

const count = createNumberFormat('USD')

interface SavedSegmentsPanelProps {
  query: QueryState<SegmentList>
  openId: string | null
  merchantNames: ReadonlyMap<string, string>
  onOpen: (segment: Segment) => void
  /** Told before the segment is deleted, so an open one closes first (its profile is not asked for again). */
  onDeleting: (id: string) => void
}

const sizeText = (s: Segment, format: (value: number) => string) =>
  s.refreshedAt === null ? 'not computed yet' : privateCount(s, s.threshold, format)

/** The segments saved for the key's merchants, with their sizes at the last membership refresh. */
export function SavedSegmentsPanel({
  query,
  openId,
  merchantNames,
  onOpen,
  onDeleting,
}: SavedSegmentsPanelProps) {
  const remove = useDeleteSegment()
  const [confirming, setConfirming] = useState<string | null>(null)
  const names = (s: Segment) => s.merchantIds.map((id) => merchantNames.get(id) ?? id).join(', ')

  const exported: Column<Segment>[] = [
    { key: 'id', label: 'Id', value: (s) => s.id },
    { key: 'name', label: 'Name', value: (s) => s.name },
    { key: 'merchantIds', label: 'Merchants', value: (s) => s.merchantIds.join(' ') },
    { key: 'customers', label: 'Customers', value: (s) => sizeText(s, String) },
    { key: 'asOf', label: 'Size as of', value: (s) => s.asOf },
    { key: 'updatedAt', label: 'Updated', value: (s) => s.updatedAt },
  ]
  const columns: Column<Segment>[] = [
    {
      key: 'name',
      label: 'Segment',
      value: (s) => s.name,
      render: (s) => (
        <button
          type="button"
          className="link-button segment-name"
          aria-current={s.id === openId ? 'true' : undefined}
          onClick={() => onOpen(s)}
        >
          {s.name}
        </button>
      ),
    },
    { key: 'merchants', label: 'Merchants', value: names },
    {
      key: 'customers',
      label: 'Customers',
      value: (s) => (s.size === null ? null : s.size),
      render: (s) => sizeText(s, count.number),
      numeric: true,
    },
    {
      key: 'asOf',
      label: 'As of',
      value: (s) => s.asOf,
      render: (s) => (s.asOf ? formatLocalDate(s.asOf) : '–'),
    },
    {
      key: 'updatedAt',
      label: 'Updated',
      value: (s) => s.updatedAt,
      render: (s) => formatInstant(s.updatedAt),
    },
    {
      key: 'actions',
      label: 'Actions',
      value: () => null,
      render: (s) =>
        confirming === s.id ? (
          <span className="row-actions">
            <button
              type="button"
              className="button-quiet button-danger"
              aria-label={`Confirm: delete ${s.name}`}
              disabled={remove.isPending}
              onClick={() => {
                onDeleting(s.id)
                remove.mutate(s.id, { onSuccess: () => setConfirming(null) })
              }}
            >
              Confirm delete
            </button>
            <button type="button" className="button-quiet" onClick={() => setConfirming(null)}>
              Keep
            </button>
          </span>
        ) : (
          <span className="row-actions">
            <button type="button" className="button-quiet" onClick={() => onOpen(s)}>
              Open
            </button>
            <button
              type="button"
              className="button-quiet"
              aria-label={`Delete ${s.name}`}
              onClick={() => setConfirming(s.id)}
            >
              Delete
            </button>
          </span>
        ),
    },
  ]

  return (
    <Panel
      title="Saved segments"
      description="Sizes at the last membership refresh; open one to edit its rules and see its profile."
      query={query}
      testId="saved-segments"
      empty="No saved segment yet. Set rules above and save them."
      csv={(data) => csvOf('segments', exported, data.rows)}
      table={(data) => (
        <DataTable
          caption="Saved segments"
          columns={columns}
          rows={data.rows}
          rowKey={(s) => s.id}
          sortable
        />
      )}
      footer={() =>
        remove.isError ? (
          <p className="form-error" role="alert">
            Could not delete: {remove.error.message}
          </p>
        ) : null
      }
    />
  )
}

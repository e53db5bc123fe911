import type {
  BatchLedger,
  BatchList,
  Freshness,
  IngestKind,
  MappingList,
  RejectList,
} from '../../server/contract.ts'
import { buildUrl } from './apiClient.ts'
import { useApiMutation, useApiQuery } from './useApiQuery.ts'

export const useBatches = () => useApiQuery<BatchList>('/api/v1/ingest/batches')

export const useRejects = (batchId: string | null) =>
  useApiQuery<RejectList>(
    batchId === null ? null : `/api/v1/ingest/batches/${encodeURIComponent(batchId)}/rejects`,
  )

export const useMappings = () => useApiQuery<MappingList>('/api/v1/ingest/mappings')

export const useFreshness = () => useApiQuery<Freshness>('/api/v1/ingest/freshness')

export interface Upload {
  kind: IngestKind
  file: Blob
  type: { mediaType: string; gzip: boolean }
  mapping?: string | undefined
  onProgress: (loaded: number, total: number) => void
}

/** A file's name as the batch's source (the API refuses control characters and more than 255 of them). */
const sourceOf = (file: Blob) =>
  file instanceof File ? file.name.replace(/\p{Cc}/gu, '').slice(0, 255) : undefined

/**
 * Loads one file as one batch, named by the file in the ledger. New lines change every answer about sales,
 * so everything cached is asked for again (the batch list and freshness included).
 */
export const useUpload = () =>
  useApiMutation<Upload, BatchLedger>(
    (client, { kind, file, type, mapping, onProgress }) =>
      client.upload<BatchLedger>(
        buildUrl(`/api/v1/ingest/${kind}`, { mapping, source: sourceOf(file) }),
        file,
        type,
        onProgress,
      ),
    { invalidates: ['/api/v1/'] },
  )

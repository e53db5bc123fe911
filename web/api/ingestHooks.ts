import type {
  BatchLedger,
  BatchList,
  Freshness,
  IngestKind,
  MappingList,
  RejectList,
} from '../../server/contract.ts'
import { sourceOfFileName } from '../../server/contract.ts'
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

/**
 * Loads one file as one batch, named by the file in the ledger. New lines change every answer about sales,
 * so everything cached is asked for again (the batch list and freshness included).
 */
export const useUpload = () =>
  useApiMutation<Upload, BatchLedger>(
    (client, { kind, file, type, mapping, onProgress }) =>
      client.upload<BatchLedger>(
        buildUrl(`/api/v1/ingest/${kind}`, {
          mapping,
          source: file instanceof File ? sourceOfFileName(file.name) : undefined,
        }),
        file,
        type,
        onProgress,
      ),
    { invalidates: ['/api/v1/'] },
  )

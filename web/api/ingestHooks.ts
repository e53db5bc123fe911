import type { BatchList, Freshness, MappingList, RejectList } from '../../server/contract.ts'
import { useApiQuery } from './useApiQuery.ts'

export const useBatches = (refreshKey: number) =>
  useApiQuery<BatchList>('/api/v1/ingest/batches', {}, refreshKey)

export const useRejects = (batchId: string | null) =>
  useApiQuery<RejectList>(
    batchId === null ? null : `/api/v1/ingest/batches/${encodeURIComponent(batchId)}/rejects`,
  )

export const useMappings = () => useApiQuery<MappingList>('/api/v1/ingest/mappings')

export const useFreshness = (refreshKey: number) =>
  useApiQuery<Freshness>('/api/v1/ingest/freshness', {}, refreshKey)
